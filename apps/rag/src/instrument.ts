// Imported first by main.ts: tracing must start before Nest, pg, ioredis or http are loaded, so its
// instrumentations can patch them (off unless an OTLP endpoint is configured; see docs/operations.md, Tracing).
import { startTracing } from '@weft/tracing';

startTracing('rag');
