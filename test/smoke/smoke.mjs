#!/usr/bin/env node
// Smoke test of a running Weft deployment, as a client sees it: health, readiness, one workflow run in
// blocking mode and one streamed (Dify's SSE), and, given a dataset, a retrieval. Plain Node.js (20+),
// no build and no dependencies, so the delivery pipeline can run it against any environment:
//
//   node test/smoke/smoke.mjs --base-url https://weft.example.com --app-key app-... \
//     [--dataset-key dataset-... --dataset-id <uuid>] [--inputs '{"query":"hi"}'] [--timeout-ms 60000]
//
// Each option can also come from the environment: WEFT_BASE_URL, WEFT_APP_KEY, WEFT_DATASET_KEY,
// WEFT_DATASET_ID, WEFT_SMOKE_INPUTS, WEFT_SMOKE_TIMEOUT_MS. The app key must belong to a published
// workflow app; required start inputs that --inputs does not give are filled from the app's form
// (GET /v1/parameters). Prints one line per step and exits 1 naming every step that failed.
import { pathToFileURL } from 'node:url';
import { TextDecoder } from 'node:util';

const STEPS_HELP = 'health, ready, parameters, run-blocking, run-streaming, retrieval (with a dataset)';

/** Options from the command line, then the environment. */
export function parseOptions(argv, env) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument "${arg}"`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    flags[m[1]] = value;
  }
  const pick = (flag, variable) => {
    const value = flags[flag] ?? env[variable];
    return value === undefined || value === '' ? undefined : value;
  };
  const known = new Set(['base-url', 'app-key', 'dataset-key', 'dataset-id', 'inputs', 'timeout-ms', 'user', 'query']);
  for (const flag of Object.keys(flags)) if (!known.has(flag)) throw new Error(`unknown option --${flag}`);
  const baseUrl = pick('base-url', 'WEFT_BASE_URL');
  const appKey = pick('app-key', 'WEFT_APP_KEY');
  if (!baseUrl) throw new Error('--base-url (or WEFT_BASE_URL) is required');
  if (!appKey) throw new Error('--app-key (or WEFT_APP_KEY) is required');
  const inputsText = pick('inputs', 'WEFT_SMOKE_INPUTS');
  let inputs = {};
  if (inputsText) {
    try {
      inputs = JSON.parse(inputsText);
    } catch {
      throw new Error('--inputs must be a JSON object');
    }
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) throw new Error('--inputs must be a JSON object');
  }
  const timeoutMs = Number(pick('timeout-ms', 'WEFT_SMOKE_TIMEOUT_MS') ?? 60_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new Error('--timeout-ms must be an integer of at least 100');
  const datasetKey = pick('dataset-key', 'WEFT_DATASET_KEY');
  const datasetId = pick('dataset-id', 'WEFT_DATASET_ID');
  if (Boolean(datasetKey) !== Boolean(datasetId)) throw new Error('--dataset-key and --dataset-id go together');
  return {
    appKey,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    datasetId,
    datasetKey,
    inputs,
    query: pick('query', 'WEFT_SMOKE_QUERY') ?? 'What is Weft?',
    timeoutMs,
    user: pick('user', 'WEFT_SMOKE_USER') ?? 'weft-smoke-test',
  };
}

class StepError extends Error {}

function check(condition, message) {
  if (!condition) throw new StepError(message);
}

function describeBody(text) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

async function request(opts, method, path, { body, key } = {}) {
  const headers = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${opts.baseUrl}${path}`, {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers,
    method,
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { json, status: res.status, text };
}

/** A placeholder for a required start input the caller did not give, from Dify's user_input_form entry. */
function placeholderFor(control, field) {
  if (control === 'number') return 1;
  if (control === 'select') return Array.isArray(field.options) && field.options.length > 0 ? field.options[0] : 'smoke';
  if (control === 'checkbox') return true;
  if (control === 'file' || control === 'file-list') return undefined;
  return 'Weft smoke test';
}

/** Fills the app's required inputs that were not given. */
export function completeInputs(given, userInputForm) {
  const inputs = { ...given };
  for (const entry of Array.isArray(userInputForm) ? userInputForm : []) {
    const [control, field] = Object.entries(entry ?? {})[0] ?? [];
    if (!field || typeof field.variable !== 'string' || field.variable in inputs || !field.required) continue;
    const value = placeholderFor(control, field);
    if (value !== undefined) inputs[field.variable] = value;
  }
  return inputs;
}

/**
 * Parses a Dify SSE body: events are separated by a blank line; `data:` lines carry JSON; `event: ping`
 * blocks carry nothing. Returns the JSON events in order.
 */
export function parseSse(text) {
  const events = [];
  for (const block of text.replace(/\r\n/g, '\n').split('\n\n')) {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '') continue;
    try {
      events.push(JSON.parse(data));
    } catch {
      throw new StepError(`an SSE data line is not JSON: ${describeBody(data)}`);
    }
  }
  return events;
}

async function readStream(res, timeoutMs) {
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  for await (const chunk of res.body) {
    text += decoder.decode(chunk, { stream: true });
    // Dify closes the stream after the terminal event; stop reading as soon as it is there.
    if (/"event"\s*:\s*"(workflow_finished|error)"[^\n]*\n\n/.test(text)) break;
    if (Date.now() > deadline) throw new StepError(`no workflow_finished event within ${timeoutMs} ms`);
  }
  return text + decoder.decode();
}

function runSucceeded(data, where) {
  check(data && typeof data === 'object', `${where} has no data`);
  check(data.status === 'succeeded', `${where}: the run ended "${data.status}"${data.error ? `: ${data.error}` : ''}`);
}

