// `npm run bench:rag`: retrieval speed of the rag service's storage shape (pgvector HNSW, full-text
// GIN, hybrid by reciprocal rank fusion) over 100,000 generated segments, with the exact scan it is
// compared with and the recall against it, plus recall on real text (Markdown and doc comments under
// node_modules), in its own database (weft_bench_rag) on the Postgres of DATABASE_URL. Options:
// --segments=<n> (100000), --datasets=<n> (20), --m=<n> (24), --ef-construction=<n> (128),
// --ef-search=<n> (150), --queries=<n> (200), --full-text-queries=<n> (100), --concurrency=<n> (4),
// --ingest-segments=<n> (5000), --real-text-queries=<n> (200), --dimension=<n> (512, the offline
// embedder's size; one of the sizes the rag service indexes), --no-real-text, --real-text-only,
// --keep (leave the table and the generated queries in place afterwards). --dense: dense vectors shaped like
// a real embedding model's instead (scripts/bench/rag-dense.mjs lists its options).
import { build, ensureDependencies, ensureInfrastructure } from './lib/workspace.mjs';

ensureDependencies();
Object.assign(process.env, ensureInfrastructure());
build();
await import(process.argv.includes('--dense') ? './bench/rag-dense.mjs' : './bench/rag.mjs');
