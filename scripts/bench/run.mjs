// The benchmarks themselves, loaded by scripts/bench.mjs once dependencies, infrastructure and the build
// are in place (this module imports npm packages a fresh clone does not have yet). The infrastructure
// URLs arrive in the environment.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, createServer, request } from 'node:http';
import pg from 'pg';
import { connect, JSONCodec, nkeyAuthenticator } from 'nats';
import { archiveBenchmark } from './archive.mjs';
import { callTree, flameGraphSvg, summary } from './flamegraph.cjs';
import { cpuSeconds, LIFTED_RATE_LIMITS, measureHttp, measureOps, printTable, startOtlpSink } from './measure.mjs';
import { call, codeNodeDsl, deployApp, echoChatflowDsl, loginOrRegister, templateChainDsl } from '../lib/gateway-client.mjs';
import { localAccount } from '../lib/local-account.mjs';
import { fail, PORT_VARIABLES, ROOT, say, serviceArgs, SERVICES, waitReady } from '../lib/workspace.mjs';

const DURATION = Number(process.argv.find((a) => a.startsWith('--duration='))?.split('=')[1] ?? 5);
const SOAK = process.argv.includes('--soak');
// --only=code measures just the code-node rows (with the 3-node run they are compared against);
// --only=tracing just the tracing rows (the 3-node run with tracing off, then on at 100% and 10% sampling);
// --only=profile --cpu-profile=<dir> CPU profiles of the services under the 3-node run at concurrency 32, drawn as
// flame graphs (<dir>/<service>.svg) with a summary of where each service's time went.
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1];
/** --tracing-rounds=<n>: how many times each tracing setting is measured (the rows show the median). */
const TRACING_ROUNDS = Math.max(1, Number(process.argv.find((a) => a.startsWith('--tracing-rounds='))?.split('=')[1] ?? 3));
/** --cpu-profile=<dir>: every service of the tracing rows writes a V8 CPU profile there (one folder per setting). */
const CPU_PROFILE_DIR = process.argv.find((a) => a.startsWith('--cpu-profile='))?.split('=')[1];
const SOAK_MINUTES = Number(process.argv.find((a) => a.startsWith('--soak-minutes='))?.split('=')[1] ?? 10);
const BENCH_PORTS = { gateway: 15001, orchestrator: 15002, 'node-runner': 15003, rag: 15004, compliance: 15005 };

const urls = {
  DATABASE_URL: process.env.DATABASE_URL,
  NATS_URL: process.env.NATS_URL,
  REDIS_URL: process.env.REDIS_URL,
  ...(process.env.NATS_CREDENTIALS_DIR ? { NATS_CREDENTIALS_DIR: process.env.NATS_CREDENTIALS_DIR } : {}),
};

/** The benchmark's own NATS connections (baselines, audit burst) use the operator's NKey user when NATS requires one. */
function connectNats() {
  const dir = urls.NATS_CREDENTIALS_DIR;
  const seed = dir ? readFileSync(join(dir, 'operator.nk'), 'utf8').trim() : undefined;
  return connect({
    servers: urls.NATS_URL,
    inboxPrefix: '_INBOX_OPERATOR',
    ...(seed ? { authenticator: nkeyAuthenticator(Buffer.from(seed)) } : {}),
  });
}

const rows = [];
const BENCH_PREFIX = `bench${Date.now()}`;

async function baselineNats() {
  const nc = await connectNats();
  const codec = JSONCodec();
  nc.subscribe('bench.echo', { callback: (_err, msg) => msg.respond(msg.data) });
  const payload = codec.encode({ hello: 'world', n: 1 });
  await nc.request('bench.echo', payload);
  for (const c of [1, 16]) {
    rows.push({
      name: `baseline: raw NATS request/reply, concurrency ${c}`,
      ...(await measureOps(c === 1 ? 3000 : 20000, c, () => nc.request('bench.echo', payload, { timeout: 2000 }))),
    });
  }
  await nc.close();
}

async function baselinePostgres() {
  const pool = new pg.Pool({ connectionString: urls.DATABASE_URL, max: 8 });
  await pool.query('CREATE TEMP TABLE IF NOT EXISTS bench_rows (id bigserial primary key, body jsonb)');
  await pool.query(
    'CREATE TABLE IF NOT EXISTS public.weft_bench_rows (id bigserial primary key, body jsonb, created_at timestamptz default now())',
  );
  const body = JSON.stringify({ status: 'succeeded', outputs: { text: 'x'.repeat(200) } });
  for (const c of [1, 8]) {
    rows.push({
      name: `baseline: raw Postgres insert (durable), concurrency ${c}`,
      ...(await measureOps(c === 1 ? 1000 : 4000, c, () => pool.query('INSERT INTO public.weft_bench_rows (body) VALUES ($1)', [body]))),
    });
  }
  await pool.query('DROP TABLE public.weft_bench_rows');
  await pool.end();
}

