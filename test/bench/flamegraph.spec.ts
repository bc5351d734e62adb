// The flame graphs of `npm run bench -- --only=profile` (scripts/bench/flamegraph.cjs): only the samples of the
// load's window count, time is attributed to the right owner, and the picture's widths follow the time.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { callTree, flameGraphSvg, summary } = require('../../scripts/bench/flamegraph.cjs') as {
  callTree: (profile: unknown, fromMs?: number, toMs?: number) => { root: { total: number } };
  flameGraphSvg: (tree: unknown, title: string) => string;
  summary: (tree: unknown) => { busyMs: number; owners: { owner: string; share: number }[] };
};

const frame = (functionName: string, url = '') => ({ functionName, url, scriptId: '0', lineNumber: 0, columnNumber: 0 });

/** root → main → { handler (weft gateway), parse (a package) }, plus idle; samples every 10 ms. */
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5] },
    { id: 2, callFrame: frame('main', 'file:///w/dist/apps/gateway/src/main.js'), children: [3, 4] },
    { id: 3, callFrame: frame('handler', 'file:///w/dist/apps/gateway/src/run.js'), children: [] },
    { id: 4, callFrame: frame('parse', 'file:///w/node_modules/zod/index.js'), children: [] },
    { id: 5, callFrame: frame('(idle)'), children: [] },
  ],
  // 0-100 ms: start-up (main); 100-400 ms: the load (handler ×2, parse ×1 per 30 ms); then idle.
  samples: [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, ...Array.from({ length: 30 }, (_, i) => [3, 3, 4][i % 3]!), 5, 5, 5],
  timeDeltas: Array.from({ length: 43 }, () => 10_000),
};

describe('CPU profile flame graphs', () => {
  it('counts only the window and attributes self time to its owner', () => {
    const all = summary(callTree(profile));
    expect(all.busyMs).toBe(400);
    const load = summary(callTree(profile, 105, 405));
    expect(load.busyMs).toBe(300);
    expect(load.owners).toEqual([
      { owner: 'weft apps/gateway', share: 2 / 3 },
      { owner: 'zod', share: 1 / 3 },
    ]);
  });

  it('draws each frame as wide as its share of the time, idle left out', () => {
    const svg = flameGraphSvg(callTree(profile, 105, 405), 'gateway');
    const width = (name: string) =>
      Number(new RegExp(`<title>${name} [^<]*</title><rect x="[\\d.]+" y="\\d+" width="([\\d.]+)"`).exec(svg)?.[1]);
    expect(width('main')).toBe(1200);
    expect(width('handler')).toBe(800);
    expect(width('parse')).toBe(400);
    expect(svg).not.toContain('(idle)');
  });
});
