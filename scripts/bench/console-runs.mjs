// The console's run list (GET /console/api/apps/{app_id}/workflow-runs) with 1,000,000 runs of one app in the
// table (and 200,000 of other apps and another workspace): p50/p95 of the first page, a deep page and each filter,
// through the real gateway and orchestrator. Target: p95 under 100 ms.
//
//   npm run -s build && DATABASE_URL=postgres://weft:weft@127.0.0.1:5432/bench_console node scripts/bench/console-runs.mjs
//
// The database named in DATABASE_URL is created when missing and should be a fresh one (the runs are bulk-inserted
// once, with generate_series; a second run of the script finds them and inserts nothing). Redis and NATS come from
// scripts/infra/infra.sh like `npm run bench`'s; options: --runs=<n> (default 1000000), --samples=<n> per row (200).
import { spawn } from 'node:child_process';
import pg from 'pg';
import { measureOps, printTable } from './measure.mjs';
import { call, deployApp, loginOrRegister, templateChainDsl } from '../lib/gateway-client.mjs';
import { ensureInfrastructure, fail, PORT_VARIABLES, ROOT, say, serviceArgs, SERVICES, waitReady } from '../lib/workspace.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const RUNS = arg('runs', 1_000_000);
const OTHER_RUNS = Math.round(RUNS / 5);
const SAMPLES = arg('samples', 200);
const PORTS = { gateway: 15101, orchestrator: 15102, 'node-runner': 15103, rag: 15104, compliance: 15105 };
const SESSIONS = 5000;

// infra.sh is asked without the benchmark's DATABASE_URL, so the URLs it records for the tests stay the usual ones.
const given = process.env.DATABASE_URL;
delete process.env.DATABASE_URL;
const urls = ensureInfrastructure();
if (given) urls.DATABASE_URL = given;

/** Creates the benchmark's database when it does not exist yet. */
async function ensureDatabase(url) {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount === 0) {
    say(`Creating database "${name}"…`);
    await client.query(`CREATE DATABASE "${name}"`);
  }
  await client.end();
}

function startStack() {
  const env = {
    ...process.env,
    ...urls,
    LOG_LEVEL: 'warn',
    NATS_SUBJECT_PREFIX: `benchconsole${Date.now()}`,
    // The limiter stays on (its Redis call is part of what is measured) with limits the load never reaches.
    CONSOLE_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '1000000',
    CONSOLE_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '1000000000',
    RATE_LIMIT_PER_MINUTE: '1000000000',
  };
  for (const s of SERVICES) env[PORT_VARIABLES[s][0]] = String(PORTS[s]);
  return SERVICES.map((s) => spawn(process.execPath, serviceArgs(s), { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] }));
}

/**
 * The runs, in one statement per kind: spread over the last 58 days (newer than the archive job's 90), 90% succeeded,
 * 7% failed, 2% stopped, 1% partial-succeeded; 5,000 end users; inputs naming a colour, one run in 10,000 a zebra.
 */
async function insertRuns(pool, workspaceId, appId, workflowId, count, offset) {
  const id = (prefix, expr) => `('${prefix}-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
  await pool.query(
    `INSERT INTO orchestrator.workflow_runs (id, workspace_id, app_id, workflow_id, task_id, version, triggered_from, created_from, inputs, files,
       status, outputs, error, elapsed_time, total_tokens, total_steps, exceptions_count, created_by_role, created_by_end_user_id,
       created_by_end_user_session_id, created_at, finished_at)
     SELECT ${id('b0000000-0000-4000-8000', 'i')}, $1, $2, $3, ${id('b1000000-0000-4000-8000', 'i')}, 'v1', 'app-run', 'service-api',
       jsonb_build_object('text', 'message ' || i || ' about the ' || (ARRAY['red','green','blue','amber','violet','teal','olive','coral'])[1 + i % 8]
         || CASE WHEN i % 10000 = 7 THEN ' zebra' ELSE '' END),
       '[]',
       CASE WHEN i % 100 < 90 THEN 'succeeded' WHEN i % 100 < 97 THEN 'failed' WHEN i % 100 < 99 THEN 'stopped' ELSE 'partial-succeeded' END,
       '{"text": "done"}', CASE WHEN i % 100 BETWEEN 90 AND 96 THEN 'node failed' END, 0.05, 120, 3, 0, 'end_user',
       ${id('b2000000-0000-4000-8000', `i % ${SESSIONS}`)}::text, 'user-' || (i % ${SESSIONS}),
       now() - (i * interval '5 seconds'), now() - (i * interval '5 seconds') + interval '50 milliseconds'
     FROM generate_series($4::int, $5::int) AS i`,
    [workspaceId, appId, workflowId, offset + 1, offset + count],
  );
}

async function seed(base, token, appId) {
  const pool = new pg.Pool({ connectionString: urls.DATABASE_URL, max: 2 });
  try {
    const [app] = (await pool.query('SELECT workspace_id, workflow_id FROM orchestrator.workflow_runs WHERE app_id = $1 LIMIT 1', [appId]))
      .rows;
    if (!app) fail('the real run of the benchmark app is not stored');
    const existing = Number((await pool.query('SELECT count(*) FROM orchestrator.workflow_runs WHERE app_id = $1', [appId])).rows[0].count);
    if (existing < RUNS) {
      say(`Inserting ${RUNS} runs of the measured app and ${OTHER_RUNS} of other apps…`);
      const started = Date.now();
      const step = 250_000;
      for (let done = 0; done < RUNS; done += step)
        await insertRuns(pool, app.workspace_id, appId, app.workflow_id, Math.min(step, RUNS - done), done);
      const otherApp = '00000000-0000-4000-8000-0000000000a2';
      const otherWorkspace = '00000000-0000-4000-8000-0000000000b2';
      await insertRuns(pool, app.workspace_id, otherApp, app.workflow_id, OTHER_RUNS / 2, RUNS);
      await insertRuns(pool, otherWorkspace, appId, app.workflow_id, OTHER_RUNS / 2, RUNS + OTHER_RUNS / 2);
      await pool.query('VACUUM ANALYZE orchestrator.workflow_runs');
      say(`Inserted in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    }
    const deep = (
      await pool.query(
        `SELECT id FROM orchestrator.workflow_runs WHERE workspace_id = $1 AND app_id = $2 ORDER BY created_at DESC, id DESC OFFSET $3 LIMIT 1`,
        [app.workspace_id, appId, Math.floor(RUNS * 0.9)],
      )
    ).rows[0].id;
    const day = (await pool.query(`SELECT extract(epoch FROM now() - interval '30 days')::bigint AS t`)).rows[0].t;
    return { deep, from: Number(day), sessionUserId: `b2000000-0000-4000-8000-${(42).toString(16).padStart(12, '0')}` };
  } finally {
    await pool.end();
  }
}

