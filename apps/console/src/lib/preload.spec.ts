// The console's first requests (preload.ts): which ones a page's address starts, and that each answer is given
// once. The layout is replaced (its own spec tests it); fetch answers like the console API.
const stored = new Map<string, string>();
(globalThis as unknown as { window: unknown }).window = {
  localStorage: {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => stored.set(key, value),
    removeItem: (key: string) => stored.delete(key),
  },
};

const graphLayout = jest.fn(() => Promise.resolve(new Map()));
jest.mock('./layout-cache', () => ({ graphLayout }));

const requested: string[] = [];
const GRAPH = { nodes: [{ id: 'start', data: { type: 'start' } }], edges: [] };
globalThis.fetch = jest.fn((url: string | URL | Request, init?: RequestInit) => {
  const path = String(url);
  requested.push(`${path} ${new Headers(init?.headers).get('authorization')}`);
  const body = path.endsWith('/node-executions') ? { data: [] } : path.includes('/workflow-runs/') ? { id: 'r1', graph: GRAPH } : { path };
  return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
}) as typeof fetch;

async function load() {
  jest.resetModules();
  requested.length = 0;
  graphLayout.mockClear();
  return import('./preload');
}

describe('console preload', () => {
  afterEach(() => stored.clear());

  it('reads a run page address and nothing else as one', async () => {
    const { runPageOf } = await load();
    expect(runPageOf('/console/apps/a1/runs/r1')).toEqual({ appId: 'a1', runId: 'r1' });
    expect(runPageOf('/console/apps/a1/runs/r1/')).toEqual({ appId: 'a1', runId: 'r1' });
    expect(runPageOf('/console/apps/a1/runs')).toBeNull();
    expect(runPageOf('/console/apps/a1/runs/r1/extra')).toBeNull();
    expect(runPageOf('/apps/a1/runs/r1')).toBeNull();
    expect(runPageOf('/console/apps/a%201/runs/r1')).toEqual({ appId: 'a 1', runId: 'r1' });
    // A malformed escape is no run page (decoding it would throw and stop the console from loading).
    expect(runPageOf('/console/apps/%E0%A4%A/runs/r1')).toBeNull();
  });

  it('asks for nothing when signed out', async () => {
    const { preloadPage, takePreloaded } = await load();
    preloadPage('/console/apps/a1/runs/r1');
    expect(requested).toEqual([]);
    expect(takePreloaded('/workspaces/current')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(graphLayout).not.toHaveBeenCalled();
  });

  it("on a run page asks for the workspace, the run and its node executions, and lays the run's graph out", async () => {
    stored.set('weft.console.tokens', JSON.stringify({ access_token: 'tok', refresh_token: 'ref' }));
    const { preloadPage, takePreloaded, preloadedValue, runPath } = await load();
    preloadPage('/console/apps/a1/runs/r1');
    const run = runPath('a1', 'r1');
    expect(run).toBe('/apps/a1/workflow-runs/r1');
    expect(requested.sort()).toEqual(
      [
        '/console/api/workspaces/current Bearer tok',
        '/console/api/workspaces Bearer tok',
        `/console/api${run} Bearer tok`,
        `/console/api${run}/node-executions Bearer tok`,
      ].sort(),
    );
    // Not yet answered: no value to draw with; answered: the value, still there for the fetching effect.
    expect(preloadedValue(run)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(preloadedValue(run)).toEqual({ id: 'r1', graph: GRAPH });
    expect(graphLayout).toHaveBeenCalledWith(GRAPH.nodes, GRAPH.edges);
    // Taken once: a later look asks the gateway again.
    await expect(takePreloaded(`${run}/node-executions`)).resolves.toEqual({ data: [] });
    expect(takePreloaded(`${run}/node-executions`)).toBeNull();
    expect(preloadedValue(`${run}/node-executions`)).toBeNull();
  });

  it('on another page asks only for the workspace', async () => {
    stored.set('weft.console.tokens', JSON.stringify({ access_token: 'tok', refresh_token: 'ref' }));
    const { preloadPage } = await load();
    preloadPage('/console/apps');
    expect(requested.sort()).toEqual(['/console/api/workspaces Bearer tok', '/console/api/workspaces/current Bearer tok']);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(graphLayout).not.toHaveBeenCalled();
  });

  it('lets the first render wait for the early answers, but not longer than its limit', async () => {
    stored.set('weft.console.tokens', JSON.stringify({ access_token: 'tok', refresh_token: 'ref' }));
    const { preloadPage, firstAnswers, preloadedValue, runPath } = await load();
    // Nothing asked: nothing to wait for (settled before any timer could fire).
    jest.useFakeTimers();
    try {
      let settled = false;
      void firstAnswers(5000).then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(true);
    } finally {
      jest.useRealTimers();
    }
    preloadPage('/console/apps/a1/runs/r1');
    await firstAnswers(5000);
    expect(preloadedValue(runPath('a1', 'r1'))).toEqual({ id: 'r1', graph: GRAPH });
    expect(preloadedValue('/workspaces/current')).toEqual({ path: '/console/api/workspaces/current' });
  });

  it('stops waiting for an answer that does not come after the limit', async () => {
    stored.set('weft.console.tokens', JSON.stringify({ access_token: 'tok', refresh_token: 'ref' }));
    const { preloadPage, firstAnswers } = await load();
    const answer = globalThis.fetch;
    globalThis.fetch = jest.fn(() => new Promise<Response>(() => undefined)) as typeof fetch;
    jest.useFakeTimers();
    try {
      preloadPage('/console/apps');
      let settled = false;
      void firstAnswers(50).then(() => (settled = true));
      await jest.advanceTimersByTimeAsync(49);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(settled).toBe(true);
    } finally {
      jest.useRealTimers();
      globalThis.fetch = answer;
    }
  });

  it('drops what is left when the session changes', async () => {
    stored.set('weft.console.tokens', JSON.stringify({ access_token: 'tok', refresh_token: 'ref' }));
    const { preloadPage, takePreloaded } = await load();
    const { api } = await import('../api');
    preloadPage('/console/apps');
    api.setTokens(null);
    expect(takePreloaded('/workspaces/current')).toBeNull();
  });
});
