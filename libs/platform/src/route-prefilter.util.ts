import type { Express } from 'express';

/** The part of Express's router layer the prefilter reads and replaces. */
interface RouterLayer {
  match(path: string): unknown;
  rawPath?: unknown;
  route?: unknown;
}

/**
 * The literal start of an Express 5 route path (path-to-regexp 8 syntax): everything before its first
 * parameter, wildcard, optional group or escape, without trailing slashes (a route matches its path with or
 * without one).
 */
export function literalPrefix(path: string): string {
  const special = path.search(/[:*{}()[\]+?!\\]/);
  return (special === -1 ? path : path.slice(0, special)).replace(/\/+$/, '');
}

/**
 * Express tries a request's path against every route before the one that answers it, one regular
 * expression each, in the order the routes were added (the gateway has about 200: `/health` came after 190
 * tries, `POST /v1/workflows/run` after 169). This gives each route a check of its literal start first, so
 * a route whose start differs from the path is passed over with a string comparison; the routes that
 * could match still run their own matcher, so which route answers, its parameters and the order are as
 * before. Case-insensitive like the router unless case-sensitive routing is on. Run once every route is
 * registered (after `app.init()`); routes added later keep the plain matcher. Returns how many routes got
 * the check.
 */
export function prefilterRoutes(app: Express): number {
  const router = (app as unknown as { router: { caseSensitive?: boolean; stack: RouterLayer[] } }).router;
  const sensitive = router.caseSensitive === true;
  // The router tries the layers one after another with the same path: fold its case once.
  let lastPath: string | undefined;
  let lastFolded = '';
  const folded = (path: string): string => {
    if (path !== lastPath) {
      lastPath = path;
      lastFolded = path.toLowerCase();
    }
    return lastFolded;
  };
  let prefiltered = 0;
  for (const layer of router.stack) {
    if (!layer.route || typeof layer.rawPath !== 'string') continue;
    const prefix = literalPrefix(layer.rawPath);
    if (prefix.length <= 1) continue;
    const wanted = sensitive ? prefix : prefix.toLowerCase();
    const match = layer.match.bind(layer);
    layer.match = (path: string) => {
      if (typeof path === 'string' && !(sensitive ? path : folded(path)).startsWith(wanted)) return false;
      return match(path);
    };
    prefiltered += 1;
  }
  return prefiltered;
}
