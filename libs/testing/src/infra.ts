import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, from this file's place in libs/testing/src. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface InfraUrls {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
}

/**
 * Where the tests' Postgres, Redis and NATS are: the environment first, then what `infra.sh ensure`
 * wrote to .weft/infra.env. Tests never start without them.
 */
export function infraUrls(): InfraUrls {
  const fromFile: Record<string, string> = {};
  const file = join(REPO_ROOT, '.weft', 'infra.env');
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) fromFile[m[1]] = m[2];
    }
  }
  const pick = (name: string) => {
    const value = process.env[name] || fromFile[name];
    if (!value)
      throw new Error(`${name} is not set and .weft/infra.env does not name it: run "scripts/infra/infra.sh ensure" (npm test does)`);
    return value;
  };
  return { databaseUrl: pick('DATABASE_URL'), redisUrl: pick('REDIS_URL'), natsUrl: pick('NATS_URL') };
}

/** A short random suffix for names that must not collide between test files. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
