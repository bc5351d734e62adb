// `npm run bench:rag -- --dense`: retrieval over dense vectors shaped like a real embedding model's, with the
// settings the rag service ships (halfvec HNSW, m 24, ef_construction 128, ef_search max(150, 2 × top_k),
// iterative scan), in its own database (weft_bench_rag_dense). The lexical rows of the plain bench use the
// offline embedder, whose short sparse query vectors are out of distribution for a graph of long segments;
// deployments use dense models, so this is the shape that decides.
//
// Data (deterministic for a given --segments and --clusters): --clusters centres drawn uniformly on the
// 768-dimension sphere; cluster sizes follow a long-tailed (Zipf-like) law, as topics in a corpus do; each
// cluster has its own spread, so that a point's cosine to its centre ranges from about 0.65 to 0.92 (what
// sentence embeddings of one topic show). Queries are held-out points of the same clusters (never stored)
// with extra noise, as a question is near but not on the passages that answer it.
//
// Reports: build time and size of the index, recall@10 against an exact scan (the full-precision column, no
// index) and latency p50/p95/p99 at concurrency 1 and --concurrency (8) for the shipped ef_search, then an
// ef_search sweep (recall and p95 at concurrency 1) for what more recall would cost. Options:
// --segments=<n> (100000), --clusters=<n> (3000), --queries=<n> (200), --concurrency=<n> (8), --dimension=<n>
// (768), --m=<n> (24), --ef-construction=<n> (128), --sweep=<list> (40,100,150,200,300,400), --keep.
import pg from 'pg';
import { databaseUrl, option, prng } from './bench-util.mjs';
import { measureOps, percentile, printTable } from './measure.mjs';
import { fail, say } from '../lib/workspace.mjs';

const SEGMENTS = option('segments', 100_000);
const CLUSTERS = option('clusters', 3_000);
const QUERIES = option('queries', 200);
const CONCURRENCY = option('concurrency', 8);
const DIMENSION = option('dimension', 768);
const M = option('m', 24);
const EF_CONSTRUCTION = option('ef-construction', 128);
const TOP_K = 10;
// The rag service's search width for top 10 (HNSW_EF_SEARCH in apps/rag/src/retrieval/retrieval.service.ts).
const SHIPPED_EF_SEARCH = Math.max(150, TOP_K * 2);
const SWEEP = (process.argv.find((a) => a.startsWith('--sweep='))?.split('=')[1] ?? '40,100,150,200,300,400')
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const KEEP = process.argv.includes('--keep');
const DATABASE = 'weft_bench_rag_dense';

// ---------------------------------------------------------------------------------------------
// Generated vectors

/** A standard normal sample (Box-Muller) from `random`. */
function gaussian(random) {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function normalise(v) {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** `centre` plus isotropic noise of length about `spread`, normalised. */
function around(centre, spread, random) {
  const v = new Float32Array(DIMENSION);
  const scale = spread / Math.sqrt(DIMENSION);
  for (let i = 0; i < DIMENSION; i++) v[i] = centre[i] + gaussian(random) * scale;
  return normalise(v);
}

/** Cluster centres, spreads and the number of stored points of each (long-tailed sizes summing to SEGMENTS). */
function clusters() {
  const random = prng(0xde115e);
  const weights = Array.from({ length: CLUSTERS }, (_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / total) * SEGMENTS)));
  for (let i = 0, left = SEGMENTS - sizes.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % CLUSTERS, left--) sizes[i] += 1;
  return sizes.map((size) => ({
    centre: normalise(Float32Array.from({ length: DIMENSION }, () => gaussian(random))),
    // cos(point, centre) = 1 / sqrt(1 + spread²): 0.92 at 0.43, 0.65 at 1.17.
    spread: 0.43 + random() * 0.74,
    size,
  }));
}

const literal = (v) => `[${Array.from(v, (x) => x.toFixed(6)).join(',')}]`;

// ---------------------------------------------------------------------------------------------
// Database

