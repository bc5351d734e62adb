// Steps shared by `npm start`, `npm test` and `npm run bench`: dependencies, infrastructure, build.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SERVICES = ['gateway', 'orchestrator', 'node-runner', 'rag', 'compliance'];
export const PORT_VARIABLES = {
  gateway: ['GATEWAY_PORT', 5001],
  orchestrator: ['ORCHESTRATOR_PORT', 5002],
  'node-runner': ['NODE_RUNNER_PORT', 5003],
  rag: ['RAG_PORT', 5004],
  compliance: ['COMPLIANCE_PORT', 5005],
};

export function say(message) {
  process.stdout.write(`[weft] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`[weft] ${message}\n`);
  process.exit(1);
}

/** Runs a command in the repository, inheriting the terminal; exits the script if it fails. */
export function run(command, args, opts = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    env: opts.env ?? process.env,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    if (opts.allowFailure) return result;
    fail(`"${command} ${args.join(' ')}" failed${result.status === null ? ` (${result.signal})` : ` with exit code ${result.status}`}`);
  }
  return result;
}

/** npm dependencies, installed from the lock file when missing or older than it. */
export function ensureDependencies() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  say('Installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** Postgres (with pgvector), Redis and NATS: installed and started if missing, or the configured URLs checked. */
export function ensureInfrastructure() {
  say('Checking Postgres, Redis and NATS…');
  const result = run('bash', [join(ROOT, 'scripts', 'infra', 'infra.sh'), 'ensure'], { capture: true });
  const urls = {};
  for (const line of result.stdout.split('\n')) {
    const m = /^(DATABASE_URL|REDIS_URL|NATS_URL|NATS_CREDENTIALS_DIR)=(.+)$/.exec(line.trim());
    if (m) urls[m[1]] = m[2];
  }
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'NATS_URL']) {
    if (!urls[name]) fail(`scripts/infra/infra.sh ensure did not report ${name}`);
  }
  return urls;
}

export function stopInfrastructure() {
  run('bash', [join(ROOT, 'scripts', 'infra', 'infra.sh'), 'stop'], { allowFailure: true });
}

/** Compiles every service and lib into dist/ (incremental, a few seconds). */
export function build() {
  say('Building…');
  run('npm', ['run', '--silent', 'build']);
}

export function entryPoint(service) {
  return join(ROOT, 'dist', 'apps', service, 'src', 'main.js');
}

/** The Node.js arguments that start a service: its runtime flags (from the built config lib), then its entry point. */
export function serviceArgs(service) {
  const require = createRequire(import.meta.url);
  const { NODE_RUNTIME_FLAGS } = require(join(ROOT, 'dist', 'libs', 'config', 'src', 'runtime-flags.config.js'));
  return [...NODE_RUNTIME_FLAGS[service], entryPoint(service)];
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Polls a service's /ready until it answers 200; false on timeout or when `alive()` says it died. */
export async function waitReady(port, timeoutMs, alive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) return false;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
