// The fault test itself, loaded by scripts/chaos.mjs once dependencies, infrastructure and the build are in
// place (the infrastructure URLs arrive in the environment). What it proves, and how to read its table:
// docs/operations.md, "Fault test".
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { chainAppDsl, deployApp, loginOrRegister } from '../lib/gateway-client.mjs';
import { PORT_VARIABLES, ROOT, say, serviceArgs, SERVICES, waitReady } from '../lib/workspace.mjs';
import { Dependencies } from './dependencies.mjs';

const { account, table } = createRequire(import.meta.url)('./accounting.cjs');

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const DURATION_S = arg('duration', 45);
const CLIENTS = arg('clients', 16);
const RESTART_DELAY_S = arg('restart-delay', 4);
/** --dependencies: after the service kills, nats-server, Redis and Postgres (the test's own) are each stopped
 * for DEPENDENCY_DOWN_S while the clients go on; the services must become ready again without a restart. CI
 * runs it (.ci/run); see docs/operations.md, "Fault test". */
const WITH_DEPENDENCIES = process.argv.includes('--dependencies');
const DEPENDENCY_DOWN_S = arg('dependency-down', 5);
/** How long after a dependency is back every service must be ready again. */
const DEPENDENCY_RECOVERY_MS = 60_000;
/** Short leases, so a killed orchestrator's runs are taken over within the test. */
const LEASE_MS = 5000;
/** How long a client waits for one answer: far above a run's time plus a takeover. */
const CLIENT_TIMEOUT_MS = 120_000;
const PORTS = { gateway: 16001, orchestrator: 16002, 'node-runner': 16003, rag: 16004, compliance: 16005 };
const SECOND_ORCHESTRATOR_PORT = 16006;
const SECOND_GATEWAY_PORT = 16007;
const PREFIX = `chaos${Date.now()}`;
const LOGS = mkdtempSync(join(tmpdir(), 'weft-chaos-'));
const deps = WITH_DEPENDENCIES ? new Dependencies(mkdtempSync(join(tmpdir(), 'weft-chaos-deps-'))) : null;
if (deps) {
  say(`Starting the chaos run's own Postgres, Redis and nats-server (data in ${deps.dir})…`);
  await deps.setUp().catch(async (error) => {
    await deps.tearDown();
    throw error;
  });
}

// A database of its own, empty: the services migrate it, and the chaos account is its first (it may sign itself up).
const DATABASE = `weft_chaos_${PREFIX}`;
const adminUrl = deps ? deps.env.DATABASE_URL : process.env.DATABASE_URL;
const databaseUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
})();

const baseEnv = {
  ...process.env,
  ...(deps ? deps.env : {}),
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'warn',
  NATS_SUBJECT_PREFIX: PREFIX,
  REDIS_KEY_PREFIX: `weft-chaos:${PREFIX}:`,
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
  RATE_LIMIT_PER_MINUTE: '1000000000',
  RUN_LEASE_TTL_MS: String(LEASE_MS),
};
for (const s of SERVICES) baseEnv[PORT_VARIABLES[s][0]] = String(PORTS[s]);

/** One service process that can be killed and started again on the same port. */
class Proc {
  constructor(name, service, port) {
    this.name = name;
    this.service = service;
    this.port = port;
    this.child = null;
    this.log = join(LOGS, `${name}.log`);
  }

