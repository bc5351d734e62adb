import { DynamicModule, Module } from '@nestjs/common';
import { DATA_EXPORT_KEY_PURPOSE } from '@weft/contracts';
import { EndUserPseudonyms, keyringFromSettings, secretBoxFor, type EncryptionSettings } from '@weft/security';
import { createFileStorage, type StorageSettings } from '@weft/storage';
import { DataExportRepository } from './data-export.repository';
import { DataExportService } from './data-export.service';
import { ErasureRepository } from './erasure.repository';
import { ErasureService } from './erasure.service';
import { ExportKeyUpgrade } from './export-key-upgrade.service';
import { LegalHoldRepository } from './legal-hold.repository';
import { PrivacyHandler } from './privacy.handler';
import { EXPORT_KEY_BOX, EXPORT_STORAGE, PRIVACY_SETTINGS, type PrivacySettings } from './privacy.settings';

/** GDPR rights: data exports, erasure sagas across the services, legal holds. */
@Module({})
export class PrivacyModule {
  static forRoot(settings: PrivacySettings, security: EncryptionSettings, storage: StorageSettings): DynamicModule {
    return {
      module: PrivacyModule,
      providers: [
        DataExportRepository,
        DataExportService,
        ErasureRepository,
        ErasureService,
        ExportKeyUpgrade,
        LegalHoldRepository,
        PrivacyHandler,
        { provide: EXPORT_KEY_BOX, useValue: secretBoxFor(keyringFromSettings(security), DATA_EXPORT_KEY_PURPOSE) },
        { provide: EXPORT_STORAGE, useValue: createFileStorage(storage) },
        { provide: EndUserPseudonyms, useValue: new EndUserPseudonyms(security.secretKey) },
        { provide: PRIVACY_SETTINGS, useValue: settings },
      ],
    };
  }
}
