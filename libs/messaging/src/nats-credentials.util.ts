import type { ConfigOf, natsConfig } from '@weft/config';
import type { ServiceName } from '@weft/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MessagingOptions } from './messaging.types';

/** The seed file of a NATS user in a credentials directory: `<dir>/<user>.nk`. */
export function nkeySeedFile(credentialsDir: string, user: ServiceName | 'operator'): string {
  return join(credentialsDir, `${user}.nk`);
}

/**
 * How a service (or the operator) authenticates to NATS: its NKey seed read from the credentials
 * directory, and TLS files when configured. A configured directory without the service's seed is a
 * deployment mistake and stops the start-up with the path it looked for.
 */
export function natsAuthOptions(
  nats: Pick<ConfigOf<typeof natsConfig>, 'credentialsDir' | 'tlsCaFile' | 'tlsCertFile' | 'tlsKeyFile'>,
  user: ServiceName | 'operator',
): Pick<MessagingOptions, 'nkeySeed' | 'tls'> {
  const options: Pick<MessagingOptions, 'nkeySeed' | 'tls'> = {};
  if (nats.credentialsDir) {
    const file = nkeySeedFile(nats.credentialsDir, user);
    let seed: string;
    try {
      seed = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new Error(
        `NATS_CREDENTIALS_DIR is set but the NKey seed of "${user}" could not be read at ${file}: ${(error as Error).message}`,
      );
    }
    if (!/^SU[A-Z2-7]{56}$/.test(seed)) throw new Error(`${file} does not hold an NKey user seed (a line starting with "SU")`);
    options.nkeySeed = seed;
  }
  if (nats.tlsCaFile || nats.tlsCertFile || nats.tlsKeyFile) {
    options.tls = {
      ...(nats.tlsCaFile ? { caFile: nats.tlsCaFile } : {}),
      ...(nats.tlsCertFile ? { certFile: nats.tlsCertFile } : {}),
      ...(nats.tlsKeyFile ? { keyFile: nats.tlsKeyFile } : {}),
    };
  }
  return options;
}
