/** What replaces a query value or URL credentials in span attributes. */
export const REDACTED = 'REDACTED';

/**
 * A query string (without "?") with every value replaced: tokens, end-user ids and API keys travel in
 * query strings (ours and those of the URLs http-request nodes call), and spans leave the platform.
 */
export function redactQuery(query: string): string {
  if (!query) return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? pair : `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
}

/** `url` (absolute) with its query values and user:password replaced; anything unparsable is reduced to "REDACTED". */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const credentials = parsed.username || parsed.password ? `${REDACTED}:${REDACTED}@` : '';
    const query = parsed.search ? `?${redactQuery(parsed.search.slice(1))}` : '';
    return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname}${query}`;
  } catch {
    return REDACTED;
  }
}
