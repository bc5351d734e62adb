import type { z } from 'zod';
import { DomainError } from './errors.contract';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates a request body, query or payload with a schema; every problem is named in one `invalid_param` error. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data as z.infer<T>;
  throw new DomainError('invalid_param', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
}

/** True for a canonical (hyphenated) UUID; ids from paths and bodies are checked before they reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
