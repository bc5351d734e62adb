// The retrieval benchmark, loaded by scripts/bench-rag.mjs once dependencies, infrastructure and the
// build are in place. It measures the rag service's storage shape and query forms directly in
// Postgres (no service in between), using the service's own pure utilities from dist/: the splitter,
// the offline embedder, the full-text helpers and the fusion.
//
// Data: generated English-like text with topical clusters (each document has a main topic whose
// words dominate it), so a query drawn from a topic has meaningful lexical neighbours; queries are
// generated from another seed and never stored. Everything is deterministic for a given --segments.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { databaseUrl, option, prng } from './bench-util.mjs';
import { measureOps, percentile, printTable } from './measure.mjs';
import { fail, ROOT, say } from '../lib/workspace.mjs';

const require = createRequire(import.meta.url);
const rag = (path) => require(join(ROOT, 'dist', 'apps', 'rag', 'src', path));
const { createOfflineEmbedder } = rag('embeddings/offline-embedder.util.js');
const { toVectorLiteral } = rag('embeddings/vector.util.js');
const { FULL_TEXT_STATS_SQL, frequentTermsFromStats, searchFullText, toFullTextDocument, toFullTextQuery } =
  rag('retrieval/full-text.util.js');
const { datasetIndexName } = rag('segments/dataset-vector-index.util.js');
const { hnswIndexedExpression, hnswOrderBy, INDEXED_EMBEDDING_DIMENSIONS } = rag('segments/embedding-index.util.js');
const { fuseHybrid } = rag('retrieval/fusion.util.js');
const { splitDocument } = rag('ingestion/text-splitter.util.js');

// The chosen index parameters, measured on the generated 100,000 segments (2 cores, p95 of the SELECT
// alone). With full-precision indexes (`vector`): m 16 / ef_construction 64 (build 47 s): ef_search
// 100, 200, 400 give recall 0.66, 0.74, 0.79 at 6.6, 8.3, 14.8 ms; m 16 / 128 (82 s): 0.72, 0.79, 0.85
// at 5.3, 9.3, 14.9 ms; m 24 / 128 (118 s): 150 gives 0.83 at 12.5 ms; m 32 / 200 (237 s): 100 gives
// 0.86 at 10.5 ms, 200 gives 0.91 at 17 ms. The indexes now hold half-precision copies (`halfvec`,
// what the rag service's migrations create): the same recall for about 60% of the time. m 24 / 128
// (90 s): ef_search 150, 200, 250, 300 give 0.82, 0.84, 0.86, 0.88 at 11, 13, 15, 17 ms (in full
// runs, round trips included, 200 gave p95 16-17 ms); m 48 / 256 (6 min, parallel build): 100, 200,
// 300 give 0.89, 0.94, 0.96 at 15, 25, 30 ms. m 24 / 128 / 150 stays under 15 ms with room to spare,
// at a build (and insert) cost ingestion can afford.
const M = option('m', 24);
const EF_CONSTRUCTION = option('ef-construction', 128);
// The rag service's HNSW_EF_SEARCH (retrieval.service.ts).
const EF_SEARCH = option('ef-search', 150);
const SEGMENTS = option('segments', 100_000);
const QUERIES = option('queries', 200);
// The any-term full-text query ranks nearly every segment (see the report), so it gets fewer queries.
const FULL_TEXT_QUERIES = option('full-text-queries', 100);
const REAL_QUERIES = process.argv.includes('--no-real-text') ? 0 : option('real-text-queries', 200);
// Only the real-text recall (no ingestion, no generated data): a quick look at index settings.
const REAL_TEXT_ONLY = process.argv.includes('--real-text-only');
const CONCURRENCY = option('concurrency', 4);
const INGEST_SEGMENTS = option('ingest-segments', 5_000);
const DATASETS = option('datasets', 20);
const KEEP = process.argv.includes('--keep');
const TOP_K = 10;
// The offline embedder's default size; another size the service indexes (384, 768…) shows what the
// size costs and buys.
const DIMENSION = option('dimension', 512);
if (!INDEXED_EMBEDDING_DIMENSIONS.includes(DIMENSION))
  fail(`--dimension must be a size the rag service indexes: ${INDEXED_EMBEDDING_DIMENSIONS.join(', ')}`);
const DATABASE = 'weft_bench_rag';

const embedder = createOfflineEmbedder({ dimension: DIMENSION });
const rows = [];
const facts = [];

// ---------------------------------------------------------------------------------------------
// Generated text

/** Samples an index in [0, n) with Zipf weights 1/(rank+1)^s. */
function zipf(n, s) {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i += 1) {
    total += 1 / (i + 1) ** s;
    cumulative[i] = total;
  }
  return (random) => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const FUNCTION_WORDS = (
  'the of and to a in is that for it as with on by this be are from at or an which can not was its into more than when each other also how only ' +
  'these may between after over such most used both through where while under about their without then every same any before some all one two'
).split(' ');
const TOPICS = 200;
const TOPIC_WORDS = 30;
const TOPIC_PHRASES = 60;
const SUBTOPICS = 10;
const SUBTOPIC_WORDS = 15;
const SUBTOPIC_PHRASES = 20;
const GENERAL_WORDS = 5000;
const GENERAL_PHRASES = 3000;
// Words of a document of its own (names, products, codes): drawn from the general vocabulary's tail.
const DOCUMENT_WORDS = 6;

/**
 * Words and the phrases they recur in. Real text repeats collocations ("can be configured", "the
 * request body"), which gives lexical embeddings their structure (word pairs weigh 20% of the offline
 * embedder's vector); independent random words would make every segment a random direction and the
 * nearest-neighbour problem far harder than real text is.
 */
