import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Where the web console lives; `/console/api` under it stays the API. */
export const CONSOLE_PATH = '/console';
const NONCE_PLACEHOLDER = '__CSP_NONCE__';

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.ico': 'image/x-icon',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** A page of the console (or one of its files): under /console but not the console API. */
export function isConsolePage(path: string): boolean {
  if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
  return path !== `${CONSOLE_PATH}/api` && !path.startsWith(`${CONSOLE_PATH}/api/`);
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only, style tags only with this page's
 * nonce (Mantine writes its theme variables into one), images from itself or data: URLs, requests only to
 * its own origin, never framed, no plugins, no <base>.
 */
export function consoleCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The built console: its index page (with the nonce placeholder) and every other file by URL path. */
export interface ConsoleBundle {
  index: string;
  files: Map<string, string>;
}

/** Reads the Vite build in `dir` (dist/apps/console); null when it was not built. */
export function loadConsoleBundle(dir: string): ConsoleBundle | null {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return null;
  const index = readFileSync(indexPath, 'utf8');
  if (!index.includes(NONCE_PLACEHOLDER)) throw new Error(`${indexPath} has no ${NONCE_PLACEHOLDER} placeholder: not the console's build`);
  const files = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== 'index.html' && CONTENT_TYPES[extname(name)])
        files.set(`${CONSOLE_PATH}/${relative(dir, full).split(sep).join('/')}`, full);
    }
  };
  walk(dir);
  return { index, files };
}

/** dist/apps/console beside the running service's code: the folder above the first one holding package.json. */
export function defaultConsoleDir(from = __dirname): string {
  let folder = from;
  while (!existsSync(join(folder, 'package.json'))) {
    const up = dirname(folder);
    if (up === folder) break;
    folder = up;
  }
  return join(folder, 'dist', 'apps', 'console');
}

function notFound(res: Response, message: string): void {
  res.status(404).json({ code: 'not_found', message, status: 404 });
}

/**
 * Serves the console: its files as they are (hashed assets cached for a year), and index.html with a fresh
 * nonce for any other path under /console, so the single-page app's own routes load on a reload. A path with
 * a file extension that is not in the build is a 404, not the page. Anything else passes on.
 */
export function consoleAppMiddleware(bundle: ConsoleBundle | null): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isConsolePage(req.path)) return next();
    if (!bundle) return notFound(res, 'The web console is not built: run npm run build.');
    const file = bundle.files.get(req.path);
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Security-Policy', consoleCsp(nonce));
    if (file) {
      res.setHeader('Content-Type', CONTENT_TYPES[extname(file)]!);
      res.setHeader(
        'Cache-Control',
        req.path.startsWith(`${CONSOLE_PATH}/assets/`) ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      );
      res.send(readFileSync(file));
      return;
    }
    if (extname(req.path) !== '') return notFound(res, 'No such file in the web console.');
    res.setHeader('Content-Type', CONTENT_TYPES['.html']!);
    res.setHeader('Cache-Control', 'no-store');
    res.send(bundle.index.split(NONCE_PLACEHOLDER).join(nonce));
  };
}

/** Installs the console's pages on the gateway (after the security headers, before the routes). */
export function applyConsoleApp(app: INestApplication, dir = defaultConsoleDir()): void {
  app.use(consoleAppMiddleware(loadConsoleBundle(dir)));
}