/** The smoke steps, in order; each returns a short note for the report. */
export function smokeSteps(opts) {
  let inputs = opts.inputs;
  const steps = [
    {
      name: 'health',
      run: async () => {
        const res = await request(opts, 'GET', '/health');
        check(res.status === 200, `GET /health answered ${res.status}: ${describeBody(res.text)}`);
        return 'alive';
      },
    },
    {
      name: 'ready',
      run: async () => {
        const res = await request(opts, 'GET', '/ready');
        check(res.status === 200, `GET /ready answered ${res.status} (a dependency is down?): ${describeBody(res.text)}`);
        return 'ready';
      },
    },
    {
      name: 'parameters',
      run: async () => {
        const res = await request(opts, 'GET', '/v1/parameters', { key: opts.appKey });
        check(res.status === 200, `GET /v1/parameters with the app key answered ${res.status}: ${describeBody(res.text)}`);
        inputs = completeInputs(opts.inputs, res.json?.user_input_form);
        return `inputs ${Object.keys(inputs).join(', ') || '(none)'}`;
      },
    },
    {
      name: 'run-blocking',
      run: async () => {
        const res = await request(opts, 'POST', '/v1/workflows/run', {
          body: { inputs, response_mode: 'blocking', user: opts.user },
          key: opts.appKey,
        });
        check(res.status === 200, `POST /v1/workflows/run (blocking) answered ${res.status}: ${describeBody(res.text)}`);
        check(typeof res.json?.workflow_run_id === 'string', `the blocking answer has no workflow_run_id: ${describeBody(res.text)}`);
        runSucceeded(res.json.data, 'the blocking answer');
        return `run ${res.json.workflow_run_id}`;
      },
    },
    {
      name: 'run-streaming',
      run: async () => {
        const res = await fetch(`${opts.baseUrl}/v1/workflows/run`, {
          body: JSON.stringify({ inputs, response_mode: 'streaming', user: opts.user }),
          headers: { accept: 'text/event-stream', authorization: `Bearer ${opts.appKey}`, 'content-type': 'application/json' },
          method: 'POST',
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        if (res.status !== 200)
          throw new StepError(`POST /v1/workflows/run (streaming) answered ${res.status}: ${describeBody(await res.text())}`);
        check(
          /^text\/event-stream/.test(res.headers.get('content-type') ?? ''),
          `the streaming answer is ${res.headers.get('content-type')}, not text/event-stream`,
        );
        const events = parseSse(await readStream(res, opts.timeoutMs));
        check(events.length > 0, 'the stream carried no data events');
        check(events[0].event === 'workflow_started', `the first event is "${events[0].event}", not workflow_started`);
        const errorEvent = events.find((e) => e.event === 'error');
        check(!errorEvent, `the stream reported an error: ${errorEvent ? describeBody(JSON.stringify(errorEvent)) : ''}`);
        const finished = events.find((e) => e.event === 'workflow_finished');
        check(finished, `the stream ended without workflow_finished (events: ${events.map((e) => e.event).join(', ')})`);
        runSucceeded(finished.data, 'workflow_finished');
        return `${events.length} events, run ${finished.workflow_run_id}`;
      },
    },
  ];
  if (opts.datasetKey && opts.datasetId) {
    steps.push({
      name: 'retrieval',
      run: async () => {
        const body = {
          query: opts.query,
          retrieval_model: { reranking_enable: false, score_threshold_enabled: false, search_method: 'semantic_search', top_k: 3 },
        };
        const res = await request(opts, 'POST', `/v1/datasets/${encodeURIComponent(opts.datasetId)}/retrieve`, {
          body,
          key: opts.datasetKey,
        });
        check(res.status === 200, `POST /v1/datasets/{id}/retrieve answered ${res.status}: ${describeBody(res.text)}`);
        check(Array.isArray(res.json?.records), `the retrieval answer has no records list: ${describeBody(res.text)}`);
        return `${res.json.records.length} records`;
      },
    });
  }
  return steps;
}

function describeError(error, timeoutMs) {
  if (error instanceof StepError) return error.message;
  if (error?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error?.cause?.code ?? error?.cause?.errors?.[0]?.code ?? error?.cause?.message;
  return `${error?.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
}

/** Runs every step (a failed step does not stop the others) and reports; resolves to the failed step names. */
export async function runSmoke(opts, write = (line) => process.stdout.write(`${line}\n`)) {
  const failed = [];
  const steps = smokeSteps(opts);
  write(`Smoke test of ${opts.baseUrl}`);
  for (const step of steps) {
    const started = Date.now();
    try {
      const note = await step.run();
      write(`ok   ${step.name} (${Date.now() - started} ms)${note ? `: ${note}` : ''}`);
    } catch (error) {
      failed.push(step.name);
      write(`FAIL ${step.name}: ${describeError(error, opts.timeoutMs)}`);
    }
  }
  write(`smoke: ${steps.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) write(`Failed: ${failed.join(', ')}`);
  return failed;
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(
      `smoke: ${error.message}\nUsage: node test/smoke/smoke.mjs --base-url URL --app-key KEY [--dataset-key KEY --dataset-id ID] [--inputs JSON] [--timeout-ms MS]\n`,
    );
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(
      `Usage: node test/smoke/smoke.mjs --base-url URL --app-key KEY [--dataset-key KEY --dataset-id ID] [--inputs JSON] [--timeout-ms MS] [--user NAME] [--query TEXT]\nSteps: ${STEPS_HELP}.\n`,
    );
    return;
  }
  const failed = await runSmoke(opts);
  process.exit(failed.length > 0 ? 1 : 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
