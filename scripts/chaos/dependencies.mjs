// The chaos test's own nats-server, Redis and Postgres (`--dependencies`): started from the same binaries
// scripts/infra/infra.sh uses, on their own ports, with their data under a temporary directory, so stopping
// them never touches the shared instances in .weft. Each can be stopped and started again on the same data.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../lib/workspace.mjs';

const PG_BIN = '/usr/lib/postgresql/15/bin';
export const DEPENDENCY_PORTS = { postgres: 16432, redis: 16379, nats: 16422, natsMonitor: 16822 };

/** As infra.sh's find_bin: Debian puts nats-server in /usr/sbin, which PATH may lack. */
function findBin(name) {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin'];
  for (const d of dirs) if (d && existsSync(join(d, name))) return join(d, name);
  throw new Error(`${name} not found (scripts/infra/infra.sh ensure installs it)`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

/** Postgres refuses to run as root: as root it runs as the `postgres` OS user, as infra.sh does. */
const asRoot = process.getuid?.() === 0;
function pgCommand(args, options = {}) {
  const [cmd, rest] = asRoot ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)];
  try {
    return execFileSync(cmd, rest, { cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (error) {
    throw new Error(`${args.join(' ')} failed: ${String(error.stderr ?? error.message).trim()}`);
  }
}

export class Dependencies {
  constructor(dir) {
    this.dir = dir;
    this.pgData = join(dir, 'pg');
    this.pgSock = join(dir, 'pgsock');
    this.pgLogDir = join(dir, 'pglog');
    this.pgLog = join(this.pgLogDir, 'postgres.log');
    this.redisDir = join(dir, 'redis');
    this.natsDir = join(dir, 'nats');
    this.natsAuth = join(dir, 'nats-auth');
    this.children = {};
  }

  get env() {
    return {
      DATABASE_URL: `postgres://weft:weft@127.0.0.1:${DEPENDENCY_PORTS.postgres}/weft`,
      REDIS_URL: `redis://127.0.0.1:${DEPENDENCY_PORTS.redis}`,
      NATS_URL: `nats://127.0.0.1:${DEPENDENCY_PORTS.nats}`,
      NATS_CREDENTIALS_DIR: this.natsAuth,
    };
  }

  async setUp() {
    for (const [name, port] of Object.entries(DEPENDENCY_PORTS))
      if (await portOpen(port)) throw new Error(`port ${port} (chaos ${name}) is taken: is another chaos run going?`);
    // Postgres: a fresh cluster, the weft role and pgvector in template1 (as infra.sh provisions the shared one).
    for (const d of [this.pgData, this.pgSock, this.pgLogDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
    if (asRoot) {
      execFileSync('chmod', ['o+x', this.dir]);
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      for (const d of [this.pgData, this.pgSock, this.pgLogDir]) chownSync(d, uid, gid);
    }
    pgCommand([
      `${PG_BIN}/initdb`,
      '-D',
      this.pgData,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-locale',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
    ]);
    writeFileSync(
      join(this.pgData, 'postgresql.conf'),
      `${readFileSync(join(this.pgData, 'postgresql.conf'), 'utf8')}
listen_addresses = '127.0.0.1'
port = ${DEPENDENCY_PORTS.postgres}
unix_socket_directories = '${this.pgSock}'
max_connections = 200
shared_buffers = 128MB
fsync = on
synchronous_commit = on
`,
    );
    await this.start('postgres');
    const psql = (db, sql) =>
      pgCommand([
        `${PG_BIN}/psql`,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        this.pgSock,
        '-p',
        String(DEPENDENCY_PORTS.postgres),
        '-U',
        'postgres',
        '-d',
        db,
        '-c',
        sql,
      ]);
    psql('template1', `CREATE ROLE weft LOGIN CREATEDB PASSWORD 'weft'; CREATE EXTENSION IF NOT EXISTS vector;`);
    psql('template1', 'CREATE DATABASE weft OWNER weft');
    // NATS: its own NKey users and authorization block, from the script infra.sh uses.
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'infra', 'nats-auth.mjs'), '--out', this.natsAuth, '--any-prefix'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    mkdirSync(this.redisDir, { recursive: true });
    mkdirSync(this.natsDir, { recursive: true });
    await Promise.all([this.start('redis'), this.start('nats')]);
  }

  /** Starts one dependency (on the data it had) and waits until it answers. */
  async start(name) {
    if (name === 'postgres') {
      pgCommand([`${PG_BIN}/pg_ctl`, '-D', this.pgData, '-l', this.pgLog, '-w', '-t', '60', 'start']);
      await waitFor('postgres', async () => {
        try {
          pgCommand([`${PG_BIN}/pg_isready`, '-q', '-h', '127.0.0.1', '-p', String(DEPENDENCY_PORTS.postgres), '-t', '2']);
          return true;
        } catch {
          return false;
        }
      });
      return;
    }
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    const [bin, args] =
      name === 'redis'
        ? [
            findBin('redis-server'),
            ['--bind', '127.0.0.1', '--port', String(DEPENDENCY_PORTS.redis), '--dir', this.redisDir, '--appendonly', 'yes', '--save', ''],
          ]
        : [
            findBin('nats-server'),
            [
              '-c',
              join(this.natsAuth, 'auth.conf'),
              '-a',
              '127.0.0.1',
              '-p',
              String(DEPENDENCY_PORTS.nats),
              '-m',
              String(DEPENDENCY_PORTS.natsMonitor),
              '-js',
              '-sd',
              this.natsDir,
            ],
          ];
    const child = spawn(bin, args, { stdio: ['ignore', log, log] });
    closeSync(log);
    child.exited = new Promise((resolve) => child.once('exit', resolve));
    this.children[name] = child;
    const healthy =
      name === 'redis'
        ? () => portOpen(DEPENDENCY_PORTS.redis)
        : async () => {
            try {
              return (await fetch(`http://127.0.0.1:${DEPENDENCY_PORTS.natsMonitor}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
            } catch {
              return false;
            }
          };
    await waitFor(name, async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited at start; see ${join(this.dir, `${name}.log`)}`);
      return healthy();
    });
  }

  /** Stops one dependency: Postgres with a fast shutdown (open sessions are cut), the others with SIGTERM. */
  async stop(name) {
    if (name === 'postgres') {
      try {
        pgCommand([`${PG_BIN}/pg_ctl`, '-D', this.pgData, '-m', 'fast', '-w', '-t', '60', 'stop']);
      } catch {
        // Not running.
      }
      return;
    }
    const child = this.children[name];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await child.exited;
    clearTimeout(late);
  }

  async tearDown() {
    await Promise.all(['nats', 'redis', 'postgres'].map((name) => this.stop(name)));
    rmSync(this.pgData, { recursive: true, force: true });
    rmSync(this.natsDir, { recursive: true, force: true });
    rmSync(this.redisDir, { recursive: true, force: true });
    rmSync(this.natsAuth, { recursive: true, force: true });
  }
}
