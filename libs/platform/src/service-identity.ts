import type { ServiceName } from '@weft/contracts';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Who this process is: which service, which instance, which build, since when. */
export interface ServiceIdentity {
  service: ServiceName;
  instanceId: string;
  version: string;
  startedAt: Date;
}

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

// The version is the workspace's package version, read once; services are released together. The file
// sits two levels higher when running from dist/ than from source.
const WORKSPACE_VERSION: string = (() => {
  for (const up of [3, 4]) {
    const path = join(__dirname, ...Array<string>(up).fill('..'), 'package.json');
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
})();

export function createServiceIdentity(service: ServiceName): ServiceIdentity {
  return { service, instanceId: `${hostname()}-${process.pid}`, version: WORKSPACE_VERSION, startedAt: new Date() };
}
