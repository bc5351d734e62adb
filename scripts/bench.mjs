// `npm run bench`: starts the platform on this machine and measures it, printing in the same run the
// baselines each number should be read against (raw NATS round trip, raw Postgres insert, raw HTTP
// server). Speed is measured here, never by timed assertions in tests.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import pg from 'pg';
import { connect, JSONCodec } from 'nats';
import { measureHttp, measureOps, printTable } from './bench/measure.mjs';
import { build, ensureDependencies, ensureInfrastructure, entryPoint, fail, PORT_VARIABLES, ROOT, say, SERVICES, waitReady } from './lib/workspace.mjs';

const DURATION = Number(process.argv.find((a) => a.startsWith('--duration='))?.split('=')[1] ?? 5);
const BENCH_PORTS = { gateway: 15001, orchestrator: 15002, 'node-runner': 15003, rag: 15004, compliance: 15005 };

ensureDependencies();
const urls = ensureInfrastructure();
build();

const rows = [];

async function baselineNats() {
  const nc = await connect({ servers: urls.NATS_URL });
  const codec = JSONCodec();
  nc.subscribe('bench.echo', { callback: (_err, msg) => msg.respond(msg.data) });
  const payload = codec.encode({ hello: 'world', n: 1 });
  await nc.request('bench.echo', payload);
  for (const c of [1, 16]) {
    rows.push({ name: `baseline: raw NATS request/reply, concurrency ${c}`, ...(await measureOps(c === 1 ? 3000 : 20000, c, () => nc.request('bench.echo', payload, { timeout: 2000 }))) });
  }
  await nc.close();
}

async function baselinePostgres() {
  const pool = new pg.Pool({ connectionString: urls.DATABASE_URL, max: 8 });
  await pool.query('CREATE TEMP TABLE IF NOT EXISTS bench_rows (id bigserial primary key, body jsonb)');
  await pool.query('CREATE TABLE IF NOT EXISTS public.weft_bench_rows (id bigserial primary key, body jsonb, created_at timestamptz default now())');
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
  rows.push({ name: 'baseline: raw Node HTTP server, 16 connections', ...(await measureHttp(`http://127.0.0.1:${port}/`, { connections: 16, durationSeconds: DURATION })) });
  await new Promise((resolve) => server.close(resolve));
}

function startStack() {
  const env = { ...process.env, ...urls, LOG_LEVEL: 'warn', NATS_SUBJECT_PREFIX: `bench${Date.now()}` };
  for (const s of SERVICES) env[PORT_VARIABLES[s][0]] = String(BENCH_PORTS[s]);
  return SERVICES.map((s) => ({ service: s, child: spawn(process.execPath, [entryPoint(s)], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }) }));
}

async function peakRss(pids) {
  const { readFileSync } = await import('node:fs');
  return pids.map((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
    } catch {
      return NaN;
    }
  });
}

say('Baselines…');
await baselineNats();
await baselinePostgres();
await baselineHttp();

say('Starting the five services for measurement…');
const stack = startStack();
try {
  const ready = await Promise.all(SERVICES.map((s) => waitReady(BENCH_PORTS[s], 60_000)));
  if (ready.includes(false)) fail(`not ready: ${SERVICES.filter((_, i) => !ready[i]).join(', ')}`);
  const gw = `http://127.0.0.1:${BENCH_PORTS.gateway}`;
  rows.push({ name: 'gateway GET /health (Nest HTTP stack), 16 connections', ...(await measureHttp(`${gw}/health`, { connections: 16, durationSeconds: DURATION })) });
  rows.push({
    name: 'gateway GET /v1/system/status (NATS broadcast to 5 services), 8 connections',
    ...(await measureHttp(`${gw}/v1/system/status`, { connections: 8, durationSeconds: DURATION })),
  });
  const rss = await peakRss(stack.map((s) => s.child.pid));
  for (const row of rows) if (row.failures) row.notes = `${row.failures} failed`;
  printTable(rows);
  process.stdout.write(`\nPeak resident memory per service (MB): ${SERVICES.map((s, i) => `${s} ${rss[i].toFixed(0)}`).join(', ')}\n`);
  process.stdout.write('Workflow-run benchmarks arrive with the workflow engine.\n');
} finally {
  for (const { child } of stack) child.kill('SIGTERM');
}