async function baselineHttp() {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ok"}');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  rows.push({
    name: 'baseline: raw Node HTTP server, 16 connections',
    ...(await measureHttp(`http://127.0.0.1:${port}/`, { connections: 16, durationSeconds: DURATION })),
  });
  await new Promise((resolve) => server.close(resolve));
}

/**
 * Audit events published to JetStream (as every service's AuditService does) until the compliance service
 * has appended all of them to the hash chain: the rate the trail absorbs a burst, batches and all.
 */
async function auditBenchmark() {
  const count = 5000;
  const nc = await connectNats();
  const js = nc.jetstream();
  const codec = JSONCodec();
  const pool = new pg.Pool({ connectionString: urls.DATABASE_URL, max: 2 });
  const action = `bench.audit.${Date.now()}`;
  const started = process.hrtime.bigint();
  const inFlight = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const event = {
      action,
      actor: { id: 'bench', type: 'system' },
      correlationId: null,
      details: { i, note: 'benchmark' },
      id,
      ip: '127.0.0.1',
      occurredAt: new Date().toISOString(),
      outcome: 'success',
      resource: { id: String(i), type: 'bench' },
      service: 'gateway',
      userAgent: 'bench',
      workspaceId: 'bench',
    };
    inFlight.push(js.publish(`${BENCH_PREFIX}.audit.event.v1`, codec.encode(event), { msgID: id }));
    if (inFlight.length >= 256) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  for (;;) {
    const { rows: stored } = await pool.query('SELECT count(*)::int AS n FROM compliance.audit_events WHERE action = $1', [action]);
    if (stored[0].n >= count) break;
    if (Number(process.hrtime.bigint() - started) / 1e9 > 120) fail(`only ${stored[0].n} of ${count} audit events stored after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  rows.push({
    name: `audit events: JetStream publish → hash chain, ${count} events`,
    opsPerSecond: count / seconds,
    p50: NaN,
    p95: NaN,
    p99: NaN,
    notes: 'events/s, compare the raw Postgres insert baseline',
  });
  await pool.end();
  await nc.close();
}

/** Every service process the bench started: killed when the bench exits, even through `fail`. */
const benchChildren = new Set();
process.on('exit', () => {
  for (const child of benchChildren) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startStack(extraEnv = {}, nodeFlags = []) {
  const env = {
    ...process.env,
    ...urls,
    LOG_LEVEL: 'warn',
    NATS_SUBJECT_PREFIX: BENCH_PREFIX,
    ...LIFTED_RATE_LIMITS,
    ...extraEnv,
  };
  for (const s of SERVICES) env[PORT_VARIABLES[s][0]] = String(BENCH_PORTS[s]);
  return SERVICES.map((s) => {
    const child = spawn(process.execPath, [...nodeFlags, ...serviceArgs(s)], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    benchChildren.add(child);
    return { service: s, child };
  });
}

async function peakRss(pids) {
  return pids.map((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
    } catch {
      return NaN;
    }
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs JSON over a keep-alive agent; resolves with the status and, for streams, the time to the first data line. */
function post(url, key, body, { stream = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(
      url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        let firstData = null;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
          if (stream && firstData === null && text.includes('data: ')) firstData = Number(process.hrtime.bigint() - started) / 1e6;
        });
        res.on('end', () =>
          res.statusCode === 200 && (stream || text.includes('"succeeded"'))
            ? resolve({ firstData })
            : reject(new Error(`${res.statusCode} ${text.slice(0, 200)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Runs a workflow `count` times at a concurrency: blocking, or streaming measuring the time to the first event. */
async function measureRuns(url, key, count, concurrency, { stream = false } = {}) {
  const firsts = [];
  const body = { inputs: { text: 'hello' }, user: 'bench', response_mode: stream ? 'streaming' : 'blocking' };
  const result = await measureOps(count, concurrency, async () => {
    const { firstData } = await post(url, key, body, { stream });
    if (stream) firsts.push(firstData);
  });
  if (!stream) return result;
  firsts.sort((a, b) => a - b);
  const at = (p) => firsts[Math.min(firsts.length - 1, Math.floor((p / 100) * firsts.length))];
  return { ...result, p50: at(50), p95: at(95), p99: at(99), notes: 'latency = time to first event' };
}

async function workflowBenchmarks(gw, pids) {
  const token = await loginOrRegister(gw, localAccount());
  const three = await deployApp(gw, token, templateChainDsl('bench: start, template, end', 1));
  const twenty = await deployApp(gw, token, templateChainDsl('bench: 20 templates', 20));
  const url = `${gw}/v1/workflows/run`;
  await measureRuns(url, three.key, 300, 8);
  const runs = Math.max(200, DURATION * 300);
  for (const c of [1, 8, 32]) {
    rows.push({
      name: `workflow run, 3 nodes, blocking, concurrency ${c}`,
      ...(await measureRuns(url, three.key, c === 1 ? Math.min(runs, 1000) : runs, c)),
    });
  }
  const single = await measureRuns(url, three.key, 500, 1);
  const chain = await measureRuns(url, twenty.key, 500, 1);
  rows.push({
    name: 'workflow run, 22 nodes (20 templates), blocking, concurrency 1',
    ...chain,
    notes: `per extra node: ${((chain.p50 - single.p50) / 19).toFixed(3)} ms (p50 against the 3-node run)`,
  });
  for (const c of [1, 8]) {
    rows.push({
      name: `workflow run, 3 nodes, streaming, concurrency ${c}`,
      ...(await measureRuns(url, three.key, c === 1 ? 500 : runs, c, { stream: true })),
    });
  }
  if (SOAK) await soak(url, three.key, pids);
}

/**
 * Code nodes: start → code → end in Python and in JavaScript, at concurrency 1 and 8. The sandbox overhead per
 * code node is its p50 at concurrency 1 against the 3-node template run measured just before (a template
 * node runs in the orchestrator; a code node also crosses to a node runner and into a sandbox).
 */
async function codeBenchmarks(gw) {
  const token = await loginOrRegister(gw, localAccount());
  const url = `${gw}/v1/workflows/run`;
  const three = await deployApp(gw, token, templateChainDsl('bench: start, template, end', 1));
  await measureRuns(url, three.key, 200, 8);
  const reference = await measureRuns(url, three.key, 300, 1);
  const runs = Math.max(200, DURATION * 60);
  for (const [language, label] of [
    ['python3', 'Python'],
    ['javascript', 'JavaScript'],
  ]) {
    const app = await deployApp(gw, token, codeNodeDsl(`bench: ${label} code node`, language));
    await measureRuns(url, app.key, 50, 4);
    const single = await measureRuns(url, app.key, Math.min(runs, 300), 1);
    rows.push({
      name: `workflow run, start → ${label} code → end, blocking, concurrency 1`,
      ...single,
      notes: `sandbox overhead per code node: ${(single.p50 - reference.p50).toFixed(1)} ms (p50 against the 3-node run, ${reference.p50.toFixed(1)} ms)`,
    });
    rows.push({
      name: `workflow run, start → ${label} code → end, blocking, concurrency 8`,
      ...(await measureRuns(url, app.key, runs, 8)),
    });
  }
}

/**
 * Chat: a chatflow turn (conversation and message stored, run, answer) and the history page of a
 * conversation with 10 messages against one with 10,000, to show paging does not slow with depth.
 */
async function chatBenchmarks(gw) {
  const token = await loginOrRegister(gw, localAccount());
  const app = await deployApp(gw, token, echoChatflowDsl('bench: echo chatflow'));
  const turn = async (conversationId, user = 'bench-chat') => {
    const res = await call(gw, 'POST', '/v1/chat-messages', {
      token: app.key,
      body: { inputs: {}, query: 'hello', response_mode: 'blocking', user, conversation_id: conversationId },
    });
    if (res.status !== 200) throw new Error(`chat turn failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.conversation_id;
  };
  const turns = Math.max(200, DURATION * 100);
  for (const c of [1, 8])
    rows.push({
      name: `chatflow turn (new conversation, start → answer), blocking, concurrency ${c}`,
      ...(await measureOps(turns, c, () => turn(undefined))),
    });
  const ongoing = await turn(undefined);
  rows.push({
    name: 'chatflow turn (continuing one conversation), blocking, concurrency 1',
    ...(await measureOps(turns, 1, () => turn(ongoing))),
  });

  const pool = new pg.Pool({ connectionString: urls.DATABASE_URL, max: 2 });
  const page = async (conversationId, firstId, label) => {
    const path = `/v1/messages?conversation_id=${conversationId}&user=bench-pages&limit=20${firstId ? `&first_id=${firstId}` : ''}`;
    rows.push({
      name: `GET /v1/messages, 20 per page, ${label}`,
      ...(await measureOps(500, 1, async () => {
        const res = await call(gw, 'GET', path, { token: app.key });
        if (res.status !== 200 || res.body.data.length === 0)
          throw new Error(`page failed: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      })),
    });
  };
  for (const size of [10, 10_000]) {
    const conversationId = await turn(undefined, 'bench-pages');
    await pool.query(
      `INSERT INTO orchestrator.messages (id, workspace_id, app_id, conversation_id, end_user_id, task_id, inputs, query, answer, status, created_at)
       SELECT gen_random_uuid(), m.workspace_id, m.app_id, m.conversation_id, m.end_user_id, gen_random_uuid(), '{}', 'q' || g, 'a' || g, 'normal', m.created_at + g * interval '1 millisecond'
       FROM orchestrator.messages m, generate_series(1, $2::int) g WHERE m.conversation_id = $1`,
      [conversationId, size - 1],
    );
    await pool.query('ANALYZE orchestrator.messages');
    await page(conversationId, null, `latest page of a conversation of ${size.toLocaleString('en')} messages`);
    if (size > 20) {
      const middle = await pool.query(`SELECT id FROM orchestrator.messages WHERE conversation_id = $1 AND query = $2`, [
        conversationId,
        `q${size / 2}`,
      ]);
      await page(conversationId, middle.rows[0].id, `page ${(size / 2).toLocaleString('en')} messages back in the same conversation`);
    }
  }
  await pool.end();
}

