// Small pieces the retrieval benchmarks share (scripts/bench/rag.mjs and rag-dense.mjs).
import { fail } from '../lib/workspace.mjs';

/** The positive integer given as `--<name>=<n>`, or `fallback`; anything else stops the bench with a message. */
export function option(name, fallback) {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

/** A seeded pseudo-random generator (mulberry32): the same data for the same seed, run after run. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** DATABASE_URL with its database replaced by `name` (the benchmark's own). */
export function databaseUrl(name) {
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
