import { DynamicModule, Global, Module } from '@nestjs/common';
import { secretBoxFor, type SecretKeyring } from '@weft/security';
import { CREDENTIALS_BOX } from './app.service';

/** The secret box that seals provider credentials at rest, over the configured keyring (ENCRYPTION_KEYS). */
@Global()
@Module({})
export class CredentialsBoxModule {
  static forRoot(keyring: SecretKeyring): DynamicModule {
    return {
      module: CredentialsBoxModule,
      providers: [{ provide: CREDENTIALS_BOX, useValue: secretBoxFor(keyring, PROVIDER_CREDENTIALS_PURPOSE) }],
      exports: [CREDENTIALS_BOX],
    };
  }
}

/** HKDF context of provider credentials; `npm run secrets:rotate` uses the same. */
export const PROVIDER_CREDENTIALS_PURPOSE = 'provider-credentials';