/** A local OTLP/HTTP sink: accepts every POST /v1/traces (any encoding) and discards it, counting what arrived. */
async function stopStack(stack) {
  await Promise.all(
    stack.map(({ child }) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')),
    ),
  );
}

/**
 * The 3-node run with tracing off, then on (OTLP/protobuf to a local sink that discards, as a Collector
 * would receive it) sampling 100% and 10% of new traces: each on a freshly started stack, so the rows
 * differ only in the setting. The settings take turns over TRACING_ROUNDS rounds (in a rotated order each
 * round, so drift of the machine or the database spreads over all of them) and each row is the median round:
 * one round's differences are within this machine's noise. Returns the stack left running.
 */
async function tracingBenchmarks(stack, gw) {
  const sink = await startOtlpSink();
  const token = await loginOrRegister(gw, localAccount());
  const three = await deployApp(gw, token, templateChainDsl('bench: start, template, end (tracing)', 1));
  const url = `${gw}/v1/workflows/run`;
  const runs = Math.max(200, DURATION * 300);
  const settings = [
    { label: 'tracing off', env: { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' } },
    { label: 'tracing on, sampling 100%', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER_ARG: '1' } },
    { label: 'tracing on, sampling 10%', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER_ARG: '0.1' } },
  ];
  /** Per setting: the results of each round by concurrency, and what its exports weighed. */
  const measured = new Map(settings.map(({ label }) => [label, { 1: [], 8: [], exports: 0, bytes: 0 }]));
  try {
    for (let round = 0; round < TRACING_ROUNDS; round++) {
      for (let i = 0; i < settings.length; i++) {
        const { label, env } = settings[(i + round) % settings.length];
        await stopStack(stack);
        const profile = CPU_PROFILE_DIR
          ? ['--cpu-prof', `--cpu-prof-dir=${join(CPU_PROFILE_DIR, label.replace(/[^a-z0-9]+/gi, '-'))}`]
          : [];
        stack = startStack({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', ...env }, profile);
        const ready = await Promise.all(SERVICES.map((s) => waitReady(BENCH_PORTS[s], 60_000)));
        if (ready.includes(false)) fail(`not ready with ${label}: ${SERVICES.filter((_, j) => !ready[j]).join(', ')}`);
        const before = { ...sink.received };
        await measureRuns(url, three.key, 300, 8);
        const m = measured.get(label);
        const pids = stack.map(({ child }) => child.pid);
        for (const c of [1, 8]) {
          const count = c === 1 ? Math.min(runs, 1000) : runs;
          const cpuBefore = cpuSeconds(pids);
          const result = await measureRuns(url, three.key, count, c);
          m[c].push({ ...result, cpuMsPerRun: ((cpuSeconds(pids) - cpuBefore) * 1000) / count });
        }
        // Spans still queued leave at shutdown, so the sink has them all before the next setting starts.
        await stopStack(stack);
        m.exports += sink.received.requests - before.requests;
        m.bytes += sink.received.bytes - before.bytes;
      }
    }
  } finally {
    await new Promise((resolve) => sink.server.close(resolve));
  }
  const median = (results) => [...results].sort((a, b) => a.opsPerSecond - b.opsPerSecond)[Math.floor(results.length / 2)];
  const off = measured.get('tracing off');
  for (const { label } of settings) {
    const m = measured.get(label);
    for (const c of [1, 8]) {
      const result = median(m[c]);
      const change = ((result.opsPerSecond - median(off[c]).opsPerSecond) / median(off[c]).opsPerSecond) * 100;
      const cpu = median(m[c].map((r) => ({ opsPerSecond: r.cpuMsPerRun }))).opsPerSecond;
      const cpuOff = median(off[c].map((r) => ({ opsPerSecond: r.cpuMsPerRun }))).opsPerSecond;
      const cpuChange = ((cpu - cpuOff) / cpuOff) * 100;
      const notes = [
        `median of ${m[c].length} rounds (ops/s ${m[c].map((r) => r.opsPerSecond.toFixed(0)).join(', ')})`,
        label === 'tracing off' ? '' : `throughput ${change >= 0 ? '+' : ''}${change.toFixed(1)}% against off`,
        `services' CPU ${cpu.toFixed(2)} ms per run${label === 'tracing off' ? '' : ` (${cpuChange >= 0 ? '+' : ''}${cpuChange.toFixed(1)}%)`}`,
        c === 8 ? `${m.exports} OTLP exports (${(m.bytes / 1024).toFixed(0)} KiB) in all its rounds` : '',
      ];
      rows.push({
        name: `workflow run, 3 nodes, blocking, concurrency ${c}, ${label}`,
        ...result,
        notes: notes.filter(Boolean).join('; '),
      });
    }
  }
  stack = startStack();
  const again = await Promise.all(SERVICES.map((s) => waitReady(BENCH_PORTS[s], 60_000)));
  if (again.includes(false)) fail('not ready after the tracing rows');
  return stack;
}

/**
 * CPU profiles of the services under the 3-node workflow at concurrency 32: each service runs with --cpu-prof,
 * the load runs for DURATION × 300 runs after a warm-up, the stack stops (the profiles are written at exit),
 * and only the samples taken during the load are drawn (<dir>/<service>.svg) and summarised.
 */
async function profileBenchmark(stack, gw, spawnedAt) {
  const token = await loginOrRegister(gw, localAccount());
  const three = await deployApp(gw, token, templateChainDsl('bench: start, template, end (profile)', 1));
  const url = `${gw}/v1/workflows/run`;
  await measureRuns(url, three.key, 300, 8);
  const from = Date.now() - spawnedAt;
  const result = await measureRuns(url, three.key, Math.max(600, DURATION * 300), 32);
  const to = Date.now() - spawnedAt;
  rows.push({ name: 'workflow run, 3 nodes, blocking, concurrency 32, every service under --cpu-prof', ...result });
  const pids = new Map(stack.map(({ service, child }) => [child.pid, service]));
  await stopStack(stack);
  printTable(rows);
  for (const file of readdirSync(CPU_PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile'))) {
    const service = pids.get(Number(file.split('.')[3]));
    if (!service || file.split('.')[4] !== '0') continue; // the main thread's profile; workers write their own
    const tree = callTree(JSON.parse(readFileSync(join(CPU_PROFILE_DIR, file), 'utf8')), from, to);
    writeFileSync(join(CPU_PROFILE_DIR, `${service}.svg`), flameGraphSvg(tree, `${service}: 3-node workflow, concurrency 32 (${file})`));
    const { busyMs, owners } = summary(tree);
    process.stdout.write(
      `${service} (${file}, load from ${from} to ${to} ms): busy ${busyMs.toFixed(0)} ms during the load; ${owners.map((o) => `${o.owner} ${(o.share * 100).toFixed(1)}%`).join(', ')}\n`,
    );
  }
}

/** Steady load for SOAK_MINUTES, sampling each service's resident memory, to show whether it grows. */
async function soak(url, key, pids) {
  const { readFileSync } = await import('node:fs');
  const rss = () => pids.map((pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);
  const samples = [];
  const end = Date.now() + SOAK_MINUTES * 60_000;
  say(`Soak: ${SOAK_MINUTES} minutes of runs at concurrency 8, memory sampled every 30 s…`);
  let runs = 0;
  const sampler = setInterval(
    () => samples.push({ minute: ((Date.now() - (end - SOAK_MINUTES * 60_000)) / 60_000).toFixed(1), rss: rss(), runs }),
    30_000,
  );
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < end) {
        await post(url, key, { inputs: { text: 'soak' }, user: 'soak', response_mode: 'blocking' });
        runs++;
      }
    }),
  );
  clearInterval(sampler);
  process.stdout.write(`\nSoak: resident memory (MB) per service over time (${runs} runs)\n`);
  process.stdout.write(`| minute | runs | ${SERVICES.join(' | ')} |\n`);
  for (const s of samples) process.stdout.write(`| ${s.minute} | ${s.runs} | ${s.rss.map((m) => m.toFixed(0)).join(' | ')} |\n`);
  if (samples.length >= 4) {
    const first = samples[1].rss;
    const last = samples.at(-1).rss;
    process.stdout.write(
      `Growth from minute ${samples[1].minute} to ${samples.at(-1).minute} (MB): ${SERVICES.map((s, i) => `${s} ${(last[i] - first[i]).toFixed(1)}`).join(', ')}\n`,
    );
  }
}