  start() {
    const fd = openSync(this.log, 'a');
    const env = { ...baseEnv, [PORT_VARIABLES[this.service][0]]: String(this.port) };
    this.child = spawn(process.execPath, serviceArgs(this.service), { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  async ready() {
    const child = this.child;
    if (!(await waitReady(this.port, 90_000, () => child.exitCode === null && child.signalCode === null)))
      throw new Error(`${this.name} did not become ready; its log: ${this.log}\n${readFileSync(this.log, 'utf8').slice(-3000)}`);
  }

  async kill(signal = 'SIGKILL') {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const child = this.child;
    const late = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(late);
  }
}

/** JavaScript upper-cases the text, Python appends "-py": the answer proves both ran on this request's text. */
function codeSteps(textSelector) {
  const out = { result: { type: 'string', children: null } };
  return [
    {
      id: 'js',
      data: {
        type: 'code',
        code_language: 'javascript',
        code: 'function main({ text }) { return { result: text.toUpperCase() }; }',
        outputs: out,
        variables: [{ variable: 'text', value_selector: textSelector }],
      },
    },
    {
      id: 'py',
      data: {
        type: 'code',
        code_language: 'python3',
        code: 'def main(text: str) -> dict:\n    return {"result": text + "-py"}\n',
        outputs: out,
        variables: [{ variable: 'text', value_selector: ['js', 'result'] }],
      },
    },
  ];
}

const workflowDsl = chainAppDsl({
  description: 'Fault test',
  mode: 'workflow',
  name: `chaos workflow ${PREFIX}`,
  startVariables: [{ variable: 'text', label: 'Text', type: 'text-input', required: true, max_length: 200, options: [] }],
  steps: [
    ...codeSteps(['start', 'text']),
    { id: 'end', data: { type: 'end', outputs: [{ variable: 'result', value_selector: ['py', 'result'], value_type: 'string' }] } },
  ],
});
const chatflowDsl = chainAppDsl({
  description: 'Fault test',
  mode: 'advanced-chat',
  name: `chaos chatflow ${PREFIX}`,
  startVariables: [],
  steps: [...codeSteps(['sys', 'query']), { id: 'answer', data: { type: 'answer', answer: '{{#py.result#}}', variables: [] } }],
});

/** The `data:` events of a server-sent event stream. */
function sseEvents(text) {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => {
      try {
        return JSON.parse(line.slice(6));
      } catch {
        return { event: 'unparseable', raw: line };
      }
    });
}

/** A refused connection: nothing was sent, so a load balancer would try the next gateway. */
const refusedConnection = (error) => error?.cause?.code === 'ECONNREFUSED' || error?.code === 'ECONNREFUSED';

/**
 * Sends one request and judges the answer: ok (the expected text), wrong, or error (with its status). `gateways`
 * ({ name, url }, the client's own first) stand for a load balancer: a gateway that refuses the connection (it is
 * down) is skipped; one that dies with the request in flight breaks it (`status: 'connection'`, `via` its name).
 */
async function send(gateways, app, kind, streaming, user, text) {
  const expected = `${text.toUpperCase()}-py`;
  const body =
    kind === 'workflow'
      ? { inputs: { text }, response_mode: streaming ? 'streaming' : 'blocking', user }
      : { inputs: {}, query: text, response_mode: streaming ? 'streaming' : 'blocking', user, conversation_id: '' };
  const path = kind === 'workflow' ? '/v1/workflows/run' : '/v1/chat-messages';
  let res;
  let raw;
  let via;
  for (const [index, gateway] of gateways.entries()) {
    via = gateway.name;
    try {
      res = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      });
      raw = await res.text();
      break;
    } catch (error) {
      if (refusedConnection(error) && index < gateways.length - 1) continue;
      return {
        user,
        via,
        outcome: 'error',
        status: error.name === 'TimeoutError' ? 'client-timeout' : 'connection',
        detail: error.message,
      };
    }
  }
  if (res.status !== 200) return { user, via, outcome: 'error', status: res.status, detail: raw.slice(0, 200) };
  let answer;
  if (!streaming) {
    const json = JSON.parse(raw);
    answer = kind === 'workflow' ? json.data?.outputs?.result : json.answer;
  } else {
    const events = sseEvents(raw);
    const error = events.find((e) => e.event === 'error');
    if (error) return { user, via, outcome: 'error', status: `stream ${error.status ?? error.code}`, detail: error.message };
    if (kind === 'workflow') answer = events.find((e) => e.event === 'workflow_finished')?.data?.outputs?.result;
    else {
      let text = '';
      for (const e of events) {
        if (e.event === 'message') text += e.answer ?? '';
        if (e.event === 'message_replace') text = e.answer ?? '';
      }
      if (!events.some((e) => e.event === 'message_end' || e.event === 'workflow_finished'))
        return { user, via, outcome: 'error', status: 'stream ended early', detail: raw.slice(-200) };
      answer = text;
    }
  }
  return answer === expected
    ? { user, via, outcome: 'ok' }
    : { user, via, outcome: 'wrong', detail: `expected ${expected}, got ${JSON.stringify(answer)}` };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const procs = {
    gateway1: new Proc('gateway-1', 'gateway', PORTS.gateway),
    gateway2: new Proc('gateway-2', 'gateway', SECOND_GATEWAY_PORT),
    orchestrator1: new Proc('orchestrator-1', 'orchestrator', PORTS.orchestrator),
    orchestrator2: new Proc('orchestrator-2', 'orchestrator', SECOND_ORCHESTRATOR_PORT),
    nodeRunner: new Proc('node-runner', 'node-runner', PORTS['node-runner']),
    rag: new Proc('rag', 'rag', PORTS.rag),
    compliance: new Proc('compliance', 'compliance', PORTS.compliance),
  };
  const all = Object.values(procs);
  // The admin session is closed at once: with --dependencies, Postgres restarts under it.
  const adminQuery = async (sql) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await adminQuery(`CREATE DATABASE "${DATABASE}"`);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // Dropping the database at the end ends any session still open; that is not a failure of the test.
  db.on('error', () => undefined);
  let exitCode = 1;
  try {
    say(`Chaos: ${CLIENTS} clients for ${DURATION_S} s, each kill restarted after ${RESTART_DELAY_S} s; logs in ${LOGS}`);
    for (const p of all) p.start();
    await Promise.all(all.map((p) => p.ready()));
    const gateways = [procs.gateway1, procs.gateway2].map((p) => ({ name: p.name, url: `http://127.0.0.1:${p.port}` }));
    const gw = gateways[0].url;
    const token = await loginOrRegister(gw, {
      email: `chaos@${PREFIX}.weft.local`,
      name: 'Chaos',
      password: `Chaos-${randomBytes(9).toString('base64url')}1!`,
    });
    const apps = { workflow: await deployApp(gw, token, workflowDsl), chat: await deployApp(gw, token, chatflowDsl) };

    const requests = [];
    const stopAt = Date.now() + DURATION_S * 1000;
    // With --dependencies the clients go on until the dependency restarts are over, not just DURATION_S.
    let clientsStop = WITH_DEPENDENCIES ? Infinity : stopAt;
    const clients = Array.from({ length: CLIENTS }, async (_, i) => {
      const kind = i % 2 === 0 ? 'workflow' : 'chat';
      const streaming = i % 4 >= 2;
      for (let n = 0; Date.now() < clientsStop; n++) {
        const user = `${PREFIX}-c${i}-${n}`;
        const startedAt = Date.now();
        // Clients 0-3 reach gateway-1 first, 4-7 gateway-2, and so on: both kinds and modes through each.
        const order = Math.floor(i / 4) % 2 === 0 ? gateways : [...gateways].reverse();
        const result = await send(order, apps[kind], kind, streaming, user, `hello ${i} ${n}`);
        requests.push({ ...result, startedAt, endedAt: Date.now() });
        // A gateway that is not listening, or refuses while a dependency is down, answers at once: do not spin.
        if (result.status === 'connection' || (typeof result.status === 'number' && result.status >= 500)) await sleep(250);
      }
    });

    // The faults: each target in turn is killed (no warning, no cleanup) and started again a few seconds later.
    const targets = [procs.orchestrator1, procs.gateway1, procs.nodeRunner, procs.orchestrator2, procs.compliance, procs.gateway2];
    const kills = [];
    // While a gateway is down (killed, until ready again), a request that was in flight through it breaks.
    const outages = [];
    const chaos = (async () => {
      await sleep(2000);
      for (let k = 0; Date.now() < stopAt - 2000; k++) {
        const target = targets[k % targets.length];
        const at = Date.now();
        await target.kill('SIGKILL');
        await sleep(RESTART_DELAY_S * 1000);
        target.start();
        await target.ready();
        if (target.service === 'gateway') outages.push({ name: target.name, gateway: target.name, from: at, to: Date.now() });
        kills.push(
          `${target.name} killed at +${((at - (stopAt - DURATION_S * 1000)) / 1000).toFixed(1)} s, ready ${((Date.now() - at) / 1000).toFixed(1)} s later`,
        );
        await sleep(1000);
      }
    })();

    // The dependencies, one at a time, while the clients go on: stopped for DEPENDENCY_DOWN_S, started again on
    // the same data; then every service must answer /ready 200 again, as the same process (same pid).
    const dependencyProblems = [];
    const dependencyChaos = (async () => {
      if (!deps) return;
      await chaos;
      const pids = Object.fromEntries(all.map((p) => [p.name, p.child.pid]));
      for (const name of ['nats', 'redis', 'postgres']) {
        await sleep(2000);
        const downAt = Date.now();
        await deps.stop(name);
        await sleep(DEPENDENCY_DOWN_S * 1000);
        await deps.start(name);
        const upAt = Date.now();
        const readyAfter = await Promise.all(
          all.map(async (p) => {
            const child = p.child;
            const ok = await waitReady(p.port, DEPENDENCY_RECOVERY_MS, () => child.exitCode === null && child.signalCode === null);
            return { name: p.name, ok, ms: Date.now() - upAt };
          }),
        );
        outages.push({ name, from: downAt, to: Date.now() });
        const slowest = Math.max(...readyAfter.map((r) => r.ms));
        const notReady = readyAfter.filter((r) => !r.ok).map((r) => r.name);
        kills.push(
          `${name} stopped at +${((downAt - (stopAt - DURATION_S * 1000)) / 1000).toFixed(1)} s for ${DEPENDENCY_DOWN_S} s; ` +
            (notReady.length
              ? `NOT ready again: ${notReady.join(', ')}`
              : `every service ready ${(slowest / 1000).toFixed(1)} s after it was back`),
        );
        for (const r of readyAfter)
          if (!r.ok) dependencyProblems.push(`${r.name} was not ready within ${DEPENDENCY_RECOVERY_MS / 1000} s after ${name} came back`);
      }
      for (const p of all) {
        if (p.child.pid !== pids[p.name] || p.child.exitCode !== null || p.child.signalCode !== null)
          dependencyProblems.push(
            `${p.name} did not survive the dependency restarts (pid ${pids[p.name]} → ${p.child.pid}, exit ${p.child.exitCode ?? p.child.signalCode})`,
          );
      }
      await sleep(3000);
      clientsStop = Date.now();
    })();
    await Promise.all([...clients, chaos, dependencyChaos]);
    for (const line of kills) say(line);
    const appIds = [apps.workflow.appId, apps.chat.appId];

    // Runs still going finish (taken over if their orchestrator was killed last); audit events drain from JetStream.
    const stored = async () =>
      (
        await db.query(
          `SELECT id, status, created_by_end_user_session_id AS "user" FROM orchestrator.workflow_runs WHERE app_id = ANY($1::uuid[])
           UNION ALL SELECT id, status, created_by_end_user_session_id FROM orchestrator.workflow_runs_archive WHERE app_id = ANY($1::uuid[])`,
          [appIds],
        )
      ).rows;
    const audited = async (ids) =>
      (
        await db.query(
          `SELECT DISTINCT details->>'run_id' AS id FROM compliance.audit_events WHERE action = 'run.started' AND details->>'run_id' = ANY($1::text[])`,
          [ids],
        )
      ).rows.map((r) => r.id);
    const settleBy = Date.now() + 4 * LEASE_MS + 60_000;
    let runs = await stored();
    let auditedIds = await audited(runs.map((r) => r.id));
    while (Date.now() < settleBy && (runs.some((r) => r.status === 'running') || auditedIds.length < runs.length)) {
      await sleep(1000);
      runs = await stored();
      auditedIds = await audited(runs.map((r) => r.id));
    }

    // When each failed request went out and came back, relative to the start, so a problem can be placed
    // against the kills and outages printed above.
    const t0 = stopAt - DURATION_S * 1000;
    for (const r of requests)
      if (r.outcome !== 'ok')
        r.detail = `${r.detail ?? ''} [+${((r.startedAt - t0) / 1000).toFixed(1)} s .. +${((r.endedAt - t0) / 1000).toFixed(1)} s]`;
    const result = account({ requests, runs, audited: auditedIds, outages });
    if (deps) {
      // Still the same processes once everything settled, and ready.
      for (const p of all) {
        const alive = p.child.exitCode === null && p.child.signalCode === null;
        if (!alive || !(await waitReady(p.port, 5000, () => alive)))
          dependencyProblems.push(`${p.name} is not ready at the end (exit ${p.child.exitCode ?? p.child.signalCode ?? 'none'})`);
      }
      say(`Services kept their pids across the dependency restarts: ${dependencyProblems.length === 0 ? 'yes' : 'NO'}`);
    }
    result.problems.unshift(...dependencyProblems);
    result.ok = result.problems.length === 0;
    process.stdout.write(`\n${table(result.counts)}\n\n`);
    // What a client saw while each dependency was down: one body per distinct answer.
    const seen = new Set();
    for (const r of requests) {
      if (r.outcome !== 'error') continue;
      const outage = outages.find((o) => r.startedAt <= o.to && r.endedAt >= o.from);
      const key = `${outage?.name ?? 'no outage'} ${r.status} ${String(r.detail ?? '')
        .replace(/\(correlation id [^)]*\)/g, '(…)')
        .replace(/ \[\+[^\]]*\]$/, '')
        .slice(0, 160)}`;
      if (seen.has(key) || seen.size >= 12) continue;
      seen.add(key);
      say(`answer seen: ${key}`);
    }
    for (const problem of result.problems.slice(0, 30)) say(`PROBLEM: ${problem}`);
    if (result.ok) say(`Every request accounted for: nothing lost, nothing stuck, no audit event missing.`);
    else say(`${result.problems.length} problem(s); service logs are in ${LOGS}`);
    exitCode = result.ok && result.counts.sent > 0 ? 0 : 1;
  } finally {
    await Promise.all(all.map((p) => p.kill('SIGTERM')));
    await db.end().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`).catch((error) =>
      say(`Database "${DATABASE}" was not dropped: ${error.message}`),
    );
    if (deps) await deps.tearDown();
  }
  process.exit(exitCode);
}

await main();