const INDEX = `dense_segments_embedding_${DIMENSION}_hnsw`;
const indexedExpression = `(embedding::halfvec(${DIMENSION})) halfvec_cosine_ops`;
const SEARCH_SQL = `SELECT id FROM dense_segments WHERE embedding_dim = ${DIMENSION}
  ORDER BY embedding::halfvec(${DIMENSION}) <=> $1::halfvec(${DIMENSION}) LIMIT ${TOP_K}`;
// The exact answer: the full-precision column has no index, so this is a scan of every vector.
const EXACT_SQL = `SELECT id FROM dense_segments WHERE embedding_dim = ${DIMENSION} ORDER BY embedding <=> $1::vector LIMIT ${TOP_K}`;

async function load(db, groups) {
  await db.query('DROP TABLE IF EXISTS dense_segments');
  // The rag service's shape for vectors: a dimension-less column and its size beside it, indexed per size.
  await db.query('CREATE TABLE dense_segments (id integer PRIMARY KEY, embedding_dim integer NOT NULL, embedding vector NOT NULL)');
  const random = prng(0x5e6e);
  const started = Date.now();
  let id = 0;
  let batch = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, i) => `($${i * 2 + 1}, ${DIMENSION}, $${i * 2 + 2}::vector)`).join(',');
    await db.query(`INSERT INTO dense_segments (id, embedding_dim, embedding) VALUES ${values}`, batch.flat());
    batch = [];
  };
  for (const cluster of groups) {
    for (let j = 0; j < cluster.size; j++) {
      batch.push([id++, literal(around(cluster.centre, cluster.spread, random))]);
      if (batch.length === 200) await flush();
    }
    if (id % 20_000 < cluster.size) say(`  ${id.toLocaleString('en-US')} vectors stored…`);
  }
  await flush();
  return (Date.now() - started) / 1000;
}

/** Held-out points of clusters picked by size (a query is more often about a big topic), with extra noise. */
function queries(groups) {
  const random = prng(0x9e7);
  const cumulative = [];
  let sum = 0;
  for (const g of groups) cumulative.push((sum += g.size));
  return Array.from({ length: QUERIES }, () => {
    const at = random() * sum;
    const cluster = groups[cumulative.findIndex((c) => c > at)];
    const point = around(cluster.centre, cluster.spread, random);
    return literal(around(point, 0.35, random));
  });
}

