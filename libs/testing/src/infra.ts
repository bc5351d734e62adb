import { inboxPrefixOf } from '@weft/contracts';
import { connect, nkeyAuthenticator, type NatsConnection } from 'nats';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, from this file's place in libs/testing/src. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

export interface InfraUrls {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  /** The NKey seeds of the project-local NATS's users (absent with an external NATS without authentication). */
  natsCredentialsDir?: string;
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
  const natsCredentialsDir = process.env.NATS_CREDENTIALS_DIR || fromFile.NATS_CREDENTIALS_DIR;
  return {
    databaseUrl: pick('DATABASE_URL'),
    redisUrl: pick('REDIS_URL'),
    natsUrl: pick('NATS_URL'),
    ...(natsCredentialsDir ? { natsCredentialsDir } : {}),
  };
}

/** A short random suffix for names that must not collide between test files. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Bus options for a test that drives several services' subjects from one process: the operator's
 * NATS user, not checked against the contract table.
 */
export function operatorBusOptions(): { operator: true; nkeySeed?: string } {
  const dir = infraUrls().natsCredentialsDir;
  return dir ? { nkeySeed: readFileSync(join(dir, 'operator.nk'), 'utf8').trim(), operator: true } : { operator: true };
}

/** A raw NATS connection as the operator, for tests that publish or inspect wire subjects directly. */
export function connectAsOperator(servers: string = infraUrls().natsUrl): Promise<NatsConnection> {
  const { nkeySeed } = operatorBusOptions();
  return connect({
    servers,
    inboxPrefix: inboxPrefixOf('operator'),
    ...(nkeySeed ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeySeed)) } : {}),
  });
}
