import { DynamicModule, Module } from '@nestjs/common';
import { DATA_EXPORT_KEY_PURPOSE } from '@weft/contracts';
import { EndUserPseudonyms, keyringFromSettings, secretBoxFor, type EncryptionSettings } from '@weft/security';
import { AppsModule } from '../apps/apps.module';
import { PrivacyController } from './privacy.controller';
import { PrivacyHandler } from './privacy.handler';
import { PrivacyRepository } from './privacy.repository';
import { EXPORT_KEY_BOX, PrivacyService } from './privacy.service';

/**
 * GDPR rights: export and erasure requests (run by the compliance service), the gateway's part of both,
 * legal holds; and, for every module, the keyed pseudonyms end users are recorded under (`EndUserPseudonyms`).
 */
@Module({})
export class PrivacyModule {
  static forRoot(security: EncryptionSettings): DynamicModule {
    return {
      module: PrivacyModule,
      global: true,
      imports: [AppsModule],
      controllers: [PrivacyController],
      providers: [
        PrivacyHandler,
        PrivacyRepository,
        PrivacyService,
        { provide: EXPORT_KEY_BOX, useValue: secretBoxFor(keyringFromSettings(security), DATA_EXPORT_KEY_PURPOSE) },
        { provide: EndUserPseudonyms, useValue: new EndUserPseudonyms(security.secretKey) },
      ],
      exports: [EndUserPseudonyms],
    };
  }
}
