import type { INestApplication } from '@nestjs/common';
import type { ConfigOf, gatewayConfigSpec } from '@weft/config';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { isDocsPage, originAllowed, parseOriginList, parseTrustProxy, refusesBodyType, type OriginPolicy } from './http-rules.util';

const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** Headers a browser may send cross-origin: Dify's list plus the correlation id. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'X-App-Code', 'X-Correlation-Id'];
/** Response headers a browser script may read besides the safelisted ones. */
const CORS_EXPOSED_HEADERS = ['Retry-After', 'X-Correlation-Id'];
const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const CORS_MAX_AGE_SECONDS = 600;

/** The CORS rules of one group of routes. */
interface CorsGroup {
  credentials: boolean;
  policy: OriginPolicy;
}

/**
 * The gateway's HTTP-level protection, installed before the body parsers and the routes: the client
 * address (trusted proxies), security headers on every response, CORS from the allow-lists, and 415 for
 * bodies that are not JSON on JSON routes (before any of them is read). Throws at start on a bad setting.
 */
export function applyHttpProtection(app: INestApplication, config: ConfigOf<typeof gatewayConfigSpec>): void {
  const settings = config.protection;
  // Without a trusted proxy req.ip is the socket's address and X-Forwarded-For is ignored, so a client
  // cannot pick its own address (and rate-limit identity).
  (app.getHttpAdapter().getInstance() as Express).set('trust proxy', parseTrustProxy(settings.trustProxy));
  app.use(securityHeaders());
  const console = parseOriginList('CONSOLE_CORS_ALLOW_ORIGINS', settings.consoleCorsOrigins);
  const webApi = parseOriginList('WEB_API_CORS_ALLOW_ORIGINS', settings.webApiCorsOrigins);
  const consoleGroup = { credentials: !console.any, policy: console };
  const webApiGroup = { credentials: false, policy: webApi };
  applyCors(app, (path) => (path.startsWith('/console/api/') ? consoleGroup : path.startsWith('/v1/') ? webApiGroup : null));
  app.use(jsonBodiesOnly);
}

/**
 * Helmet with a CSP that lets an API response load nothing and be framed by no one; the Swagger UI pages
 * under /docs get the little more they need (their own scripts, styles and images). HSTS, nosniff,
 * `Referrer-Policy: no-referrer` and `X-Frame-Options: DENY` everywhere.
 */
function securityHeaders(): RequestHandler {
  const common = {
    referrerPolicy: { policy: 'no-referrer' as const },
    strictTransportSecurity: { includeSubDomains: true, maxAge: HSTS_MAX_AGE_SECONDS },
    xFrameOptions: { action: 'deny' as const },
  };
  const api = helmet({
    ...common,
    contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] }, useDefaults: false },
  });
  const docs = helmet({
    ...common,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
      useDefaults: false,
    },
  });
  return (req, res, next) => (isDocsPage(req.path) ? docs : api)(req, res, next);
}

/**
 * CORS by route group: `/console/api` from CONSOLE_CORS_ALLOW_ORIGINS, `/v1` from
 * WEB_API_CORS_ALLOW_ORIGINS, nothing elsewhere. An allowed origin is answered with itself (`*` for `*`).
 * Both APIs authenticate with bearer tokens, not cookies, so the Service API never allows credentials;
 * the console allows them only for an explicit list (never with `*`), as Dify's console does for its
 * frontend, which fetches with credentials included. A preflight from an origin that is not allowed gets
 * 403; other requests from it get no CORS headers (the browser then withholds the answer).
 */
function applyCors(app: INestApplication, groupFor: (path: string) => CorsGroup | null): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const policy = groupFor(req.path)?.policy;
    if (!policy) return next();
    // Answers differ by Origin: caches must keep them apart.
    if (!policy.any) res.vary('Origin');
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    if (preflight && !originAllowed(policy, origin)) {
      res.status(403).json({ code: 'forbidden', message: 'This origin is not allowed to call this API.', status: 403 });
      return;
    }
    next();
  });
  app.enableCors((req: Request, callback: (error: Error | null, options: object) => void) => {
    const group = groupFor(req.path);
    const origin = req.headers.origin;
    if (!group || !origin || !originAllowed(group.policy, origin)) return callback(null, { origin: false });
    const policy = group.policy;
    callback(null, {
      allowedHeaders: CORS_ALLOWED_HEADERS,
      credentials: group.credentials,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: CORS_MAX_AGE_SECONDS,
      methods: CORS_METHODS,
      origin: policy.any ? '*' : origin,
    });
  });
}

/** 415 for a body that is not JSON on a JSON route, in Dify's error shape and with Flask's message (Dify's own answer). */
function jsonBodiesOnly(req: Request, res: Response, next: NextFunction): void {
  if (!refusesBodyType(req.method, req.path, req.headers)) return next();
  res.status(415).json({
    code: 'unsupported_media_type',
    message: "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    status: 415,
  });
}
