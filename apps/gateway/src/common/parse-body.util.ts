import { DomainError } from '@weft/contracts';
import type { z } from 'zod';

/** Validates a request body (or query) with a schema; every problem is named in one `invalid_param` error. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data as z.infer<T>;
  throw new DomainError('invalid_param', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
}
