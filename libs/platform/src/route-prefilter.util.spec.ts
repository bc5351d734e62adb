import express, { type Express } from 'express';
import type { AddressInfo } from 'node:net';
import { literalPrefix, prefilterRoutes } from './route-prefilter.util';

const ROUTES = [
  '/health',
  '/health/details',
  '/v1/workflows/run',
  '/v1/workflows/run/:id',
  '/v1/workflows/:workflow_id/run',
  '/v1/datasets/:id/documents/{*rest}',
  '/console/api/apps/',
  '/console/api/apps/:appId/export',
  '/files/:file_id/file-preview',
  '/files{/:name}',
  '/Mixed/Case',
  '/literal\\:colon',
  '/docs/index.html',
];

const PATHS = [
  '/health',
  '/health/',
  '/HEALTH',
  '/healthx',
  '/health/details',
  '/health/details/',
  '/v1/workflows/run',
  '/V1/Workflows/Run',
  '/v1/workflows/run/abc',
  '/v1/workflows/run/a%20b',
  '/v1/workflows/wf-1/run',
  '/v1/workflows/runs',
  '/v1/datasets/d1/documents/x/y/z',
  '/v1/datasets/d1/documents',
  '/console/api/apps',
  '/console/api/apps/',
  '/console/api/apps/a1/export',
  '/files/f1/file-preview',
  '/files',
  '/files/n1',
  '/mixed/case',
  '/Mixed/Case',
  '/literal:colon',
  '/docs/index.html',
  '/docs/index%2Ehtml',
  '/%761/workflows/run',
  '/v1/workflows/run?x=1',
  '/İhealth',
  '/nothing',
  '/',
];

/** An app whose routes answer with their own path and the parameters they matched. */
function appWith(caseSensitive: boolean): Express {
  const app = express();
  app.set('case sensitive routing', caseSensitive);
  for (const route of ROUTES) app.get(route, (req, res) => res.json({ params: req.params, route }));
  app.use((_req, res) => res.status(404).json({ route: null }));
  return app;
}

/** Runs `use` against `app` listening on an ephemeral port, `get(path)` fetching from it; closes it after. */
async function serving<T>(app: Express, use: (get: (path: string) => Promise<Response>) => Promise<T>): Promise<T> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await use((path) => fetch(`http://127.0.0.1:${port}${path}`));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** How `app` answers every path of PATHS: status and body. */
function answers(app: Express): Promise<string[]> {
  return serving(app, async (get) => {
    const out: string[] = [];
    for (const path of PATHS) {
      const res = await get(path);
      out.push(`${path} ${res.status} ${await res.text()}`);
    }
    return out;
  });
}

describe('literalPrefix', () => {
  it('is the route path up to its first parameter, wildcard, group or escape, without trailing slashes', () => {
    expect(literalPrefix('/health')).toBe('/health');
    expect(literalPrefix('/console/api/apps/')).toBe('/console/api/apps');
    expect(literalPrefix('/v1/workflows/:workflow_id/run')).toBe('/v1/workflows');
    expect(literalPrefix('/v1/datasets/{*rest}')).toBe('/v1/datasets');
    expect(literalPrefix('/files{/:name}')).toBe('/files');
    expect(literalPrefix('/literal\\:colon')).toBe('/literal');
    expect(literalPrefix('/*path')).toBe('');
    expect(literalPrefix('/')).toBe('');
  });
});

describe('prefilterRoutes', () => {
  it.each([false, true])('answers every path as the plain router does (case-sensitive routing %s)', async (caseSensitive) => {
    const plain = await answers(appWith(caseSensitive));
    const app = appWith(caseSensitive);
    // Express 5 creates its router on first use: the routes are in place before the prefilter runs.
    expect(prefilterRoutes(app)).toBe(ROUTES.length);
    expect(await answers(app)).toEqual(plain);
  });

  it('tries a route’s own matcher only for paths that start with its literal part', async () => {
    const app = appWith(false);
    const stack = (app as unknown as { router: { stack: { match(path: string): unknown; rawPath: unknown }[] } }).router.stack;
    const tried: string[] = [];
    for (const layer of stack) {
      const match = layer.match.bind(layer);
      layer.match = (path: string) => {
        tried.push(String(layer.rawPath));
        return match(path);
      };
    }
    prefilterRoutes(app);
    await serving(app, async (get) => {
      tried.length = 0;
      expect((await get('/docs/index.html')).status).toBe(200);
      // Only the route whose literal part the path starts with ran its matcher (the prefilter wraps the counter).
      expect(tried).toEqual(['/docs/index.html']);
      tried.length = 0;
      expect((await get('/V1/WORKFLOWS/run/7')).status).toBe(200);
      expect(tried).toEqual(['/v1/workflows/run', '/v1/workflows/run/:id']);
    });
  });
});
