// `npm start`: the whole platform on this machine. Installs what is missing, starts the infrastructure,
// migrates, starts the five services as separate processes, waits until each is ready and says where they are.
// Ctrl-C (or `npm stop`) stops the services and the infrastructure this started, and nothing else.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  build,
  ensureDependencies,
  ensureInfrastructure,
  entryPoint,
  serviceArgs,
  fail,
  PORT_VARIABLES,
  ROOT,
  run,
  say,
  SERVICES,
  stopInfrastructure,
  waitReady,
} from './lib/workspace.mjs';

const RUN_DIR = join(ROOT, '.weft', 'run');
const LOG_DIR = join(ROOT, '.weft', 'log');
const PID_FILE = join(RUN_DIR, 'start.pid');
mkdirSync(RUN_DIR, { recursive: true });
mkdirSync(LOG_DIR, { recursive: true });

try {
  const other = Number(readFileSync(PID_FILE, 'utf8'));
  if (other && other !== process.pid) {
    process.kill(other, 0);
    fail(`Weft is already running (process ${other}); stop it with "npm stop" first`);
  }
} catch {
  // No earlier start, or it is gone.
}
writeFileSync(PID_FILE, String(process.pid));

ensureDependencies();
const urls = ensureInfrastructure();
build();

const env = { ...process.env, ...urls };
say('Applying migrations…');
for (const service of SERVICES) run(process.execPath, [entryPoint(service), 'migrate'], { env });

const children = new Map();
let stopping = false;

function startService(service) {
  const log = openSync(join(LOG_DIR, `${service}.log`), 'a');
  const child = spawn(process.execPath, serviceArgs(service), { cwd: ROOT, env, stdio: ['ignore', log, log] });
  closeSync(log);
  children.set(service, child);
  child.on('exit', (code, signal) => {
    children.delete(service);
    if (!stopping) say(`Service "${service}" exited (${signal ?? `code ${code}`}); see .weft/log/${service}.log`);
  });
}

function portOf(service) {
  const [variable, fallback] = PORT_VARIABLES[service];
  return Number(process.env[variable] || fallback);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  say('Stopping the services…');
  const exits = [...children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  for (const child of children.values()) child.kill('SIGKILL');
  say('Stopping the infrastructure this started…');
  stopInfrastructure();
  rmSync(PID_FILE, { force: true });
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

say('Starting the services…');
for (const service of SERVICES) startService(service);
const ready = await Promise.all(SERVICES.map((s) => waitReady(portOf(s), 120_000, () => children.has(s))));
const notReady = SERVICES.filter((_, i) => !ready[i]);
if (notReady.length > 0) {
  say(`Not ready: ${notReady.join(', ')}. Last lines of their logs:`);
  for (const s of notReady) {
    const text = (() => {
      try {
        return readFileSync(join(LOG_DIR, `${s}.log`), 'utf8');
      } catch {
        return '';
      }
    })();
    process.stdout.write(`--- ${s} ---\n${text.split('\n').slice(-15).join('\n')}\n`);
  }
  await shutdown(1);
}

const gateway = `http://127.0.0.1:${portOf('gateway')}`;
say('Weft is running.');
say(`  Gateway (public API): ${gateway}   e.g. curl ${gateway}/v1/system/status`);
say(`  Web console: ${gateway}/console`);
for (const s of SERVICES) say(`  ${s.padEnd(13)} http://127.0.0.1:${portOf(s)}  (/health, /ready, /metrics)`);
say(`  Postgres ${urls.DATABASE_URL.replace(/:[^:@/]+@/, ':******@')}   Redis ${urls.REDIS_URL}   NATS ${urls.NATS_URL}`);
try {
  // Imported only now: it needs npm packages that a fresh clone has only after ensureDependencies().
  const { seedDemo } = await import('./demo/seed.mjs');
  const demo = await seedDemo(gateway);
  say(`  Demo app "Weft demo" (model: ${demo.model}); console login ${demo.email} / ${demo.password} (kept in .weft/demo.json)`);
  say('  Run it:');
  say(`    curl -s -X POST ${gateway}/v1/workflows/run -H 'Authorization: Bearer ${demo.key}' -H 'Content-Type: application/json' \\`);
  say(`      -d '{"inputs": {"question": "What is Weft?"}, "response_mode": "blocking", "user": "newcomer"}'`);
} catch (error) {
  say(`  The demo app could not be seeded: ${error.message}`);
}
say('  Logs in .weft/log/. Press Ctrl-C here, or run "npm stop" in another shell, to stop everything.');
