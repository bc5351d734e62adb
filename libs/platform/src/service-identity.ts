import type { ServiceName } from '@weft/contracts';
import { hostname } from 'node:os';

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
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../../package.json') as { version: string }).version;
  } catch {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('../../../../package.json') as { version: string }).version;
    } catch {
      return '0.0.0';
    }
  }
})();

export function createServiceIdentity(service: ServiceName): ServiceIdentity {
  return { service, instanceId: `${hostname()}-${process.pid}`, version: WORKSPACE_VERSION, startedAt: new Date() };
}
