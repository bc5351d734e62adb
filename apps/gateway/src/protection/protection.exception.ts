import { DomainError } from '@weft/contracts';

/** The errors of rate limits, concurrency limits and request timeouts. */
export const ProtectionErrors = {
  /** `limit` says which limit and how much, e.g. "60 requests per minute for this API key". */
  rateLimited: (limit: string, retryAfterSeconds: number) =>
    new DomainError('too_many_requests', `Rate limit exceeded: at most ${limit}. Please retry after ${retryAfterSeconds} seconds.`),
  timedOut: (ms: number) => new DomainError('timeout', `The request did not finish within ${ms} ms.`),
  tooManyActiveRequests: () => new DomainError('too_many_requests', 'Too many requests. Please try again later.'),
} as const;
