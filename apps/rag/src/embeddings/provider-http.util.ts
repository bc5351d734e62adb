import { DomainError } from '@weft/contracts';
import { guardedFetch, SsrfBlockedError, type SsrfGuard } from '@weft/outbound-http';

const PROVIDER_TIMEOUT_MS = 60_000;
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * POSTs JSON to a model provider (embeddings, rerank) through the SSRF guard: a workspace's provider
 * base URL cannot reach private, loopback or link-local addresses unless the operator allows them.
 * Failures become Dify's provider errors.
 */
export async function postProviderJson(
  guard: SsrfGuard,
  provider: string,
  what: string,
  url: string,
  apiKey: string | undefined,
  body: unknown,
): Promise<unknown> {
  let res;
  try {
    res = await guardedFetch(url, {
      body: JSON.stringify(body),
      guard,
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      maxResponseBytes: MAX_RESPONSE_BYTES,
      method: 'POST',
      timeoutMs: PROVIDER_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof SsrfBlockedError)
      throw new DomainError('provider_not_initialize', `[${provider}] ${what} endpoint refused: ${error.message}`);
    throw new DomainError('completion_request_error', `[${provider}] ${what} request failed: ${(error as Error).message}`);
  }
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status >= 300) {
    throw new DomainError(
      res.status === 429 ? 'provider_quota_exceeded' : 'completion_request_error',
      `[${provider}] ${what} request failed with status ${res.status}: ${text.slice(0, 300)}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError('completion_request_error', `[${provider}] ${what} response is not JSON`);
  }
}

/** `https://host/v1` or `https://host` → `https://host/v1/<path>`. */
export function providerUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/${path}`;
}
