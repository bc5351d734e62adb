import Ajv from 'ajv';
import { z } from 'zod';
import { zodToOpenApi } from './openapi.util';

describe('zodToOpenApi', () => {
  const ajv = new Ajv({ strict: false });
  const accepts = (schema: z.ZodTypeAny, value: unknown) => ajv.compile(zodToOpenApi(schema))(value);

  it('writes null the OpenAPI 3.0 way, so a validator reads it as zod does', () => {
    const literalNull = z.object({ parent_message_id: z.null() });
    expect(accepts(literalNull, { parent_message_id: null })).toBe(true);
    expect(accepts(literalNull, { parent_message_id: 'null' })).toBe(false);

    const nullableUnion = z.union([z.string(), z.number()]).nullable();
    expect([null, 'a', 1].map((v) => accepts(nullableUnion, v))).toEqual([true, true, true]);
    expect(accepts(nullableUnion, true)).toBe(false);

    const nullableEnum = z.enum(['like', 'dislike']).nullable();
    expect([null, 'like'].map((v) => accepts(nullableEnum, v))).toEqual([true, true]);
    expect(accepts(nullableEnum, 'meh')).toBe(false);

    const nullableString = z.object({ error: z.string().nullable() });
    expect(accepts(nullableString, { error: null })).toBe(true);
    expect(accepts(nullableString, { error: 3 })).toBe(false);
  });
});