function vocabulary() {
  const random = prng(7);
  const onsets = [
    'b',
    'c',
    'd',
    'f',
    'g',
    'h',
    'k',
    'l',
    'm',
    'n',
    'p',
    'r',
    's',
    't',
    'v',
    'w',
    'z',
    'br',
    'cl',
    'dr',
    'gr',
    'pl',
    'st',
    'tr',
    'sh',
    'ch',
    'th',
  ];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
  const codas = ['', '', '', 'n', 'r', 's', 'l', 'm', 'st', 'nd', 'x'];
  const seen = new Set(FUNCTION_WORDS);
  const word = () => {
    for (;;) {
      const syllables = 2 + Math.floor(random() * 2);
      let w = '';
      for (let i = 0; i < syllables; i += 1)
        w += onsets[Math.floor(random() * onsets.length)] + vowels[Math.floor(random() * vowels.length)];
      w += codas[Math.floor(random() * codas.length)];
      if (!seen.has(w)) {
        seen.add(w);
        return w;
      }
    }
  };
  const general = Array.from({ length: GENERAL_WORDS }, word);
  const pickGeneralWord = zipf(GENERAL_WORDS, 1.05);
  const functionWord = () => FUNCTION_WORDS[Math.floor(random() * FUNCTION_WORDS.length)];
  // A phrase of 2 to 4 words around `words`, with function words between and before them.
  const phrase = (words) => {
    const length = 2 + Math.floor(random() * 3);
    const out = [];
    for (let i = 0; i < length; i += 1) out.push(i % 2 === (length === 2 ? 1 : 0) || random() < 0.3 ? words() : functionWord());
    return out.join(' ');
  };
  const generalPhrases = Array.from({ length: GENERAL_PHRASES }, () => phrase(() => general[pickGeneralWord(random)]));
  const topics = Array.from({ length: TOPICS }, () => {
    const words = Array.from({ length: TOPIC_WORDS }, word);
    const topicWord = () => (random() < 0.7 ? words[Math.floor(random() * words.length)] : general[pickGeneralWord(random)]);
    return {
      phrases: Array.from({ length: TOPIC_PHRASES }, () => phrase(topicWord)),
      subtopics: Array.from({ length: SUBTOPICS }, () => {
        const subWords = Array.from({ length: SUBTOPIC_WORDS }, word);
        const subtopicWord = () => (random() < 0.7 ? subWords[Math.floor(random() * subWords.length)] : topicWord());
        return { phrases: Array.from({ length: SUBTOPIC_PHRASES }, () => phrase(subtopicWord)), words: subWords };
      }),
      words,
    };
  });
  return { general, generalPhrases, topics };
}

const VOCABULARY = vocabulary();
const pickFunction = zipf(FUNCTION_WORDS.length, 1);
const pickGeneralPhrase = zipf(GENERAL_PHRASES, 1);
const pickTopicWord = zipf(TOPIC_WORDS, 0.8);
const pickTopicPhrase = zipf(TOPIC_PHRASES, 0.8);
const pickSubtopicWord = zipf(SUBTOPIC_WORDS, 0.6);
const pickSubtopicPhrase = zipf(SUBTOPIC_PHRASES, 0.6);
const pickTopic = zipf(TOPICS, 0.3);

/**
 * What a document is about: a topic, one of its subtopics, a little of another topic, a few words of
 * its own, and the phrases it keeps coming back to (real documents are bursty: a text that says "rate
 * limit" once says it again). Its text and the held-out queries about it are both drawn from this.
 */
function documentModel(random) {
  const topicIndex = pickTopic(random);
  const topic = VOCABULARY.topics[topicIndex];
  const subtopic = topic.subtopics[Math.floor(random() * SUBTOPICS)];
  const sample = (n, draw) => Array.from({ length: n }, draw);
  return {
    favourites: {
      general: sample(25, () => VOCABULARY.generalPhrases[pickGeneralPhrase(random)]),
      subtopic: sample(8, () => subtopic.phrases[pickSubtopicPhrase(random)]),
      subtopicWord: sample(5, () => subtopic.words[pickSubtopicWord(random)]),
      topic: sample(10, () => topic.phrases[pickTopicPhrase(random)]),
      topicWord: sample(6, () => topic.words[pickTopicWord(random)]),
    },
    other: VOCABULARY.topics[Math.floor(random() * TOPICS)],
    own: sample(DOCUMENT_WORDS, () => VOCABULARY.general[500 + Math.floor(random() * (GENERAL_WORDS - 500))]),
    subtopic,
    topic,
  };
}

// Shares of each kind of unit a sentence is made of; a query leans on the document's own and subtopic
// words, as a question about a document does.
const DOCUMENT_MIX = {
  function: 0.3,
  general: 0.3,
  other: 0.03,
  own: 0.07,
  subtopic: 0.12,
  subtopicWord: 0.04,
  topic: 0.1,
  topicWord: 0.04,
};
const QUERY_MIX = { function: 0.25, general: 0.15, other: 0, own: 0.15, subtopic: 0.15, subtopicWord: 0.1, topic: 0.1, topicWord: 0.1 };

// How often a sentence reuses one of its document's favourite phrases rather than any of the topic's.
const BURSTINESS = 0.75;

