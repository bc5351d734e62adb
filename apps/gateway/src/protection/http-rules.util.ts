import ipaddr from 'ipaddr.js';

/** Which browser origins may call a group of routes: any (`*`) or exactly the listed ones. */
export interface OriginPolicy {
  any: boolean;
  origins: ReadonlySet<string>;
}

/**
 * Reads an allow-list variable (`CONSOLE_CORS_ALLOW_ORIGINS`, `WEB_API_CORS_ALLOW_ORIGINS`): each entry is
 * `*` or an origin (`scheme://host[:port]`, no path). Throws a message naming the variable and the bad entry.
 */
export function parseOriginList(variable: string, entries: readonly string[]): OriginPolicy {
  const origins = new Set<string>();
  let any = false;
  for (const entry of entries) {
    if (entry === '*') {
      any = true;
      continue;
    }
    let origin: string | null = null;
    try {
      const url = new URL(entry);
      // Wildcard hosts are not supported: WHATWG URL would take `*.example.com` as a literal host name.
      const plain = (url.protocol === 'http:' || url.protocol === 'https:') && !url.hostname.includes('*');
      if (plain && url.origin === entry.replace(/\/$/, '')) origin = url.origin;
    } catch {
      origin = null;
    }
    if (!origin)
      throw new Error(`${variable}: "${entry}" is not an origin such as https://app.example.com (scheme, host and port only) or *`);
    origins.add(origin);
  }
  return { any, origins };
}

/** Whether a browser at `origin` may call routes under this policy. */
export function originAllowed(policy: OriginPolicy, origin: string): boolean {
  return policy.any || policy.origins.has(origin);
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The value for Express's `trust proxy` setting from `TRUST_PROXY`: false (the socket's address is the
 * client), true (the left-most X-Forwarded-For entry, only right behind a proxy that overwrites it), a hop
 * count, or the addresses/CIDRs of trusted proxies. Anything else throws, naming the bad entry.
 */
export function parseTrustProxy(text: string): boolean | number | string[] {
  const value = text.trim().toLowerCase();
  if (value === 'false' || value === '0' || value === '') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const entry of entries) {
    const valid = PROXY_NAMES.has(entry) || ipaddr.isValid(entry) || isCidr(entry);
    if (!valid)
      throw new Error(`TRUST_PROXY: "${entry}" is not true, false, a hop count, an address, a CIDR, loopback, linklocal or uniquelocal`);
  }
  return entries;
}

function isCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The rate-limit identity of a client address: IPv4 as is (also when it arrives IPv4-mapped), IPv6 by its
 * /64 prefix, since one client usually holds a whole /64 and could otherwise change addresses at will.
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}

/** Routes that take a multipart form (a file upload) instead of JSON. */
const MULTIPART_ROUTES = [
  /^\/v1\/audio-to-text\/?$/,
  /^\/v1\/files\/upload\/?$/,
  /^\/v1\/datasets\/[^/]+\/document\/create[-_]by[-_]file\/?$/,
  /^\/v1\/datasets\/[^/]+\/documents\/[^/]+\/update[-_]by[-_]file\/?$/,
];

/** Routes that take a multipart form with one method only: Dify's PATCH on a document is update-by-file. */
const MULTIPART_METHOD_ROUTES: readonly [string, RegExp][] = [['PATCH', /^\/v1\/datasets\/[^/]+\/documents\/[^/]+\/?$/]];

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Whether a request must be refused with 415 before its body is read: it sends a body (a non-zero
 * Content-Length, or a chunked one) to a JSON route of the API, and says it is not JSON. Such a body would
 * otherwise be skipped by the JSON parser and the route would see an empty one. File upload routes take
 * multipart forms and decide for themselves.
 */
export function refusesBodyType(
  method: string,
  path: string,
  headers: { 'content-length'?: string; 'content-type'?: string; 'transfer-encoding'?: string },
): boolean {
  if (!BODY_METHODS.has(method)) return false;
  if (!path.startsWith('/v1/') && !path.startsWith('/console/api/')) return false;
  const length = headers['content-length'];
  const hasBody = headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) > 0);
  if (!hasBody) return false;
  if (MULTIPART_ROUTES.some((route) => route.test(path))) return false;
  if (MULTIPART_METHOD_ROUTES.some(([verb, route]) => verb === method && route.test(path))) return false;
  return !isJsonType(headers['content-type']);
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** The Swagger UI pages (not the JSON description), which need scripts, styles and images from the gateway itself. */
export function isDocsPage(path: string): boolean {
  return path === '/docs' || path.startsWith('/docs/');
}
