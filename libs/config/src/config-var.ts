import { z } from 'zod';

/** One environment variable: its name, how it is parsed, its default and whether it is a secret. */
export interface ConfigVar<T> {
  readonly kind: 'var';
  readonly env: string;
  readonly schema: z.ZodType<T, z.ZodTypeDef, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly default?: string;
  readonly secret: boolean;
  readonly doc: string;
  /** What a valid value looks like, for error messages and the README. */
  readonly expects: string;
  /** A check against other variables, run once every variable is parsed: the problem, or undefined. */
  readonly check?: (value: unknown, valueOf: (env: string) => unknown) => string | undefined;
  /** In production, a secret this short (or this repetitive) is refused: it could be guessed. */
  readonly productionMinLength?: number;
}

/** A nested group of variables; the loaded config has the same shape with parsed values. */
export interface ConfigSpec {
  readonly [key: string]: ConfigVar<unknown> | ConfigSpec;
}

export type ConfigOf<S extends ConfigSpec> = {
  -readonly [K in keyof S]: S[K] extends ConfigVar<infer T> ? T : S[K] extends ConfigSpec ? ConfigOf<S[K]> : never;
};

interface VarOptions {
  default?: string;
  secret?: boolean;
  doc: string;
  /** Checks the parsed value against other variables (read by name with `valueOf`); returns the problem. */
  check?: (value: any, valueOf: (env: string) => unknown) => string | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  productionMinLength?: number;
}

function makeVar<Z extends z.ZodTypeAny>(env: string, schema: Z, expects: string, opts: VarOptions): ConfigVar<z.output<Z>> {
  return {
    kind: 'var',
    env,
    schema,
    expects,
    default: opts.default,
    secret: opts.secret ?? false,
    doc: opts.doc,
    ...(opts.check ? { check: opts.check } : {}),
    ...(opts.productionMinLength ? { productionMinLength: opts.productionMinLength } : {}),
  };
}

/** Parses `id:material,id2:material` into an object in the order given; undefined when an entry is malformed. */
function parseKeyList(text: string, minLength: number): Record<string, string> | undefined {
  const keys: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0)) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, Math.max(colon, 0));
    const material = entry.slice(colon + 1).trim();
    if (colon < 1 || !/^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(id) || id in keys || material.length < minLength) return undefined;
    keys[id] = material;
  }
  return keys;
}

const urlWithProtocols = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  });

/** Builders for config variables; each knows how to parse its text and what to say when it cannot. */
export const env = {
  string: (name: string, opts: VarOptions & { minLength?: number }) =>
    makeVar(
      name,
      z.string().min(opts.minLength ?? 1),
      opts.minLength ? `a string of at least ${opts.minLength} characters` : 'a non-empty string',
      opts,
    ),
  optionalString: (name: string, opts: VarOptions) =>
    makeVar(
      name,
      z
        .string()
        .optional()
        .transform((v) => (v === '' ? undefined : v)),
      'a string (optional)',
      opts,
    ),
  int: (name: string, opts: VarOptions & { min?: number; max?: number }) => {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const expects =
      opts.min !== undefined && opts.max !== undefined
        ? `an integer from ${min} to ${max}`
        : opts.min !== undefined
          ? `an integer of at least ${min}`
          : 'an integer';
    return makeVar(
      name,
      z
        .string()
        .regex(/^-?\d+$/)
        .transform(Number)
        .pipe(z.number().int().min(min).max(max)),
      expects,
      opts,
    );
  },
  number: (name: string, opts: VarOptions & { min?: number; max?: number }) => {
    const min = opts.min ?? -Infinity;
    const max = opts.max ?? Infinity;
    return makeVar(
      name,
      z
        .string()
        .regex(/^-?\d+(\.\d+)?$/)
        .transform(Number)
        .pipe(z.number().min(min).max(max)),
      `a number${Number.isFinite(min) ? ` from ${min}` : ''}${Number.isFinite(max) ? ` to ${max}` : ''}`,
      opts,
    );
  },
  port: (name: string, opts: VarOptions) =>
    makeVar(name, z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1).max(65535)), 'a TCP port from 1 to 65535', opts),
  bool: (name: string, opts: VarOptions) =>
    makeVar(
      name,
      z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
      'true or false',
      opts,
    ),
  enum: <const T extends readonly [string, ...string[]]>(name: string, values: T, opts: VarOptions) =>
    makeVar(name, z.enum(values), `one of ${values.join(', ')}`, opts),
  /** One of `values`, or unset (empty), which parses as undefined. */
  optionalEnum: <const T extends readonly [string, ...string[]]>(name: string, values: T, opts: VarOptions) =>
    makeVar(
      name,
      z
        .union([z.enum(values), z.literal(''), z.undefined()])
        .transform((v): T[number] | undefined => (v === '' || v === undefined ? undefined : v)),
      `one of ${values.join(', ')}, or unset`,
      opts,
    ),
  url: (name: string, protocols: string[], opts: VarOptions) =>
    makeVar(name, urlWithProtocols(protocols), `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`, opts),
  /** A URL with one of `protocols`, or unset (empty), which parses as undefined. */
  optionalUrl: (name: string, protocols: string[], opts: VarOptions) =>
    makeVar(
      name,
      z.union([z.literal(''), z.undefined(), urlWithProtocols(protocols)]).transform((v) => (v === '' ? undefined : v)),
      `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} (optional)`,
      opts,
    ),
  urlList: (name: string, protocols: string[], opts: VarOptions) =>
    makeVar(
      name,
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
        )
        .pipe(z.array(urlWithProtocols(protocols))),
      `a comma-separated list of URLs starting with ${protocols.map((p) => `${p}//`).join(' or ')} (may be empty)`,
      opts,
    ),
  /** A JSON document checked against `schema`; `expects` says in words what shape it must have. */
  json: <Z extends z.ZodTypeAny>(name: string, schema: Z, expects: string, opts: VarOptions) =>
    makeVar(
      name,
      z
        .string()
        .transform((text, ctx) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'not valid JSON' });
            return z.NEVER;
          }
        })
        .pipe(schema),
      expects,
      opts,
    ),
  /** Keys with ids, `id:material,id2:material` (ids start with a letter; material has no comma); empty gives `{}`. */
  keyList: (name: string, opts: VarOptions & { minLength: number }) =>
    makeVar(
      name,
      z
        .string()
        .transform(
          (text, ctx) =>
            parseKeyList(text, opts.minLength) ?? (ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'malformed key list' }), z.NEVER),
        ),
      `comma-separated \`id:material\` pairs with distinct ids (a letter, then up to 31 letters, digits, "_" or "-") and material of at least ${opts.minLength} characters without commas`,
      opts,
    ),
  stringList: (name: string, opts: VarOptions) =>
    makeVar(
      name,
      z.string().transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      ),
      'a comma-separated list (may be empty)',
      opts,
    ),
};

export function isConfigVar(value: ConfigVar<unknown> | ConfigSpec): value is ConfigVar<unknown> {
  return (value as ConfigVar<unknown>).kind === 'var';
}
