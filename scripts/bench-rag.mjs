// `npm run bench:rag`: retrieval speed of the rag service's storage shape (pgvector HNSW, full-text
// GIN, hybrid by reciprocal rank fusion) over 100,000 generated segments, with the exact scan it is
// compared with and the recall against it, in its own database (weft_bench_rag) on the Postgres of
// DATABASE_URL. Options: --segments=<n> (100000), --m=<n>, --ef-construction=<n>, --ef-search=<n>,
// --queries=<n> (300), --concurrency=<n> (4), --ingest-segments=<n> (10000), --datasets=<n> (20),
// --no-variant (skip the many-datasets variant), --keep (leave the table in place afterwards).
import { build, ensureDependencies, ensureInfrastructure } from './lib/workspace.mjs';

ensureDependencies();
Object.assign(process.env, ensureInfrastructure());
build();
await import('./bench/rag.mjs');