await ensureDatabase(urls.DATABASE_URL);
say('Starting the five services…');
const children = startStack();
const rows = [];
try {
  const ready = await Promise.all(SERVICES.map((s) => waitReady(PORTS[s], 120_000)));
  if (ready.includes(false)) fail(`not ready: ${SERVICES.filter((_, i) => !ready[i]).join(', ')}`);
  const base = `http://127.0.0.1:${PORTS.gateway}`;
  const token = await loginOrRegister(base, { email: 'bench-console@weft.invalid', name: 'Bench', password: 'Bench-Console-9!' });
  const apps = await call(base, 'GET', '/console/api/apps?limit=100', { token });
  let appId = apps.body.data?.find((a) => a.name === 'console runs bench')?.id;
  if (!appId) {
    const deployed = await deployApp(base, token, templateChainDsl('console runs bench', 1));
    appId = deployed.appId;
    const run = await call(base, 'POST', '/v1/workflows/run', {
      body: { inputs: { text: 'the real run' }, response_mode: 'blocking', user: 'bench' },
      token: deployed.key,
    });
    if (run.status !== 200) fail(`the real run failed: ${JSON.stringify(run.body)}`);
  }
  const { deep, from, sessionUserId } = await seed(base, token, appId);
  const list = `/console/api/apps/${appId}/workflow-runs`;
  const cases = [
    ['first page (limit 20)', ''],
    ['first page, limit 100', 'limit=100'],
    ['deep page (after the 900,000th run)', `last_id=${deep}`],
    ['status=failed (7%)', 'status=failed'],
    ['status=partial-succeeded (1%)', 'status=partial-succeeded'],
    ['status=running (none)', 'status=running'],
    ['end_user=<session id> (200 runs)', 'end_user=user-42'],
    ['end_user=<end user id> (200 runs)', `end_user=${sessionUserId}`],
    ['keyword=zebra (1 in 10,000)', 'keyword=zebra'],
    ['keyword=violet (1 in 8)', 'keyword=violet'],
    ['keyword=nothing-matches', 'keyword=nothing-matches'],
    ['one day, 30 days ago', `created_at__after=${from}&created_at__before=${from + 86_400}`],
    ['status=failed, one day', `status=failed&created_at__after=${from}&created_at__before=${from + 86_400}`],
    ['status=failed, deep page', `status=failed&last_id=${deep}`],
  ];
  for (const [name, query] of cases) {
    const path = `${list}${query ? `?${query}` : ''}`;
    const first = await call(base, 'GET', path, { token });
    if (first.status !== 200) fail(`${name}: ${first.status} ${JSON.stringify(first.body)}`);
    const result = await measureOps(SAMPLES, 1, async () => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
    });
    rows.push({ name: `GET …/workflow-runs ${name}`, ...result, notes: `${first.body.data.length} runs, has_more ${first.body.has_more}` });
  }
  printTable(rows);
  process.stdout.write(
    `\n${RUNS} runs of the measured app, ${OTHER_RUNS} of others; ${SAMPLES} sequential requests per row. Target: p95 under 100 ms.\n`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
}