function sentence(random, model, mix, length) {
  const words = [];
  const { favourites, subtopic, topic } = model;
  const either = (kind, draw) => (random() < BURSTINESS ? favourites[kind][Math.floor(random() * favourites[kind].length)] : draw());
  while (words.length < length) {
    let r = random();
    if ((r -= mix.function) < 0) words.push(FUNCTION_WORDS[pickFunction(random)]);
    else if ((r -= mix.general) < 0) words.push(either('general', () => VOCABULARY.generalPhrases[pickGeneralPhrase(random)]));
    else if ((r -= mix.other) < 0) words.push(model.other.phrases[pickTopicPhrase(random)]);
    else if ((r -= mix.own) < 0) words.push(model.own[Math.floor(random() * model.own.length)]);
    else if ((r -= mix.subtopic) < 0) words.push(either('subtopic', () => subtopic.phrases[pickSubtopicPhrase(random)]));
    else if ((r -= mix.subtopicWord) < 0) words.push(either('subtopicWord', () => subtopic.words[pickSubtopicWord(random)]));
    else if ((r -= mix.topic) < 0) words.push(either('topic', () => topic.phrases[pickTopicPhrase(random)]));
    else words.push(either('topicWord', () => topic.words[pickTopicWord(random)]));
  }
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** A document's text: 3 to 6 paragraphs of 3 to 6 sentences of 8 to 21 units (words or phrases). */
function documentText(random, model, edit = null) {
  const paragraphs = [];
  const paragraphCount = 3 + Math.floor(random() * 4);
  for (let p = 0; p < paragraphCount; p += 1) {
    const sentences = [];
    const sentenceCount = 3 + Math.floor(random() * 4);
    for (let s = 0; s < sentenceCount; s += 1) {
      const original = sentence(random, model, DOCUMENT_MIX, 4 + Math.floor(random() * 6));
      sentences.push(edit && edit() < EDITED_SENTENCES ? sentence(edit, model, DOCUMENT_MIX, 4 + Math.floor(edit() * 6)) : original);
    }
    paragraphs.push(sentences.join(' '));
  }
  return paragraphs.join('\n\n');
}

/** A document text's seed and model, so a revision of it can be written later. */
function newDocument(random) {
  const seed = Math.floor(random() * 2 ** 32);
  return { model: documentModel(random), seed };
}

// Knowledge bases hold near-duplicates: revisions, re-uploads, boilerplate (7% of the segments of the
// Markdown files under node_modules are exact duplicates of another). A share of the generated
// documents are revisions of a recent one, with some of their sentences rewritten.
const REVISIONS = 0.15;
const EDITED_SENTENCES = 0.25;

/** The next document: a new one, or (REVISIONS of the time) a revision of one of the last 1,000. */
function nextDocument(random, recent) {
  if (recent.length > 0 && random() < REVISIONS) {
    const original = recent[Math.floor(random() * recent.length)];
    return { model: original.model, text: documentText(prng(original.seed), original.model, prng(Math.floor(random() * 2 ** 32))) };
  }
  const document = newDocument(random);
  recent.push(document);
  if (recent.length > 1000) recent.shift();
  return { model: document.model, text: documentText(prng(document.seed), document.model) };
}

/** A question-like query of about 5 to 12 words about a document (held out: never stored). */
function queryText(random, model) {
  return sentence(random, model, QUERY_MIX, 3 + Math.floor(random() * 4)).slice(0, -1);
}

/**
 * Documents split with Dify's automatic rules, until `count` segments (the last document cut short).
 * Every `sampleEvery`-th document's model is kept in `sampled`, with its id, to ask queries about.
 */
function* generateSegments(count, seed, { sampleEvery = 0, sampled = [] } = {}) {
  const random = prng(seed);
  let produced = 0;
  let documents = 0;
  const recent = [];
  while (produced < count) {
    const { model, text } = nextDocument(random, recent);
    const { segments } = splitDocument(text, { mode: 'automatic' });
    const documentId = randomUUID();
    if (sampleEvery > 0 && documents % sampleEvery === sampleEvery - 1) sampled.push({ documentId, model });
    documents += 1;
    for (const segment of segments.slice(0, count - produced)) {
      yield { content: segment.content, documentId, position: segment.position };
    }
    produced += Math.min(segments.length, count - produced);
  }
}

// ---------------------------------------------------------------------------------------------
// Schema and statements (the rag service's shape)

const HNSW_INDEX = `segments_embedding_${DIMENSION}_hnsw`;
const hnswIndexSql = () =>
  `CREATE INDEX ${HNSW_INDEX} ON segments USING hnsw (${hnswIndexedExpression(DIMENSION)}) WITH (m = ${M}, ef_construction = ${EF_CONSTRUCTION}) WHERE embedding_dim = ${DIMENSION}`;
const GIN_INDEX_SQL = 'CREATE INDEX segments_content_tsv_gin ON segments USING gin (content_tsv)';
const POSITION_INDEX_SQL = 'CREATE INDEX segments_document_position ON segments (dataset_id, document_id, position)';

async function createTable(db, { indexes }) {
  await db.query('DROP TABLE IF EXISTS segments');
  await db.query(`CREATE TABLE segments (
    id uuid PRIMARY KEY, workspace_id uuid NOT NULL, dataset_id uuid NOT NULL, document_id uuid NOT NULL,
    position integer NOT NULL, content text NOT NULL, enabled boolean NOT NULL DEFAULT true,
    embedding vector, embedding_dim integer, content_tsv tsvector)`);
  if (indexes) for (const sql of [hnswIndexSql(), GIN_INDEX_SQL, POSITION_INDEX_SQL]) await db.query(sql);
}

const INSERT_SQL = `INSERT INTO segments (id, workspace_id, dataset_id, document_id, position, content, enabled, embedding, embedding_dim, content_tsv)
  SELECT r.id, r.workspace_id, r.dataset_id, r.document_id, r.position, r.content, true, r.embedding::vector, ${DIMENSION}, to_tsvector('simple', r.fts)
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, workspace_id uuid, dataset_id uuid, document_id uuid, position integer, content text, embedding text, fts text)`;

/** A batch of segments as the ingestion pipeline stores it: embedded, with its full-text document. */
function embedBatch(segments, workspaceId, datasetOf) {
  const vectors = embedder.embedMany(segments.map((s) => s.content));
  return segments.map((s, i) => ({
    content: s.content,
    dataset_id: datasetOf(s),
    document_id: s.documentId,
    embedding: toVectorLiteral(vectors[i]),
    fts: toFullTextDocument(s.content),
    id: randomUUID(),
    position: s.position,
    workspace_id: workspaceId,
  }));
}

// As the rag service searches (retrieval.service.ts): ordered by the index's half-precision distance,
// scored by the full-precision one. The exact baseline orders by the full-precision distance itself.
const semanticSql = (order) => `SELECT id, document_id, 1 - (embedding <=> $1::vector) AS score FROM segments
  WHERE embedding_dim = ${DIMENSION} AND workspace_id = $2 AND dataset_id = ANY($3::uuid[]) AND enabled
  ORDER BY ${order} LIMIT $4`;
const SEMANTIC_SQL = semanticSql(hnswOrderBy(DIMENSION, '$1', 'segments'));
const EXACT_SQL = semanticSql('embedding <=> $1::vector');
// Rows matching $5, ranked by $1 (the same query, except when the service narrows the candidates).
const FULL_TEXT_SQL = `SELECT id, document_id, ts_rank_cd(content_tsv, to_tsquery('simple', $1)) AS score FROM segments
  WHERE workspace_id = $2 AND dataset_id = ANY($3::uuid[]) AND enabled AND content_tsv @@ to_tsquery('simple', $5)
  ORDER BY score DESC LIMIT $4`;

// One round trip opens the transaction and sets its search parameters (a simple-protocol batch);
// the search itself is a second, the commit a third.
const hnswSettings = (efSearch) => `BEGIN; SET LOCAL hnsw.ef_search = ${efSearch}; SET LOCAL hnsw.iterative_scan = relaxed_order`;
const EXACT_SETTINGS = 'BEGIN; SET LOCAL enable_indexscan = off';

// Below a table size that grows with ef_search (about 12,000 segments at ef_search 150) the planner
// prefers an exact scan; the real-text recall check forbids it so that it measures the index.
const FORCE_INDEX = '; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off';

async function semanticSearch(pool, query, { datasets, exact = false, efSearch = EF_SEARCH, forceIndex = false }) {
  const client = await pool.connect();
  try {
    await client.query(exact ? EXACT_SETTINGS : hnswSettings(efSearch) + (forceIndex ? FORCE_INDEX : ''));
    const result = await client.query(exact ? EXACT_SQL : SEMANTIC_SQL, [query.vector, query.workspaceId, datasets, TOP_K]);
    await client.query('COMMIT');
    // relaxed_order may return the hits slightly out of order: the caller re-sorts the top K.
    return result.rows.map((r) => ({ documentId: r.document_id, id: r.id, score: Number(r.score) })).sort((a, b) => b.score - a.score);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function fullTextSearch(pool, query, { datasets }) {
  if (query.tsquery === null) return [];
  const result = await pool.query(FULL_TEXT_SQL, [query.tsquery, query.workspaceId, datasets, TOP_K, query.match ?? query.tsquery]);
  return result.rows.map((r) => ({ documentId: r.document_id, id: r.id, score: Number(r.score) }));
}

/** Full text as the rag service searches it (searchFullText); `counts` tallies which step answered. */
async function serviceFullText(pool, query, options, frequent, counts = {}) {
  const { hits, step } = await searchFullText(
    query.text,
    TOP_K,
    async () => frequent,
    (rank, match) => fullTextSearch(pool, { ...query, match, tsquery: rank }, options),
  );
  if (step) counts[step] = (counts[step] ?? 0) + 1;
  return hits;
}

/** The frequent terms of the table's content_tsv, from its statistics, as FrequentTermsService reads them. */
async function frequentTerms(db) {
  const { rows } = await db.query(FULL_TEXT_STATS_SQL, ['public', 'segments']);
  return frequentTermsFromStats(rows[0]?.elements, rows[0]?.frequencies);
}

async function hybridSearch(pool, query, options, frequent) {
  const [semantic, keyword] = await Promise.all([semanticSearch(pool, query, options), serviceFullText(pool, query, options, frequent)]);
  return fuseHybrid(semantic, keyword, { kind: 'reciprocal_rank' }, { scoreThreshold: null, topK: TOP_K });
}

/** Runs `search` over the queries at a concurrency; latencies and, per query index, the hits. */
async function measureSearch(queries, concurrency, search, passes = 1) {
  const results = new Array(queries.length);
  let i = 0;
  const measured = await measureOps(queries.length * passes, concurrency, async () => {
    const index = i % queries.length;
    i += 1;
    results[index] = await search(queries[index]);
  });
  return { ...measured, results };
}

function recall(approximate, exact) {
  const perQuery = approximate.map((hits, i) => {
    const truth = new Set(exact[i].map((h) => h.id));
    if (truth.size === 0) return 1;
    return hits.filter((h) => truth.has(h.id)).length / truth.size;
  });
  perQuery.sort((a, b) => a - b);
  return { mean: perQuery.reduce((a, b) => a + b, 0) / perQuery.length, p5: percentile(perQuery, 5), min: perQuery[0] };
}

/**
 * Recall as ann-benchmarks counts it: a returned hit counts when its distance is within the true 10th
 * neighbour's distance (times 1 + 1e-3). Unlike the id overlap above it does not punish returning one of
 * several segments that are exactly as close, which generated text has many of.
 */
function distanceRecall(approximate, exact) {
  const perQuery = approximate.map((hits, i) => {
    const truth = exact[i];
    if (truth.length === 0) return 1;
    const kth = Math.max(...truth.map((h) => 1 - h.score));
    return Math.min(1, hits.filter((h) => 1 - h.score <= kth * (1 + 1e-3) + 1e-9).length / truth.length);
  });
  return perQuery.reduce((a, b) => a + b, 0) / perQuery.length;
}

/**
 * Relevance, not speed: the share of queries whose top 10 holds a segment of the document the query was
 * generated from (each query is drawn from one document's words and never stored).
 */
function sourceHits(results, queries) {
  const found = results.filter((hits, i) => hits.some((h) => h.documentId === queries[i].documentId)).length;
  return `source document in the top 10 for ${((found / results.length) * 100).toFixed(0)}% of queries`;
}

const formatRecall = (r, approximate, exact) =>
  `recall@10 ${r.mean.toFixed(3)} (5th pct ${r.p5.toFixed(2)}, min ${r.min.toFixed(2)})${approximate ? `; by distance (ann-benchmarks) ${distanceRecall(approximate, exact).toFixed(3)}` : ''}`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes) => `${(Number(bytes) / 1024 / 1024).toFixed(0)} MB`;
const count = (n) => n.toLocaleString('en');

async function timed(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

// ---------------------------------------------------------------------------------------------
// Steps

async function prepareDatabase() {
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const db = new pg.Client({ connectionString: databaseUrl(DATABASE) });
  await db.connect();
  await db.query('CREATE EXTENSION IF NOT EXISTS vector');
  return db;
}

/**
 * Ingestion as one pipeline worker does it, into the table with all its indexes: split each document
 * with the automatic rules, embed its segments, insert them in one statement. Then the baseline: the
 * same rows, embeddings already made, inserted the same way into the emptied table.
 */
async function ingestion(db) {
  const workspaceId = randomUUID();
  const datasetId = randomUUID();
  await createTable(db, { indexes: true });
  const random = prng(11);
  const recent = [];
  const prepared = [];
  let segmentsDone = 0;
  let splitMs = 0;
  let embedMs = 0;
  let insertMs = 0;
  const started = process.hrtime.bigint();
  while (segmentsDone < INGEST_SEGMENTS) {
    const { text } = nextDocument(random, recent);
    let t = process.hrtime.bigint();
    const { segments } = splitDocument(text, { mode: 'automatic' });
    const documentId = randomUUID();
    splitMs += Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const batch = embedBatch(
      segments.map((s) => ({ content: s.content, documentId, position: s.position })),
      workspaceId,
      () => datasetId,
    );
    embedMs += Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const json = JSON.stringify(batch);
    await db.query(INSERT_SQL, [json]);
    insertMs += Number(process.hrtime.bigint() - t) / 1e6;
    prepared.push(json);
    segmentsDone += batch.length;
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  rows.push({
    name: `ingestion: split (automatic) + offline embed + insert, 1 document per statement, indexed table`,
    opsPerSecond: (segmentsDone / totalMs) * 1000,
    notes: `${count(segmentsDone)} segments of ${count(prepared.length)} documents in ${seconds(totalMs)}; time: split ${((splitMs / totalMs) * 100).toFixed(0)}%, embed ${((embedMs / totalMs) * 100).toFixed(0)}%, insert ${((insertMs / totalMs) * 100).toFixed(0)}%`,
  });
  await db.query('TRUNCATE segments');
  const baseline = await timed(async () => {
    for (const json of prepared) await db.query(INSERT_SQL, [json]);
  });
  rows.push({
    name: 'baseline: the same inserts without splitting or embedding',
    opsPerSecond: (segmentsDone / baseline.ms) * 1000,
    notes: `${count(segmentsDone)} segments in ${seconds(baseline.ms)}`,
  });
}

/**
 * Loads SEGMENTS generated segments without the secondary indexes (two inserts in flight), whole
 * documents spread over the datasets in turn, then builds the indexes.
 */
async function bulkLoad(db, pool, { datasets, sampled, workspaceId }) {
  await createTable(db, { indexes: false });
  // About 5.5 segments per document: sample enough documents to ask QUERIES questions spread over all of them.
  const sampleEvery = Math.max(1, Math.floor(SEGMENTS / 7 / QUERIES));
  const datasetOfDocument = new Map();
  const datasetOf = (segment) => {
    if (!datasetOfDocument.has(segment.documentId))
      datasetOfDocument.set(segment.documentId, datasets[datasetOfDocument.size % datasets.length]);
    return datasetOfDocument.get(segment.documentId);
  };
  const inFlight = new Set();
  let batch = [];
  const flush = async (segments) => {
    const json = JSON.stringify(embedBatch(segments, workspaceId, datasetOf));
    const insert = pool.query(INSERT_SQL, [json]).finally(() => inFlight.delete(insert));
    inFlight.add(insert);
    if (inFlight.size >= 2) await Promise.race(inFlight);
  };
  const load = await timed(async () => {
    for (const segment of generateSegments(SEGMENTS, 3, { sampleEvery, sampled })) {
      batch.push(segment);
      if (batch.length === 500) {
        await flush(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await flush(batch);
    await Promise.all(inFlight);
  });
  rows.push({
    name: `load: ${count(SEGMENTS)} segments, split + embed + insert (500 per statement, 2 in flight), no secondary indexes`,
    opsPerSecond: (SEGMENTS / load.ms) * 1000,
    notes: `${seconds(load.ms)}; ${count(datasetOfDocument.size)} documents in ${datasets.length} dataset(s)`,
  });
  const built = await buildIndexes(db);
  rows.push({
    name: `build: HNSW index (m ${M}, ef_construction ${EF_CONSTRUCTION}) over ${count(SEGMENTS)} segments`,
    opsPerSecond: (SEGMENTS / built.hnsw) * 1000,
    notes: `${seconds(built.hnsw)}; index ${megabytes(built.sizes.hnsw)}`,
  });
  rows.push({
    name: `build: GIN index on content_tsv over ${count(SEGMENTS)} segments`,
    opsPerSecond: (SEGMENTS / built.gin) * 1000,
    notes: `${seconds(built.gin)}; index ${megabytes(built.sizes.gin)}; table ${megabytes(built.sizes.heap)} heap + ${megabytes(built.sizes.toast)} TOAST, ${megabytes(built.sizes.total)} with all indexes`,
  });
  return datasetOfDocument;
}

// The build is the one moment the whole graph is in memory: below the graph's size (about 2.6 KB per
// 512-dimension segment) pgvector switches to a much slower on-disk build.
async function buildIndexes(db) {
  await db.query("SET maintenance_work_mem = '1GB'");
  const hnsw = await timed(() => db.query(hnswIndexSql()));
  const gin = await timed(() => db.query(GIN_INDEX_SQL));
  await db.query(POSITION_INDEX_SQL);
  await db.query('RESET maintenance_work_mem');
  await db.query('VACUUM ANALYZE segments');
  const sizes = await db.query(
    `SELECT pg_relation_size('segments') AS heap, pg_total_relation_size('segments') AS total,
            COALESCE(pg_total_relation_size(reltoastrelid), 0) AS toast,
            pg_relation_size('${HNSW_INDEX}') AS hnsw, pg_relation_size('segments_content_tsv_gin') AS gin
     FROM pg_class WHERE oid = 'segments'::regclass`,
  );
  return { gin: gin.ms, hnsw: hnsw.ms, sizes: sizes.rows[0] };
}

function makeQuery(workspaceId, text, index, documentId = null) {
  return {
    all: toFullTextQuery(text, 'all'),
    documentId,
    index,
    text,
    tsquery: toFullTextQuery(text),
    vector: toVectorLiteral(embedder.embed(text)),
    workspaceId,
  };
}

/** One held-out query about each of `n` documents picked evenly from `sampled`. */
function makeQueries(workspaceId, sampled, n, seed) {
  const random = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const { documentId, model } = sampled[Math.floor((i * sampled.length) / n)];
    return makeQuery(workspaceId, queryText(random, model), i, documentId);
  });
}

/** The plan's node names, outermost first: "Limit > Sort > Seq Scan", with the index an index scan uses. */
function planShape(lines) {
  return lines
    .map((line) => /^\s*(?:->\s*)?([A-Z][A-Za-z ]*?)(?:\s+using\s+(\S+))?(?:\s+on\s|\s*\(|$)/.exec(line))
    .filter(
      (m) =>
        m &&
        !/^(Filter|Sort Key|Sort Method|Order By|Index Cond|Recheck Cond|Rows Removed|Workers|Heap Blocks|Buffers|Planning|Execution)/.test(
          m[1],
        ),
    )
    .map((m) => (m[2] ? `${m[1].trim()} (${m[2]})` : m[1].trim()))
    .join(' > ');
}

async function plan(db, sql, params, settings) {
  await db.query(settings);
  try {
    const result = await db.query(`EXPLAIN (COSTS OFF) ${sql}`, params);
    return planShape(result.rows.map((r) => r['QUERY PLAN']));
  } finally {
    await db.query('COMMIT');
  }
}

/** Exact, HNSW, full-text and hybrid searches over the loaded table; rows labelled with `label`. */
async function searches(db, pool, queries, datasetsOf, label, { concurrentFullText, fullTextQueries }) {
  const options = (q) => ({ datasets: datasetsOf(q) });
  const first = queries[0];
  const params = [first.vector, first.workspaceId, datasetsOf(first), TOP_K];
  const hnswPlan = await plan(db, SEMANTIC_SQL, params, hnswSettings(EF_SEARCH));
  const exactPlan = await plan(db, EXACT_SQL, params, EXACT_SETTINGS);
  if (!hnswPlan.includes(HNSW_INDEX)) say(`Note: for ${label} the planner does not use ${HNSW_INDEX}: ${hnswPlan}`);
  // Warm the caches (index, heap, TOAST) the way a running service would have them.
  await measureSearch(queries, CONCURRENCY, (q) => semanticSearch(pool, q, options(q)));
  const exact = await measureSearch(queries, 1, (q) => semanticSearch(pool, q, { ...options(q), exact: true }));
  const semantic = await measureSearch(queries, 1, (q) => semanticSearch(pool, q, options(q)), 2);
  const returned = semantic.results.reduce((sum, hits) => sum + hits.length, 0) / queries.length;
  rows.push({
    name: `semantic top 10 (HNSW, ef_search ${EF_SEARCH}), ${label}, concurrency 1`,
    ...semantic,
    notes: `${formatRecall(recall(semantic.results, exact.results), semantic.results, exact.results)} over ${queries.length} queries; ${returned.toFixed(1)} hits/query; ${sourceHits(semantic.results, queries)}; plan: ${hnswPlan}`,
  });
  const concurrent = await measureSearch(queries, CONCURRENCY, (q) => semanticSearch(pool, q, options(q)), 3);
  rows.push({
    name: `semantic top 10 (HNSW, ef_search ${EF_SEARCH}), ${label}, concurrency ${CONCURRENCY}`,
    ...concurrent,
    notes: formatRecall(recall(concurrent.results, exact.results), concurrent.results, exact.results),
  });
  rows.push({ name: `baseline: exact scan (enable_indexscan = off), ${label}, concurrency 1`, ...exact, notes: `plan: ${exactPlan}` });

  const subset = queries.slice(0, fullTextQueries);
  const hitsPerQuery = (results) => `${(results.reduce((s, h) => s + h.length, 0) / results.length).toFixed(1)} hits/query`;
  const keyword = await measureSearch(subset, 1, (q) => fullTextSearch(pool, q, options(q)));
  rows.push({
    name: `full-text top 10 (any term, ts_rank_cd), ${label}, concurrency 1`,
    ...keyword,
    notes: `${hitsPerQuery(keyword.results)}; ${subset.length} queries; ${sourceHits(keyword.results, subset)}`,
  });
  const all = await measureSearch(subset, 1, (q) => fullTextSearch(pool, { ...q, tsquery: q.all }, options(q)));
  rows.push({ name: `full-text top 10 (all terms), ${label}, concurrency 1`, ...all, notes: hitsPerQuery(all.results) });
  // What the service does (serviceFullText).
  const frequent = await frequentTerms(db);
  const counts = {};
  const service = await measureSearch(subset, 1, (q) => serviceFullText(pool, q, options(q), frequent, counts));
  rows.push({
    name: `full-text top 10 (the service: all terms, then discriminating terms, then any term), ${label}, concurrency 1`,
    ...service,
    notes: `${hitsPerQuery(service.results)}; ${sourceHits(service.results, subset)}; answered by every term ${counts.all ?? 0}, discriminating terms ${counts.discriminating ?? 0}, any term ${counts.any ?? 0} of ${subset.length} queries; ${frequent.size} frequent terms`,
  });
  const hybrid = await measureSearch(subset, 1, (q) => hybridSearch(pool, q, options(q), frequent));
  rows.push({
    name: `hybrid top 10 (semantic and the service's full-text at once on 2 connections, RRF), ${label}, concurrency 1`,
    ...hybrid,
    notes: `${subset.length} queries`,
  });
  if (concurrentFullText) {
    rows.push({
      name: `full-text top 10 (any term, ts_rank_cd), ${label}, concurrency ${CONCURRENCY}`,
      ...(await measureSearch(subset, CONCURRENCY, (q) => fullTextSearch(pool, q, options(q)), 2)),
    });
    rows.push({
      name: `full-text top 10 (the service), ${label}, concurrency ${CONCURRENCY}`,
      ...(await measureSearch(subset, CONCURRENCY, (q) => serviceFullText(pool, q, options(q), frequent), 2)),
    });
    rows.push({
      name: `hybrid top 10 (both at once, RRF), ${label}, concurrency ${CONCURRENCY}`,
      ...(await measureSearch(subset, CONCURRENCY, (q) => hybridSearch(pool, q, options(q), frequent), 2)),
    });
  }
}

/** The prose of a TypeScript declaration file: its doc comments of eight words or more, one paragraph each. */
function docComments(source) {
  return [...source.matchAll(/\/\*\*([\s\S]*?)\*\//g)]
    .map((m) =>
      m[1]
        .replace(/^\s*\* ?/gm, '')
        .replace(/@\w+/g, ' ')
        .trim(),
    )
    .filter((comment) => comment.split(/\s+/).length >= 8)
    .join('\n\n');
}

/**
 * Real text, as a check on the generated data: the Markdown files under node_modules (README and the
 * like, changelogs left out) and the doc comments of its TypeScript declaration files, each text once
 * (about 2,100 texts and 35,000 segments with this lockfile). The same on every machine with the same
 * package-lock.json.
 */
function realTexts() {
  const base = join(ROOT, 'node_modules');
  const files = readdirSync(base, { recursive: true })
    .filter((f) => (f.endsWith('.md') && !/(^|\/)(CHANGELOG|HISTORY|CHANGES)[^/]*$/i.test(f)) || f.endsWith('.d.ts'))
    .sort();
  const seen = new Set();
  const texts = [];
  for (const file of files) {
    const path = join(base, file);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile() || stat.size < 1024) continue;
    const raw = readFileSync(path, 'utf8');
    const text = file.endsWith('.d.ts') ? docComments(raw) : raw;
    if (text.length < 1024) continue;
    const hash = createHash('sha1').update(text).digest('hex');
    if (seen.has(hash)) continue;
    seen.add(hash);
    texts.push(text);
  }
  return texts;
}

/**
 * Recall on real text (realTexts): every fifth text held out to draw questions from (up to three
 * sentences of 6 to 14 words each), the rest split, embedded and indexed with the same parameters.
 */
async function realTextRecall(db, pool) {
  const texts = realTexts();
  const workspaceId = randomUUID();
  const datasetId = randomUUID();
  const queries = [];
  await createTable(db, { indexes: false });
  let segments = 0;
  let batch = [];
  for (const [i, text] of texts.entries()) {
    if (i % 5 === 4) {
      const sentences = text
        .replace(/```[\s\S]*?```/g, '')
        .split(/(?<=[.?!])\s+/)
        .map((s) =>
          s
            .replace(/[#*`>[\]()_|]/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        )
        .filter((s) => /^[A-Z]/.test(s) && s.split(' ').length >= 6 && s.split(' ').length <= 14);
      const step = Math.max(1, Math.floor(sentences.length / 3));
      for (const sentence of sentences.filter((_, k) => k % step === 0).slice(0, 3))
        queries.push(makeQuery(workspaceId, sentence, queries.length));
      continue;
    }
    const documentId = randomUUID();
    for (const segment of splitDocument(text, { mode: 'automatic' }).segments) {
      batch.push({ content: segment.content, documentId, position: segment.position });
      if (batch.length === 500) {
        await db.query(INSERT_SQL, [JSON.stringify(embedBatch(batch, workspaceId, () => datasetId))]);
        segments += batch.length;
        batch = [];
      }
    }
  }
  if (batch.length > 0) await db.query(INSERT_SQL, [JSON.stringify(embedBatch(batch, workspaceId, () => datasetId))]);
  segments += batch.length;
  if (segments < 1000 || queries.length < 50) {
    facts.push(`real-text recall skipped: only ${segments} segments and ${queries.length} queries from node_modules`);
    return;
  }
  const used = queries.slice(0, REAL_QUERIES);
  await buildIndexes(db);
  const options = { datasets: [datasetId], forceIndex: true };
  const first = used[0];
  const unforced = await plan(db, SEMANTIC_SQL, [first.vector, first.workspaceId, [datasetId], TOP_K], hnswSettings(EF_SEARCH));
  await measureSearch(used, CONCURRENCY, (q) => semanticSearch(pool, q, options));
  const exact = await measureSearch(used, 1, (q) => semanticSearch(pool, q, { ...options, exact: true }));
  const semantic = await measureSearch(used, 1, (q) => semanticSearch(pool, q, options));
  rows.push({
    name: `semantic top 10 (HNSW forced, ef_search ${EF_SEARCH}), real text: ${count(segments)} segments of Markdown and doc comments under node_modules`,
    ...semantic,
    notes: `${formatRecall(recall(semantic.results, exact.results), semantic.results, exact.results)} over ${used.length} held-out sentences; exact scan p50 ${exact.p50.toFixed(1)} ms; plan without forcing: ${unforced}`,
  });
}

/** With --keep, the queries stay too (table bench_queries), for trying index settings on the kept data by hand. */
async function keepQueries(db, queries, datasets, datasetOfDocument) {
  await db.query('DROP TABLE IF EXISTS bench_queries');
  await db.query(
    `CREATE TABLE bench_queries (i integer PRIMARY KEY, text text, tsquery text, vector vector(${DIMENSION}), workspace_id uuid, datasets uuid[], dataset_id uuid)`,
  );
  for (const q of queries) {
    await db.query('INSERT INTO bench_queries VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      q.index,
      q.text,
      q.tsquery,
      q.vector,
      q.workspaceId,
      datasets,
      datasetOfDocument.get(q.documentId),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------

const benchStarted = Date.now();
const db = await prepareDatabase();
const pool = new pg.Pool({ connectionString: databaseUrl(DATABASE), max: CONCURRENCY * 2 + 2 });
try {
  say(
    `RAG benchmark in database ${DATABASE}: ${count(SEGMENTS)} segments, HNSW m ${M}, ef_construction ${EF_CONSTRUCTION}, ef_search ${EF_SEARCH}…`,
  );
  const models = prng(5);
  const embedTimes = [];
  for (let i = 0; i < 2000; i += 1) {
    const text = queryText(models, documentModel(models));
    const t = process.hrtime.bigint();
    embedder.embed(text);
    embedTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  embedTimes.sort((a, b) => a - b);
  const embedMean = embedTimes.reduce((a, b) => a + b, 0) / embedTimes.length;
  rows.push({
    name: 'offline embedder, one query (in process; not part of the search latencies)',
    opsPerSecond: 1000 / embedMean,
    p50: percentile(embedTimes, 50),
    p95: percentile(embedTimes, 95),
    p99: percentile(embedTimes, 99),
  });

  if (!REAL_TEXT_ONLY) {
    say(`Ingestion: ${count(INGEST_SEGMENTS)} segments into the indexed table…`);
    await ingestion(db);
  }

  if (REAL_QUERIES > 0 || REAL_TEXT_ONLY) {
    say('Recall on real text (Markdown and doc comments under node_modules)…');
    await realTextRecall(db, pool);
  }

  if (!REAL_TEXT_ONLY) await generatedData(db, pool);
  if (!KEEP) await db.query('DROP TABLE IF EXISTS segments');

  for (const row of rows) if (row.failures) row.notes = `${row.failures} failed`;
  printTable(rows);
  for (const fact of facts) process.stdout.write(`${fact}\n`);
  process.stdout.write(
    `Measured in ${seconds(Date.now() - benchStarted)} after the build. Search latencies are from Node through pg, round trips included (semantic: BEGIN + SET LOCAL batch, SELECT, COMMIT); query embedding excluded (first row).\n`,
  );
  process.stdout.write(
    'Target on a 2-core machine: semantic top 10 of 100,000 segments with p95 under 15 ms at recall@10 of at least 0.95 against exact search.\n',
  );
} finally {
  await pool.end();
  await db.end();
}

/** The generated segments: loaded, indexed, searched over all datasets and over one. */
async function generatedData(db, pool) {
  const workspaceId = randomUUID();
  const datasets = Array.from({ length: DATASETS }, () => randomUUID());
  const sampled = [];
  say(`Loading ${count(SEGMENTS)} generated segments in ${DATASETS} dataset(s) and building the indexes…`);
  const datasetOfDocument = await bulkLoad(db, pool, { datasets, sampled, workspaceId });
  if (sampled.length < QUERIES)
    fail(`only ${sampled.length} documents to ask ${QUERIES} queries about: use fewer --queries or more --segments`);
  const queries = makeQueries(workspaceId, sampled, QUERIES, 99);
  const fullTextQueries = Math.min(QUERIES, FULL_TEXT_QUERIES);
  if (KEEP) await keepQueries(db, queries, datasets, datasetOfDocument);

  say(`Searching all ${count(SEGMENTS)} segments: ${QUERIES} queries…`);
  const everything =
    DATASETS === 1 ? `1 dataset of ${count(SEGMENTS)}` : `${DATASETS} datasets of ${count(SEGMENTS)} in all, query over all ${DATASETS}`;
  await searches(db, pool, queries, () => datasets, everything, { concurrentFullText: false, fullTextQueries });

  if (DATASETS > 1) {
    say(`Searching one dataset of ${DATASETS} (the one holding the document each query asks about)…`);
    await searches(
      db,
      pool,
      queries,
      (q) => [datasetOfDocument.get(q.documentId)],
      `1 of ${DATASETS} datasets (~${count(Math.round(SEGMENTS / DATASETS))} segments)`,
      {
        concurrentFullText: true,
        fullTextQueries: QUERIES,
      },
    );
    say(
      `Giving each of the ${DATASETS} datasets its own HNSW index, as the rag service does from RAG_DATASET_INDEX_MIN_SEGMENTS (2,000) segments…`,
    );
    await ownIndexes(
      db,
      pool,
      queries,
      datasets,
      (q) => [datasetOfDocument.get(q.documentId)],
      `1 of ${DATASETS} datasets (~${count(Math.round(SEGMENTS / DATASETS))} segments)`,
    );
  }
}

/** About `INGEST_SEGMENTS / 5` generated segments added to one dataset, a document per statement, as the ingestion step does. */
async function timedIngestion(db, workspaceId, datasetId, seed) {
  let segments = 0;
  const run = await timed(async () => {
    const byDocument = new Map();
    for (const segment of generateSegments(Math.max(500, Math.round(INGEST_SEGMENTS / 5)), seed)) {
      if (!byDocument.has(segment.documentId)) byDocument.set(segment.documentId, []);
      byDocument.get(segment.documentId).push(segment);
    }
    for (const document of byDocument.values()) {
      await db.query(INSERT_SQL, [JSON.stringify(embedBatch(document, workspaceId, () => datasetId))]);
      segments += document.length;
    }
  });
  return { ms: run.ms, segments };
}

/**
 * The rag service's dataset indexes (apps/rag/src/segments/dataset-vector-index.util.ts): a partial HNSW
 * index per dataset, same expression and parameters as the shared one. Built here, then the semantic
 * search of one dataset measured again, the planner choosing the dataset's index by itself.
 */
async function ownIndexes(db, pool, queries, datasets, datasetsOf, label) {
  const indexName = (datasetId) => datasetIndexName('segments', datasetId, DIMENSION);
  // What a dataset's own index costs ingestion: documents added to a dataset of the loaded table,
  // before it has its own index (only the shared one) and after (both).
  const workspaceId = queries[0].workspaceId;
  const before = await timedIngestion(db, workspaceId, datasets[0], 101);
  await db.query("SET maintenance_work_mem = '1GB'");
  const built = await timed(async () => {
    for (const datasetId of datasets) {
      await db.query(
        `CREATE INDEX ${indexName(datasetId)} ON segments USING hnsw (${hnswIndexedExpression(DIMENSION)})
         WITH (m = ${M}, ef_construction = ${EF_CONSTRUCTION}) WHERE embedding_dim = ${DIMENSION} AND dataset_id = '${datasetId}'::uuid`,
      );
    }
  });
  await db.query('RESET maintenance_work_mem');
  const [{ bytes }] = (
    await db.query(
      `SELECT sum(pg_relation_size(indexrelid))::bigint AS bytes FROM pg_index WHERE indexrelid::regclass::text LIKE 'segments\\_ds\\_%'`,
    )
  ).rows;
  rows.push({
    name: `build: ${datasets.length} dataset indexes (HNSW m ${M}, ef_construction ${EF_CONSTRUCTION}), ${count(SEGMENTS)} segments in all`,
    opsPerSecond: (SEGMENTS / built.ms) * 1000,
    notes: `${seconds(built.ms)}; ${megabytes(bytes)} in all`,
  });
  const after = await timedIngestion(db, workspaceId, datasets[0], 102);
  for (const [which, run] of [
    ['only the shared index', before],
    ['its own index and the shared one', after],
  ]) {
    rows.push({
      name: `ingestion: split + offline embed + insert into a dataset of the ${count(SEGMENTS)}-segment table with ${which}`,
      opsPerSecond: (run.segments / run.ms) * 1000,
      notes: `${count(run.segments)} segments in ${seconds(run.ms)}`,
    });
  }
  const options = (q) => ({ datasets: datasetsOf(q) });
  const first = queries[0];
  const ownPlan = await plan(db, SEMANTIC_SQL, [first.vector, first.workspaceId, datasetsOf(first), TOP_K], hnswSettings(EF_SEARCH));
  if (!ownPlan.includes(indexName(datasetsOf(first)[0]))) say(`Note: the planner does not use the dataset's own index: ${ownPlan}`);
  await measureSearch(queries, CONCURRENCY, (q) => semanticSearch(pool, q, options(q)));
  const exact = await measureSearch(queries, 1, (q) => semanticSearch(pool, q, { ...options(q), exact: true }));
  const semantic = await measureSearch(queries, 1, (q) => semanticSearch(pool, q, options(q)), 2);
  rows.push({
    name: `semantic top 10 (the dataset's own HNSW index, ef_search ${EF_SEARCH}), ${label}, concurrency 1`,
    ...semantic,
    notes: `${formatRecall(recall(semantic.results, exact.results), semantic.results, exact.results)} over ${queries.length} queries; ${sourceHits(semantic.results, queries)}; plan: ${ownPlan.replace(/segments_ds_\w+/, `segments_ds_<dataset>_${DIMENSION}_hnsw`)}`,
  });
  const concurrent = await measureSearch(queries, CONCURRENCY, (q) => semanticSearch(pool, q, options(q)), 3);
  rows.push({
    name: `semantic top 10 (the dataset's own HNSW index, ef_search ${EF_SEARCH}), ${label}, concurrency ${CONCURRENCY}`,
    ...concurrent,
    notes: formatRecall(recall(concurrent.results, exact.results), concurrent.results, exact.results),
  });
}
