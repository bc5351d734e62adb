// Compares two folders of V8 CPU profiles (one per service, as `npm run bench -- --only=tracing
// --cpu-profile=<dir>` writes them per setting) by function rather than by eye: the self time of every
// function and of every code owner, summed over the services, in the load only (from the last module
// load of start-up, up to 2 s before the end: shutdown), and what the second folder spends more.
//   node scripts/bench/profile-diff.cjs <dir A> <dir B> [--top=40] [--match=<regexp>] [--whole]
// `--whole` takes each profile whole but its last 2 s, for profiles that start after the warm-up (ab-builds.mjs
// --cpu-profile): a module loaded late would otherwise cut one side's window short and the sides would not compare.
// `--match` keeps the functions whose name or file matches (e.g. `opentelemetry|libs/tracing`). Line numbers
// are left out of a function's key, so two builds of the same code compare.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, as flamegraph.cjs
const { readdirSync, readFileSync } = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { join } = require('node:path');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { callTree, codeOwner } = require('./flamegraph.cjs');

const SKIP = new Set(['(idle)', '(program)', '(root)']);

/** The time window (ms from the profile's start) of the load: after the last sample inside a module load. */
function loadWindow(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const loading = new Map();
  const isLoading = (id) => {
    if (loading.has(id)) return loading.get(id);
    const n = byId.get(id);
    const name = n.callFrame.functionName;
    let yes = name === 'Module._load' || name === 'compileFunctionForCJSLoader' || /require-in-the-middle/.test(n.callFrame.url);
    if (!yes && parentOf.has(id)) yes = isLoading(parentOf.get(id));
    loading.set(id, yes);
    return yes;
  };
  let at = 0;
  let lastLoad = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (isLoading(profile.samples[i])) lastLoad = at;
  }
  return [lastLoad / 1000 + 500, at / 1000 - 2000];
}

const WHOLE = process.argv.includes('--whole');

/** The whole profile but its last 2 s (shutdown), in ms from its start. */
function wholeWindow(profile) {
  const end = profile.timeDeltas.reduce((sum, d) => sum + d, 0) / 1000;
  return [0, end - 2000];
}

/** Self time (µs) by function and by owner, and the busy time, over every profile in `dir`. */
function selfTimes(dir) {
  const functions = new Map();
  const owners = new Map();
  let busy = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const tree = callTree(profile, ...(WHOLE ? wholeWindow(profile) : loadWindow(profile)));
    for (const n of tree.nodes) {
      if (n.self === 0 || SKIP.has(n.callFrame.functionName)) continue;
      busy += n.self;
      const where = n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, '');
      const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
      functions.set(key, (functions.get(key) ?? 0) + n.self);
      const owner = codeOwner(n.callFrame);
      owners.set(owner, (owners.get(owner) ?? 0) + n.self);
    }
  }
  return { busy, functions, owners };
}

function differences(a, b) {
  return [...new Set([...a.keys(), ...b.keys()])]
    .map((key) => ({ key, a: a.get(key) ?? 0, b: b.get(key) ?? 0 }))
    .map((row) => ({ ...row, diff: row.b - row.a }))
    .sort((x, y) => y.diff - x.diff);
}

function main() {
  const [dirA, dirB] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!dirA || !dirB) {
    process.stderr.write('usage: node scripts/bench/profile-diff.cjs <dir A> <dir B> [--top=40] [--match=<regexp>]\n');
    process.exit(2);
  }
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.split('=')[1] ?? 40);
  const match = new RegExp(process.argv.find((a) => a.startsWith('--match='))?.slice('--match='.length) ?? '.');
  const A = selfTimes(dirA);
  const B = selfTimes(dirB);
  const ms = (us) => (us / 1000).toFixed(0).padStart(7);
  process.stdout.write(`busy ms (load only): A ${ms(A.busy)}  B ${ms(B.busy)}\n\n   B-A       A       B  owner (self time)\n`);
  for (const r of differences(A.owners, B.owners).slice(0, top)) process.stdout.write(`${ms(r.diff)} ${ms(r.a)} ${ms(r.b)}  ${r.key}\n`);
  process.stdout.write(`\n   B-A       A       B  function (self time)\n`);
  const rows = differences(A.functions, B.functions).filter((r) => match.test(r.key));
  for (const r of [...rows.slice(0, top), ...rows.slice(-Math.min(10, Math.max(0, rows.length - top)))])
    process.stdout.write(`${ms(r.diff)} ${ms(r.a)} ${ms(r.b)}  ${r.key}\n`);
}

if (require.main === module) main();

module.exports = { loadWindow, selfTimes };
