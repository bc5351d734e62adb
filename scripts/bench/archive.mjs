// The run archive job's throughput: old finished runs with their node runs moved from the live tables to the
// archive tables by the orchestrator's own batch statement (from the build), in a scratch database of its own so
// the measured stack's data is untouched.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../lib/workspace.mjs';

const RUNS = 20_000;
const NODES_PER_RUN = 10;
const BATCH = 1000;

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Archives RUNS old runs (and RUNS × NODES_PER_RUN node runs) in batches of BATCH; returns a table row. */
export async function archiveBenchmark(databaseUrl) {
  const require = createRequire(import.meta.url);
  require('reflect-metadata');
  const { DataSource } = require('typeorm');
  const { buildDataSourceOptions, runMigrationsLocked } = require(join(ROOT, 'dist', 'libs', 'persistence', 'src', 'index.js'));
  const { orchestratorDatabase } = require(join(ROOT, 'dist', 'apps', 'orchestrator', 'src', 'database.config.js'));
  const { RunArchiveRepository } = require(join(ROOT, 'dist', 'apps', 'orchestrator', 'src', 'archive', 'run-archive.repository.js'));

  const name = `weft_bench_archive_${Date.now()}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const database = {
    url: withDatabase(databaseUrl, name),
    readUrls: [],
    poolMax: 2,
    poolIdleTimeoutMs: 10_000,
    connectTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
  };
  const source = new DataSource(buildDataSourceOptions(orchestratorDatabase, database, 'weft-bench-archive'));
  try {
    await source.initialize();
    await runMigrationsLocked(source, 'orchestrator');
    const id = (prefix, expr) => `('${prefix}-0000-4000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
    const ws = '00000000-0000-4000-8000-00000000bbbb';
    await source.query(
      `INSERT INTO orchestrator.workflow_runs (id, workspace_id, app_id, workflow_id, task_id, version, triggered_from, created_from, inputs, files,
         status, outputs, created_by_role, created_at, finished_at)
       SELECT ${id('00000000', 'i')}, '${ws}', '${ws}', '${ws}', ${id('10000000', 'i')}, 'v1', 'app-run', 'service-api', '{"q": "old"}', '[]',
         'succeeded', '{"answer": "an old answer"}', 'end_user', now() - interval '400 days' + i * interval '1 minute', now() - interval '400 days' + i * interval '1 minute'
       FROM generate_series(1, ${RUNS}) AS i`,
    );
    await source.query(
      `INSERT INTO orchestrator.workflow_node_executions (id, workspace_id, app_id, workflow_id, workflow_run_id, index, node_id, node_type, title,
         inputs, outputs, status, created_at, finished_at)
       SELECT ${id('20000000', 'i')}, '${ws}', '${ws}', '${ws}', ${id('00000000', `(i - 1) / ${NODES_PER_RUN} + 1`)}, (i - 1) % ${NODES_PER_RUN} + 1,
         'node', 'template-transform', 'Template', '{"text": "some input"}', '{"output": "some output"}', 'succeeded', now() - interval '400 days', now() - interval '400 days'
       FROM generate_series(1, ${RUNS * NODES_PER_RUN}) AS i`,
    );
    await source.query('ANALYZE orchestrator.workflow_runs; ANALYZE orchestrator.workflow_node_executions');
    // The repository needs only DatabaseService.rowsIn; its statement answers rows like a SELECT.
    const repository = new RunArchiveRepository({ rowsIn: (manager, sql, params) => manager.query(sql, params) });
    const cutoff = new Date(Date.now() - 90 * 86_400_000);
    const started = process.hrtime.bigint();
    let after = RunArchiveRepository.start;
    let moved = 0;
    const batchMs = [];
    for (;;) {
      const batchStarted = process.hrtime.bigint();
      const batch = await repository.archiveBatch(source.manager, cutoff, after, BATCH);
      batchMs.push(Number(process.hrtime.bigint() - batchStarted) / 1e6);
      moved += batch.runs;
      if (!batch.next) break;
      after = batch.next;
    }
    batchMs.sort((a, b) => a - b);
    const at = (q) => batchMs[Math.min(batchMs.length - 1, Math.floor(q * batchMs.length))];
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (moved !== RUNS) throw new Error(`the archive benchmark moved ${moved} of ${RUNS} runs`);
    return {
      name: `run archive job: ${RUNS} old runs with ${RUNS * NODES_PER_RUN} node runs, batches of ${BATCH}`,
      opsPerSecond: RUNS / seconds,
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      notes: `runs/s (${Math.round((RUNS * NODES_PER_RUN) / seconds)} node runs/s); latencies are per batch, i.e. how long one transaction holds its rows`,
    };
  } finally {
    if (source.isInitialized) await source.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