if (ONLY !== 'tracing') {
  say('Baselines…');
  await baselineNats();
  await baselinePostgres();
  await baselineHttp();
}

if (ONLY === 'profile' && !CPU_PROFILE_DIR) fail('--only=profile needs --cpu-profile=<dir>');
say('Starting the five services for measurement…');
const spawnedAt = Date.now();
let stack = startStack({}, ONLY === 'profile' ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : []);
try {
  const ready = await Promise.all(SERVICES.map((s) => waitReady(BENCH_PORTS[s], 60_000)));
  if (ready.includes(false)) fail(`not ready: ${SERVICES.filter((_, i) => !ready[i]).join(', ')}`);
  const gw = `http://127.0.0.1:${BENCH_PORTS.gateway}`;
  if (ONLY === 'profile') {
    await profileBenchmark(stack, gw, spawnedAt);
    process.exit(0);
  }
  if (ONLY === 'tracing') {
    stack = await tracingBenchmarks(stack, gw);
    for (const row of rows) if (row.failures) row.notes = `${row.failures} failed`;
    printTable(rows);
    process.stdout.write('Target: tracing off costs nothing measurable; 10% sampling costs under 5% throughput.\n');
    await stopStack(stack);
    process.exit(0);
  }
  rows.push({
    name: 'gateway GET /health (Nest HTTP stack), 16 connections',
    ...(await measureHttp(`${gw}/health`, { connections: 16, durationSeconds: DURATION })),
  });
  rows.push({
    name: 'gateway GET /v1/system/status (NATS broadcast to 5 services), 8 connections',
    ...(await measureHttp(`${gw}/v1/system/status`, { connections: 8, durationSeconds: DURATION })),
  });
  if (ONLY !== 'code')
    await workflowBenchmarks(
      gw,
      stack.map((s) => s.child.pid),
    );
  await codeBenchmarks(gw);
  if (ONLY !== 'code') {
    await chatBenchmarks(gw);
    await auditBenchmark();
    rows.push(await archiveBenchmark(urls.DATABASE_URL));
    stack = await tracingBenchmarks(stack, gw);
  }
  const rss = await peakRss(stack.map((s) => s.child.pid));
  for (const row of rows) if (row.failures) row.notes = `${row.failures} failed`;
  printTable(rows);
  process.stdout.write(`\nPeak resident memory per service (MB): ${SERVICES.map((s, i) => `${s} ${rss[i].toFixed(0)}`).join(', ')}\n`);
  process.stdout.write(
    'Targets on a 2-core machine: 3-node runs at least 300/s with p50 at most 5 ms; under 1 ms per extra node; under 250 MB per service.\n',
  );
  process.stdout.write(
    'Code nodes: sandbox overhead p50 at most 40 ms (Python) and 10 ms (JavaScript); at least 40 Python code runs/s at concurrency 8.\n',
  );
  process.stdout.write('Tracing: off costs nothing measurable; 10% sampling costs under 5% throughput.\n');
} finally {
  for (const { child } of stack) child.kill('SIGTERM');
}
