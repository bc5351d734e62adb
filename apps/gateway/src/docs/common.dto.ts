import { z } from 'zod';

/** Dify's `{"result": "success"}` answer of routes that change something and return nothing else. */
export const SuccessResultSchema = z.object({ result: z.literal('success') });
export type SuccessResult = z.infer<typeof SuccessResultSchema>;

/** The success answer, as routes return it. */
export const SUCCESS: SuccessResult = { result: 'success' };

/** Dify's keyset page: `data`, `has_more` and the `limit` asked for. */
export function keysetPage<T extends z.ZodTypeAny>(item: T) {
  return z.object({ data: z.array(item), has_more: z.boolean(), limit: z.number().int() });
}

/** Dify's numbered page: `data`, `has_more`, `limit`, `page` and `total`. */
export function numberedPage<T extends z.ZodTypeAny>(item: T) {
  return z.object({ data: z.array(item), has_more: z.boolean(), limit: z.number().int(), page: z.number().int(), total: z.number().int() });
}

/** A list answered whole, in `data`. */
export function dataList<T extends z.ZodTypeAny>(item: T) {
  return z.object({ data: z.array(item) });
}

/** Seconds since the epoch, as Dify writes timestamps. */
export const epochSeconds = z.number().int();
