// V8 CPU profiles (`node --cpu-prof`) to flame graphs (SVG) and a short summary of where the time went,
// for the samples inside a time window (the load, not start-up or shutdown). Used by `npm run bench --
// --only=profile`; on its own: `node scripts/bench/flamegraph.cjs <profile.cpuprofile> <out.svg> [fromMs toMs]`.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS so both the bench and Jest load it as is
const { readFileSync, writeFileSync } = require('node:fs');

/** Where a frame's code lives: Weft's own (by project), a package, Node itself, or V8's pseudo-frames. */
function codeOwner(callFrame) {
  const url = callFrame.url;
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const weft = /\/dist\/((apps|libs)\/[^/]+)/.exec(url);
  if (weft) return `weft ${weft[1]}`;
  if (url.startsWith('node:')) return 'node';
  return callFrame.functionName.startsWith('(') ? callFrame.functionName : 'node';
}

/**
 * The call tree of `profile` with the time (µs) of the samples taken between `fromMs` and `toMs` after the
 * profile started (all of them without a window); idle and V8's "(program)" are dropped.
 */
function callTree(profile, fromMs = 0, toMs = Infinity) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, { ...n, self: 0, total: 0, kids: [] }]));
  for (const n of nodes.values()) for (const c of n.children ?? []) nodes.get(c).parent = n;
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at / 1000 < fromMs || at / 1000 > toMs) continue;
    nodes.get(profile.samples[i]).self += delta;
  }
  const root = nodes.get(profile.nodes[0].id);
  const skip = new Set(['(idle)', '(program)']);
  const sum = (n) => {
    n.total = skip.has(n.callFrame.functionName) ? 0 : n.self;
    for (const c of n.children ?? []) n.total += sum(nodes.get(c));
    n.kids = (n.children ?? []).map((c) => nodes.get(c)).filter((c) => c.total > 0);
    return n.total;
  };
  sum(root);
  return { root, nodes: [...nodes.values()] };
}

/** The biggest owners by self time, as shares of the busy time. */
function summary(tree, top = 8) {
  const by = new Map();
  for (const n of tree.nodes) {
    if (n.self === 0 || ['(idle)', '(program)', '(root)'].includes(n.callFrame.functionName)) continue;
    const owner = codeOwner(n.callFrame);
    by.set(owner, (by.get(owner) ?? 0) + n.self);
  }
  const busy = [...by.values()].reduce((a, b) => a + b, 0);
  return {
    busyMs: busy / 1000,
    owners: [...by]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([owner, us]) => ({ owner, share: us / busy })),
  };
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colour(owner) {
  if (owner.startsWith('weft ')) return '#e8a33d';
  if (owner === 'node') return '#7fb3d5';
  if (owner.startsWith('(')) return '#bbbbbb';
  if (owner.startsWith('@opentelemetry')) return '#c39bd3';
  return '#f1c27d';
}

/** An SVG flame graph of the tree (root at the bottom, one row per call depth, width proportional to time). */
function flameGraphSvg(tree, title) {
  const width = 1200;
  const row = 16;
  const rects = [];
  let depthMax = 0;
  const total = tree.root.total || 1;
  const place = (n, x, depth) => {
    const w = (n.total / total) * width;
    if (w < 0.3) return;
    depthMax = Math.max(depthMax, depth);
    rects.push({ n, x, w, depth });
    let cx = x;
    for (const c of [...n.kids].sort((a, b) => a.callFrame.functionName.localeCompare(b.callFrame.functionName))) {
      place(c, cx, depth + 1);
      cx += (c.total / total) * width;
    }
  };
  place(tree.root, 0, 0);
  const height = (depthMax + 1) * row + 40;
  const body = rects
    .map(({ n, x, w, depth }) => {
      const name = n.callFrame.functionName || '(anonymous)';
      const owner = codeOwner(n.callFrame);
      const label = `${name} (${owner}) ${((n.total / total) * 100).toFixed(1)}%`;
      const y = height - (depth + 1) * row - 10;
      const text = w > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${y + 12}">${escape(label.slice(0, Math.floor(w / 6.5)))}</text>` : '';
      return `<g><title>${escape(label)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${row - 1}" fill="${colour(owner)}"/>${text}</g>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">
<text x="4" y="16" font-size="14">${escape(title)}</text>
${body}
</svg>
`;
}

module.exports = { callTree, codeOwner, flameGraphSvg, summary };

if (require.main === module) {
  const [input, output, from, to] = process.argv.slice(2);
  const tree = callTree(JSON.parse(readFileSync(input, 'utf8')), Number(from ?? 0), Number(to ?? Infinity));
  writeFileSync(output, flameGraphSvg(tree, input));
  process.stdout.write(`${JSON.stringify(summary(tree), null, 2)}\n`);
}
