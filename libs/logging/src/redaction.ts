/**
 * Field names whose values are secrets wherever they appear in a log object, matched without regard to
 * case ("apiKey", "APIKEY" and "apikey" alike).
 */
const SECRET_FIELDS = [
  'access_token',
  'anthropic_api_key',
  'api_key',
  'apiKey',
  'authorization',
  'client_secret',
  'cookie',
  'credentials',
  'encryptionKeys',
  'new_password',
  'openai_api_key',
  'password',
  'private_key',
  'refresh_token',
  'sealed_credentials',
  'secret',
  'secretKey',
  'secret_key',
  'set-cookie',
  'signingKeys',
  'token',
  'x-api-key',
];
const SECRET_KEYS = new Set(SECRET_FIELDS.map((f) => f.toLowerCase()));

/** What a secret's value is replaced with. */
export const REDACTION_CENSOR = '[redacted]';
// Deeper than this a log object is left as it is (also ends cycles).
const MAX_DEPTH = 10;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/** A copy of an error with the same prototype, message and stack, so pino's error serializer still reads it. */
function cloneError(error: Error): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as Record<string, unknown>;
  // Newer V8 (Node 26) makes `stack` an accessor that reads the original error's internal slot, so the
  // copied accessor reads nothing on the copy: the stack is copied as a value.
  Object.defineProperty(copy, 'stack', { configurable: true, enumerable: false, value: error.stack, writable: true });
  return copy;
}

/**
 * The value with every secret field (SECRET_FIELDS, at any depth up to 10) replaced by "[redacted]",
 * in plain objects, arrays and errors; other class instances (a request, a socket) are left alone, since
 * walking them would cost more than logging and their serializers pick the fields that are logged.
 * Copy on write: a value holding no secret comes back as the same object, so logging it allocates nothing.
 *
 * It runs as pino's `log` and `bindings` formatters. Pino's own `redact` paths cannot say "this name at
 * any depth" without listing a wildcard path per depth, and evaluating ninety of them on every request's
 * child logger took a tenth of the gateway's CPU time per request.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const next = redactSecrets(value[i] as unknown, depth + 1);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return (copy ?? value) as T;
  }
  const isError = value instanceof Error;
  if (!isError && !isPlainObject(value)) return value;
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(source)) {
    const current = source[key];
    const next = SECRET_KEYS.has(key.toLowerCase())
      ? current === undefined || current === null
        ? current
        : REDACTION_CENSOR
      : redactSecrets(current, depth + 1);
    if (next !== current) (copy ??= isError ? cloneError(value) : { ...source })[key] = next;
  }
  return (copy ?? value) as T;
}

/**
 * Pino formatters that apply redactSecrets to every log object and to the root logger's bindings. Pino
 * does not pass a child logger's bindings through formatters: the only children are pino-http's, one per
 * request, bound to the request as the `req` serializer reduces it (method, url, id).
 */
export const REDACTING_FORMATTERS = {
  bindings: (bindings: Record<string, unknown>): Record<string, unknown> => redactSecrets(bindings),
  log: (object: Record<string, unknown>): Record<string, unknown> => redactSecrets(object),
};

/**
 * Query parameters whose values are logged as they are: paging, sorting and ids. Every other value (tokens
 * of invitations, exports and erasures, end-user `user` strings, search keywords) is logged as "[redacted]",
 * since query strings carry both secrets and personal data and logs outlive both.
 */
const LOGGED_QUERY_PARAMETERS = new Set([
  'conversation_id',
  'first_id',
  'include_all',
  'include_secret',
  'last_id',
  'limit',
  'page',
  'sort_by',
  'status',
]);

/** A request URL as the request log writes it: the path, and the query with every value not known to be harmless redacted. */
export function loggableUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url.slice(mark + 1);
  if (query === '') return url.slice(0, mark);
  const parts = query.split('&').map((pair) => {
    const equals = pair.indexOf('=');
    const name = equals < 0 ? pair : pair.slice(0, equals);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // A malformed name is logged redacted like any unknown one.
    }
    if (equals < 0) return name;
    return LOGGED_QUERY_PARAMETERS.has(decoded) ? pair : `${name}=${encodeURIComponent(REDACTION_CENSOR)}`;
  });
  return `${url.slice(0, mark)}?${parts.join('&')}`;
}