async function searchWith(pool, efSearch, vector) {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN; SET LOCAL hnsw.ef_search = ${efSearch}; SET LOCAL hnsw.iterative_scan = relaxed_order`);
    const { rows } = await client.query(SEARCH_SQL, [vector]);
    await client.query('COMMIT');
    return rows.map((r) => r.id);
  } finally {
    client.release();
  }
}

function recallOf(found, exact) {
  let hits = 0;
  for (let i = 0; i < found.length; i++) hits += found[i].filter((id) => exact[i].has(id)).length;
  return hits / (exact.length * TOP_K);
}

/** Latency percentiles of the searches at `efSearch`, `concurrency` at a time, and their recall. */
async function measure(pool, efSearch, concurrency, vectors, exact) {
  const found = new Array(vectors.length);
  let next = 0;
  const result = await measureOps(vectors.length, concurrency, async () => {
    const i = next++;
    found[i] = await searchWith(pool, efSearch, vectors[i]);
  });
  return { ...result, recall: recallOf(found, exact) };
}

// ---------------------------------------------------------------------------------------------

const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
await admin.connect();
if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rowCount === 0)
  await admin.query(`CREATE DATABASE ${DATABASE}`);
await admin.end();
const db = new pg.Client({ connectionString: databaseUrl(DATABASE) });
await db.connect();
await db.query('CREATE EXTENSION IF NOT EXISTS vector');
const pool = new pg.Pool({ connectionString: databaseUrl(DATABASE), max: CONCURRENCY + 2 });

say(
  `Dense retrieval benchmark in database ${DATABASE}: ${SEGMENTS.toLocaleString('en-US')} vectors of ${DIMENSION} dimensions in ${CLUSTERS} clusters…`,
);
const groups = clusters();
const loadSeconds = await load(db, groups);
say(`Stored in ${loadSeconds.toFixed(0)} s; building the HNSW index (m ${M}, ef_construction ${EF_CONSTRUCTION})…`);
await db.query("SET maintenance_work_mem = '2GB'");
await db.query('SET max_parallel_maintenance_workers = 1');
let started = Date.now();
await db.query(
  `CREATE INDEX ${INDEX} ON dense_segments USING hnsw (${indexedExpression}) WITH (m = ${M}, ef_construction = ${EF_CONSTRUCTION}) WHERE embedding_dim = ${DIMENSION}`,
);
const buildSeconds = (Date.now() - started) / 1000;
await db.query('ANALYZE dense_segments');
const sizes = (
  await db.query(
    `SELECT pg_relation_size('${INDEX}') AS index, pg_total_relation_size('dense_segments') - pg_indexes_size('dense_segments') AS heap`,
  )
).rows[0];

const vectors = queries(groups);
say(`Exact answers of ${QUERIES} held-out queries (a scan of every vector each)…`);
started = Date.now();
const exact = [];
const exactLatencies = [];
for (const v of vectors) {
  const t = Date.now();
  exact.push(new Set((await db.query(EXACT_SQL, [v])).rows.map((r) => r.id)));
  exactLatencies.push(Date.now() - t);
}
exactLatencies.sort((a, b) => a - b);
// The plan of the search must be the index's, or the figures below are not the index's.
const plan = (await db.query(`EXPLAIN ${SEARCH_SQL.replace('$1', `'${vectors[0]}'`)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
if (!plan.includes(INDEX)) fail(`the search does not use ${INDEX}:\n${plan}`);

const rows = [];
const mb = (bytes) => `${(Number(bytes) / 1024 / 1024).toFixed(0)} MB`;
rows.push({
  name: `exact scan (no index), ${SEGMENTS.toLocaleString('en-US')} × ${DIMENSION}, concurrency 1`,
  opsPerSecond: 1000 / (exactLatencies.reduce((a, b) => a + b, 0) / exactLatencies.length),
  p50: percentile(exactLatencies, 50),
  p95: percentile(exactLatencies, 95),
  p99: percentile(exactLatencies, 99),
  notes: `the recall baseline; vectors stored in ${loadSeconds.toFixed(0)} s, table ${mb(sizes.heap)}`,
});
// Warm the index into shared buffers and the OS cache, as a serving database has it.
for (const v of vectors.slice(0, 50)) await searchWith(pool, SHIPPED_EF_SEARCH, v);
for (const concurrency of [1, CONCURRENCY]) {
  const r = await measure(pool, SHIPPED_EF_SEARCH, concurrency, vectors, exact);
  rows.push({
    name: `HNSW top 10 as shipped (ef_search ${SHIPPED_EF_SEARCH}), ${SEGMENTS.toLocaleString('en-US')} × ${DIMENSION}, concurrency ${concurrency}`,
    ...r,
    notes: `recall@10 ${r.recall.toFixed(3)}; index m ${M}, ef_construction ${EF_CONSTRUCTION}: built in ${buildSeconds.toFixed(0)} s, ${mb(sizes.index)}`,
  });
}
for (const ef of SWEEP.filter((e) => e !== SHIPPED_EF_SEARCH)) {
  const r = await measure(pool, ef, 1, vectors, exact);
  rows.push({ name: `HNSW top 10, ef_search ${ef}, concurrency 1`, ...r, notes: `recall@10 ${r.recall.toFixed(3)}` });
}
printTable(rows);
process.stdout.write(
  `Targets (issue 22): at 100,000 × 768 recall@10 ≥ 0.95 with p95 < 15 ms at concurrency 1; at 1,000,000 recall@10 ≥ 0.95 with p95 < 50 ms.\n`,
);
if (!KEEP) await db.query('DROP TABLE dense_segments');
await db.end();
await pool.end();
