// `node scripts/bench/ab-builds.mjs --a=<checkout> --b=<checkout> [--a-env=K=V,…] [--b-env=K=V,…] [--rounds=6]
// [--runs=300] [--rows='22;c8'] [--cpu-profile=<dir>]`: two builds of Weft (or one build with two settings) measured side by side, for "did this change make
// it slower?". Both stacks run at once (their own database, ports, NATS subject prefix and Redis key prefix), and
// each round measures A then B then B then A on the same rows, so the
// machine's drift (other load, CPU frequency, Postgres' state) falls on both alike: the answer is the median of the
// per-round ratios B/A, with their range, beside the services' CPU time per run (from /proc, which other load on the
// machine disturbs least). Each checkout needs `dist/` built and `node_modules`. `--cpu-profile=<dir>` writes a V8
// CPU profile of every service of the measured rounds (after the warm-up) to <dir>/A and <dir>/B, to compare with
// `node scripts/bench/profile-diff.cjs <dir>/A <dir>/B --whole`.
// The infrastructure comes from the environment (DATABASE_URL of a role that may create databases, REDIS_URL,
// NATS_URL, optional NATS_CREDENTIALS_DIR): an old build that predates NATS users needs a NATS without them.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { cpuSeconds, LIFTED_RATE_LIMITS, measureOps, startOtlpSink } from './measure.mjs';
import { deployApp, loginOrRegister, templateChainDsl } from '../lib/gateway-client.mjs';
import { fail, PORT_VARIABLES, SERVICES, waitReady } from '../lib/workspace.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ROUNDS = Number(arg('rounds', 6));
const RUNS = Number(arg('runs', 300));
if (!arg('a') || !arg('b')) fail('give the two checkouts to compare: --a=<dir> --b=<dir> (the same one twice with --a-env/--b-env)');
const BUILDS = { A: resolve(arg('a')), B: resolve(arg('b')) };
const envArg = (name) =>
  Object.fromEntries(
    (arg(name, '') || '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
const EXTRA_ENV = { A: envArg('a-env'), B: envArg('b-env') };
// `$OTLP_SINK` in a setting becomes a local OTLP receiver's URL (for tracing on against off).
const SINK = Object.values(EXTRA_ENV).some((env) => Object.values(env).includes('$OTLP_SINK')) ? await startOtlpSink() : null;
for (const env of Object.values(EXTRA_ENV)) for (const [k, v] of Object.entries(env)) if (v === '$OTLP_SINK') env[k] = SINK.url;
for (const [label, dir] of Object.entries(BUILDS)) {
  if (!existsSync(join(dir, 'dist', 'apps', 'gateway', 'src', 'main.js'))) fail(`--${label.toLowerCase()}: no build in ${dir}/dist`);
}
const PROFILE_DIR = arg('cpu-profile') ? resolve(arg('cpu-profile')) : null;
if (PROFILE_DIR) for (const label of Object.keys(BUILDS)) mkdirSync(join(PROFILE_DIR, label), { recursive: true });
const STAMP = Date.now();
const PORTS = { A: 16001, B: 17001 };

const children = [];
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
// Stopped by a signal, exit through 'exit' too, so the two stacks do not outlive the bench and hold its ports.
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

async function createDatabase(name) {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name) {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

/**
 * Deletes the JetStream streams both stacks created (named after their subject prefixes, `abA<stamp>_…` and
 * `abB<stamp>_…`), so repeated runs do not pile up streams in the NATS they are given.
 */
async function deleteStreams() {
  const { connect } = await import('nats');
  const nc = await connect({ servers: process.env.NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    const ours = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(`abA${STAMP}_`) || name.startsWith(`abB${STAMP}_`)) ours.push(name);
    for (const name of ours) await jsm.streams.delete(name);
  } finally {
    await nc.close();
  }
}

/** Starts one build's five services on its own ports, one after another; resolves once all are ready. */
async function startStack(label) {
  const dir = BUILDS[label];
  const database = `ab_${label.toLowerCase()}_${STAMP}`;
  const env = {
    ...process.env,
    DATABASE_URL: await createDatabase(database),
    LOG_LEVEL: 'warn',
    NATS_SUBJECT_PREFIX: `ab${label}${STAMP}`,
    REDIS_KEY_PREFIX: `weft-ab:${label}${STAMP}:`,
    ...LIFTED_RATE_LIMITS,
    ...EXTRA_ENV[label],
  };
  SERVICES.forEach((s, i) => (env[PORT_VARIABLES[s][0]] = String(PORTS[label] + i)));
  const flagsFile = join(dir, 'dist', 'libs', 'config', 'src', 'runtime-flags.config.js');
  const flags = existsSync(flagsFile) ? createRequire(import.meta.url)(flagsFile).NODE_RUNTIME_FLAGS : {};
  const started = [];
  // One after another: migrations run as each service starts.
  for (const [i, s] of SERVICES.entries()) {
    const profiling = PROFILE_DIR ? ['--require', join(import.meta.dirname, 'cpu-profile-preload.cjs')] : [];
    const child = spawn(process.execPath, [...(flags[s] ?? []), ...profiling, join(dir, 'dist', 'apps', s, 'src', 'main.js')], {
      cwd: dir,
      env: PROFILE_DIR ? { ...env, WEFT_CPU_PROFILE: join(PROFILE_DIR, label, `${s}.cpuprofile`) } : env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    started.push(child);
    if (!(await waitReady(PORTS[label] + i, 120_000, () => child.exitCode === null))) throw new Error(`${label} ${s} did not become ready`);
  }
  return { gateway: `http://127.0.0.1:${PORTS[label]}`, database, pids: started.map((c) => c.pid) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url, key, body, stream) {
  return new Promise((done, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () =>
          res.statusCode === 200 && text.includes(stream ? 'workflow_finished' : '"succeeded"')
            ? done()
            : reject(new Error(`${res.statusCode} ${text.slice(0, 200)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const ALL_ROWS = [
  { name: '3 nodes, blocking, c1', app: 'three', concurrency: 1, stream: false },
  { name: '22 nodes, blocking, c1', app: 'twenty', concurrency: 1, stream: false },
  { name: '3 nodes, streaming (whole stream), c1', app: 'three', concurrency: 1, stream: true },
  { name: '3 nodes, blocking, c8', app: 'three', concurrency: 8, stream: false },
];
// `--rows='22;c8'`: only the rows whose name contains one of these (more rounds of one row in the same time).
const ROW_FILTER = (arg('rows', '') || '').split(';').filter(Boolean);
const ROWS = ALL_ROWS.filter((row) => ROW_FILTER.length === 0 || ROW_FILTER.some((part) => row.name.includes(part)));
if (ROWS.length === 0) fail(`--rows=${ROW_FILTER.join(';')} matches none of: ${ALL_ROWS.map((r) => r.name).join('; ')}`);

async function measure(stack, row) {
  const body = { inputs: { text: 'hello' }, user: 'bench', response_mode: row.stream ? 'streaming' : 'blocking' };
  const runs = row.concurrency === 1 ? RUNS : RUNS * 3;
  const cpuBefore = stack.pids.map((pid) => cpuSeconds([pid]));
  const result = await measureOps(runs, row.concurrency, () =>
    post(`${stack.gateway}/v1/workflows/run`, stack.apps[row.app], body, row.stream),
  );
  const perService = stack.pids.map((pid, i) => ((cpuSeconds([pid]) - cpuBefore[i]) * 1000) / runs);
  return { ...result, cpuMsPerRun: perService.reduce((a, b) => a + b, 0), perService };
}

const stacks = {};
try {
  for (const label of ['A', 'B']) {
    stacks[label] = await startStack(label);
    const token = await loginOrRegister(stacks[label].gateway, { email: 'ab@weft.local', password: 'Ab-bench-password-1!', name: 'AB' });
    const three = await deployApp(stacks[label].gateway, token, templateChainDsl('ab: 3 nodes', 1));
    const twenty = await deployApp(stacks[label].gateway, token, templateChainDsl('ab: 22 nodes', 20));
    stacks[label].apps = { three: three.key, twenty: twenty.key };
    // Warm-up: the JIT, connection pools and caches of both stacks.
    for (const row of ROWS) await measure(stacks[label], row);
  }
  // The profiles hold the measured rounds only.
  if (PROFILE_DIR) for (const stack of Object.values(stacks)) stack.pids.forEach((pid) => process.kill(pid, 'SIGUSR2'));
  const results = ROWS.map(() => ({ A: [], B: [], ratios: [], p50: { A: [], B: [] }, cpu: { A: [], B: [] }, services: { A: [], B: [] } }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, row] of ROWS.entries()) {
      const order = round % 2 === 0 ? ['A', 'B', 'B', 'A'] : ['B', 'A', 'A', 'B'];
      const got = { A: [], B: [] };
      for (const label of order) got[label].push(await measure(stacks[label], row));
      const ops = (l) => (got[l][0].opsPerSecond + got[l][1].opsPerSecond) / 2;
      const p50 = (l) => (got[l][0].p50 + got[l][1].p50) / 2;
      const cpu = (l) => (got[l][0].cpuMsPerRun + got[l][1].cpuMsPerRun) / 2;
      const services = (l) => got[l][0].perService.map((ms, s) => (ms + got[l][1].perService[s]) / 2);
      results[i].services.A.push(services('A'));
      results[i].services.B.push(services('B'));
      results[i].cpu.A.push(cpu('A'));
      results[i].cpu.B.push(cpu('B'));
      results[i].A.push(ops('A'));
      results[i].B.push(ops('B'));
      results[i].p50.A.push(p50('A'));
      results[i].p50.B.push(p50('B'));
      results[i].ratios.push(ops('B') / ops('A'));
    }
    process.stdout.write(`round ${round + 1}/${ROUNDS} done\n`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const envText = (l) => (Object.keys(EXTRA_ENV[l]).length ? ` with ${JSON.stringify(EXTRA_ENV[l])}` : '');
  process.stdout.write(
    `\nA = ${BUILDS.A}${envText('A')}\nB = ${BUILDS.B}${envText('B')}\n${ROUNDS} rounds, each A B B A or B A A B; ${RUNS} runs per measurement at c1, ${RUNS * 3} at c8\n\n`,
  );
  process.stdout.write(
    '| row | A ops/s (median) | B ops/s (median) | A p50 ms | B p50 ms | B/A ops/s per round: median (min–max) | CPU ms/run A → B |\n|---|---|---|---|---|---|---|\n',
  );
  for (const [i, row] of ROWS.entries()) {
    const r = results[i];
    const sorted = [...r.ratios].sort((a, b) => a - b);
    process.stdout.write(
      `| ${row.name} | ${median(r.A).toFixed(1)} | ${median(r.B).toFixed(1)} | ${median(r.p50.A).toFixed(2)} | ${median(r.p50.B).toFixed(2)} | ${median(r.ratios).toFixed(3)} (${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)}) | ${median(r.cpu.A).toFixed(2)} → ${median(r.cpu.B).toFixed(2)} |\n`,
    );
  }
  process.stdout.write(
    `\nCPU ms per run by service (median of rounds), A → B\n\n| row | ${SERVICES.join(' | ')} |\n|---|${SERVICES.map(() => '---|').join('')}\n`,
  );
  for (const [i, row] of ROWS.entries()) {
    const r = results[i];
    const cell = (s) => `${median(r.services.A.map((x) => x[s])).toFixed(2)} → ${median(r.services.B.map((x) => x[s])).toFixed(2)}`;
    process.stdout.write(`| ${row.name} | ${SERVICES.map((_, s) => cell(s)).join(' | ')} |\n`);
  }
  // Every round's ratio, to pool runs made with the two settings' sides swapped (a side's own bias then cancels).
  process.stdout.write('\nPer round, B/A ops/s and B/A CPU per run\n\n');
  for (const [i, row] of ROWS.entries()) {
    const r = results[i];
    const cpuRatios = r.cpu.B.map((b, k) => (b / r.cpu.A[k]).toFixed(3));
    process.stdout.write(`- ${row.name}: ops ${r.ratios.map((x) => x.toFixed(3)).join(' ')}; CPU ${cpuRatios.join(' ')}\n`);
  }
  if (SINK) process.stdout.write(`\nOTLP exports received: ${SINK.received.requests} (${(SINK.received.bytes / 1024).toFixed(0)} KiB)\n`);
} finally {
  children.forEach((c) => c.kill('SIGTERM'));
  await new Promise((r) => setTimeout(r, 3000));
  for (const s of Object.values(stacks)) await dropDatabase(s.database).catch(() => undefined);
  await deleteStreams().catch((error) => process.stderr.write(`Could not delete this run's JetStream streams: ${error.message}\n`));
  agent.destroy();
  SINK?.server.close();
}
