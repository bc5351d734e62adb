import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlDocuments } from './manifests.util';
import { ROOT } from './deploy-tools.util';

export const COMPOSE_DIR = join(ROOT, 'deploy', 'compose');
export const COMPOSE_FILE = join(COMPOSE_DIR, 'docker-compose.prod.yml');
export const ENV_EXAMPLE = join(COMPOSE_DIR, '.env.example');

export interface ComposeService {
  image?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  command?: string[] | string;
  deploy?: { replicas?: number | string };
  volumes?: string[];
  networks?: string[];
  healthcheck?: unknown;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean } | null>;
  secrets?: Record<string, unknown>;
  [key: string]: unknown;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) values[m[1]!] = m[2]!;
  }
  return values;
}

/** The names a text interpolates (`${NAME}`, `${NAME:-default}`, `${NAME:?message}`...), `$$` escapes left out. */
export function interpolatedNames(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * Compose's interpolation, as `docker compose config` applies it: `${X}`, `${X:-default}`, `${X-default}`,
 * `${X:?message}`, `${X?message}` and `$$` for a literal `$`. A missing required variable throws.
 */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}/g,
    (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (whole === '$$') return '$';
      const value = env[name!];
      const unsetOrEmpty = value === undefined || value === '';
      switch (op) {
        case ':-':
          return unsetOrEmpty ? arg! : value;
        case '-':
          return value === undefined ? arg! : value;
        case ':?':
          if (unsetOrEmpty) throw new Error(`${name} is required: ${arg}`);
          return value;
        case '?':
          if (value === undefined) throw new Error(`${name} is required: ${arg}`);
          return value;
        default:
          return value ?? '';
      }
    },
  );
}

export function composeText(): string {
  return readFileSync(COMPOSE_FILE, 'utf8');
}

/** The Compose file as written (interpolations left in the strings). */
export function rawCompose(): ComposeFile {
  return parseYamlDocuments(composeText(), 'docker-compose.prod.yml')[0] as ComposeFile;
}

/** Interpolates every string value of a parsed document (Compose interpolates values, after parsing, never comments). */
export function interpolateValues(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateValues(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValues(v, env)]));
  return value;
}

/** The Compose file after interpolation with the given environment (e.g. .env.example filled in). */
export function interpolatedCompose(env: Record<string, string>): ComposeFile {
  return interpolateValues(rawCompose(), env) as ComposeFile;
}

/** Every string value of the Compose file as parsed (no comments), for finding what it interpolates. */
export function composeValues(value: unknown = rawCompose()): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap((v) => composeValues(v));
  if (value && typeof value === 'object') return Object.values(value).flatMap((v) => composeValues(v));
  return [];
}

/** A service's environment as a map, whichever of Compose's two forms it is written in. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (!env) return {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Services that run the Weft image (the five services and the migrations one-shot). */
export function weftServices(compose: ComposeFile): Array<[string, ComposeService]> {
  return Object.entries(compose.services).filter(
    ([, s]) => typeof s.image === 'string' && /\/weft(:|$)|^weft(:|$)|\}\/?weft|WEFT_IMAGE/.test(s.image),
  );
}
