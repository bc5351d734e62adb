import { execFileSync } from 'node:child_process';
import { chownSync, chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil } from '@weft/testing';

/**
 * The point-in-time recovery of docs/operations.md, rehearsed with the real PostgreSQL binaries: what
 * CloudNativePG does for `bootstrap.recovery` with a `recoveryTarget.targetTime` (restore the base backup
 * taken before the target, replay archived WAL up to it, promote), done by hand on a throw-away cluster.
 * A mistaken DELETE after the target must not be in the restored database; everything committed before it
 * must be, including rows written after the base backup (replayed from the WAL archive).
 */
const PG_BIN = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** Postgres refuses to run as root: as root, as the postgres OS user (as scripts/infra/infra.sh does). */
function pg(args: string[]): string {
  const [cmd, rest] = asRoot ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0]!, args.slice(1)];
  try {
    return execFileSync(cmd, rest, { cwd: '/', encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${args.join(' ')} failed: ${String(e.stderr ?? e.message).trim()}`);
  }
}

describe('point-in-time recovery (rehearsed on local PostgreSQL)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-pitr-'));
  const primary = join(dir, 'primary');
  const base = join(dir, 'base');
  const restored = join(dir, 'restored');
  const archive = join(dir, 'wal-archive');
  const sockets = join(dir, 'sockets');
  let primaryPort = 0;
  let restoredPort = 0;
  const running: string[] = [];

  const psql = (port: number, sql: string) =>
    pg([
      `${PG_BIN}/psql`,
      '-X',
      '-q',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      sockets,
      '-p',
      String(port),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      sql,
    ]).trim();
  const start = (data: string) => {
    pg([`${PG_BIN}/pg_ctl`, '-D', data, '-l', join(data, 'server.log'), '-w', '-t', '60', 'start']);
    running.push(data);
  };

  beforeAll(async () => {
    primaryPort = await freePort();
    restoredPort = await freePort();
    if (asRoot) chmodSync(dir, 0o755);
    for (const d of [primary, base, archive, sockets]) {
      execFileSync('mkdir', ['-p', '-m', '700', d]);
      if (asRoot)
        chownSync(d, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    }
    pg([`${PG_BIN}/initdb`, '-D', primary, '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--auth=trust']);
    // What the Cluster's continuous archiving does: every completed WAL segment copied to the archive.
    writeFileSync(
      join(primary, 'postgresql.conf'),
      `${readFileSync(join(primary, 'postgresql.conf'), 'utf8')}
listen_addresses = ''
port = ${primaryPort}
unix_socket_directories = '${sockets}'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f ${archive}/%f && cp %p ${archive}/%f'
`,
    );
    start(primary);
  }, 120_000);

  afterAll(() => {
    for (const data of running.reverse()) {
      try {
        pg([`${PG_BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
    }
    rmSync(dir, { force: true, recursive: true });
  });

  it('brings the database back to a moment before a mistaken delete, from a base backup and the WAL archive', async () => {
    psql(
      primaryPort,
      `CREATE TABLE runs (id int PRIMARY KEY, note text); INSERT INTO runs SELECT g, 'before the backup' FROM generate_series(1, 100) g`,
    );
    // The nightly base backup (ScheduledBackup), taken while the database is in use.
    pg([
      `${PG_BIN}/pg_basebackup`,
      '-h',
      sockets,
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      base,
      '-X',
      'none',
      '--checkpoint=fast',
    ]);
    psql(primaryPort, `INSERT INTO runs SELECT g, 'after the backup' FROM generate_series(101, 150) g`);
    const target = psql(primaryPort, `SELECT clock_timestamp()`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    psql(primaryPort, `DELETE FROM runs WHERE id % 2 = 0`); // the mistake
    psql(primaryPort, `INSERT INTO runs VALUES (1000, 'after the mistake')`);
    // The segment holding the mistake is completed and archived (archive_timeout does this within minutes).
    const last = psql(primaryPort, `SELECT pg_walfile_name(pg_switch_wal())`);
    await pollUntil(() => (psql(primaryPort, `SELECT last_archived_wal FROM pg_stat_archiver`) >= last ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the WAL segment to be archived',
    });
    expect(psql(primaryPort, `SELECT count(*) FROM runs`)).toBe('76');

    // The restore: never over the running cluster. The base backup, then the archive replayed up to the target.
    cpSync(base, restored, { recursive: true });
    if (asRoot) execFileSync('chown', ['-R', 'postgres:', restored]);
    writeFileSync(
      join(restored, 'postgresql.auto.conf'),
      `port = ${restoredPort}
archive_mode = off
restore_command = 'cp ${archive}/%f %p'
recovery_target_time = '${target}'
recovery_target_action = 'promote'
`,
    );
    writeFileSync(join(restored, 'recovery.signal'), '');
    if (asRoot) execFileSync('chown', ['postgres:', join(restored, 'postgresql.auto.conf'), join(restored, 'recovery.signal')]);
    start(restored);
    await pollUntil(() => (psql(restoredPort, `SELECT pg_is_in_recovery()`) === 'f' ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the restored cluster to finish recovery and promote',
    });

    // Everything committed before the target, none of what came after.
    expect(psql(restoredPort, `SELECT count(*) FROM runs`)).toBe('150');
    expect(psql(restoredPort, `SELECT count(*) FROM runs WHERE note = 'after the backup'`)).toBe('50');
    expect(psql(restoredPort, `SELECT count(*) FROM runs WHERE id = 1000`)).toBe('0');
    // It is a primary of its own now, taking writes.
    psql(restoredPort, `INSERT INTO runs VALUES (2000, 'written after the restore')`);
    expect(psql(restoredPort, `SELECT count(*) FROM runs`)).toBe('151');
    expect(readFileSync(join(restored, 'server.log'), 'utf8')).toMatch(/recovery stopping before commit of transaction/);
  }, 180_000);
});
