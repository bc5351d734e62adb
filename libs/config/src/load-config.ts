import { ConfigOf, ConfigSpec, ConfigVar, isConfigVar } from './config-var';

/** Thrown when the environment does not satisfy a config spec; the message names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Every variable of a spec, flattened, with its path in the config object. */
export function listConfigVars(spec: ConfigSpec, path: string[] = []): Array<{ path: string[]; variable: ConfigVar<unknown> }> {
  return Object.entries(spec).flatMap(([key, value]) =>
    isConfigVar(value) ? [{ path: [...path, key], variable: value }] : listConfigVars(value, [...path, key]),
  );
}

/**
 * In production (NODE_ENV=production, as the image sets), the secret variables of a spec left at their
 * development default (SECRET_KEY's is in the source code, so anyone can read it): a service refuses to
 * run with any of them. Elsewhere (development, tests) none.
 */
export function developmentSecretsRefused(spec: ConfigSpec, source: NodeJS.ProcessEnv = process.env): string[] {
  if (source['NODE_ENV'] !== 'production') return [];
  return listConfigVars(spec)
    .filter(
      ({ variable }) => variable.secret && variable.default !== undefined && variable.default !== '' && (source[variable.env] ?? '') === '',
    )
    .map(({ variable }) => variable.env);
}

/** Distinct characters a production secret needs at least: "aaaa…" or "1234…" of any length is no secret. */
const MIN_DISTINCT_SECRET_CHARACTERS = 12;

/**
 * In production, the secret variables whose value is too short or too repetitive to be random (their
 * `productionMinLength`), as problems naming each variable; elsewhere none.
 */
export function weakProductionSecrets(spec: ConfigSpec, source: NodeJS.ProcessEnv = process.env): string[] {
  if (source['NODE_ENV'] !== 'production') return [];
  return listConfigVars(spec).flatMap(({ variable }) => {
    const minimum = variable.productionMinLength;
    const value = source[variable.env] ?? '';
    if (!minimum || value === '') return [];
    if (value.length >= minimum && new Set(value).size >= MIN_DISTINCT_SECRET_CHARACTERS) return [];
    return [
      `${variable.env} must be at least ${minimum} random characters in production (for example the output of \`openssl rand -base64 48\`)`,
    ];
  });
}

function describeValue(variable: ConfigVar<unknown>, raw: string): string {
  return variable.secret ? '(a secret value, not shown)' : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
}

/**
 * Reads and validates a config spec against an environment. All problems are collected so that one
 * message names every bad variable.
 */
export function loadConfig<S extends ConfigSpec>(service: string, spec: S, source: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const result: Record<string, unknown> = {};
  const parsedByEnv = new Map<string, unknown>();
  const checks: Array<{ value: unknown; variable: ConfigVar<unknown> }> = [];
  for (const { path, variable } of listConfigVars(spec)) {
    const given = source[variable.env];
    const raw = given !== undefined && given !== '' ? given : variable.default;
    let value: unknown;
    if (raw === undefined) {
      const parsed = variable.schema.safeParse(undefined);
      if (!parsed.success) {
        problems.push(`${variable.env} is missing: expected ${variable.expects} (${variable.doc})`);
        continue;
      }
      value = parsed.data;
    } else {
      const parsed = variable.schema.safeParse(raw);
      if (!parsed.success) {
        problems.push(`${variable.env} is invalid: expected ${variable.expects}, got ${describeValue(variable, raw)}`);
        continue;
      }
      value = parsed.data;
    }
    parsedByEnv.set(variable.env, value);
    if (variable.check) checks.push({ value, variable });
    let node = result;
    for (const key of path.slice(0, -1)) {
      node = (node[key] ??= {}) as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  for (const { value, variable } of checks) {
    const problem = variable.check!(value, (name) => parsedByEnv.get(name));
    if (problem) problems.push(`${variable.env} is invalid: ${problem}`);
  }
  if (problems.length > 0) throw new ConfigValidationError(service, problems);
  return result as ConfigOf<S>;
}

/** The config as printable text: secrets replaced by a mask, URLs stripped of their passwords. */
export function maskConfig<S extends ConfigSpec>(spec: S, config: ConfigOf<S>): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const { path, variable } of listConfigVars(spec)) {
    let value: unknown = config;
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    let shown: unknown = value;
    if (variable.secret && value !== undefined) shown = '******';
    else if (typeof value === 'string') shown = maskUrlPassword(value);
    else if (Array.isArray(value)) shown = value.map((v) => (typeof v === 'string' ? maskUrlPassword(v) : v));
    masked[variable.env] = shown;
  }
  return masked;
}

/** Replaces the password part of a URL with a mask; other strings pass unchanged. */
export function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '******';
    return url.toString();
  } catch {
    return value;
  }
}
