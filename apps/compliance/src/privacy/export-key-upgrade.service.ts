import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { bindLegacyOnce } from '@weft/platform';
import { DatabaseService } from '@weft/persistence';
import { rotateExportKeys } from './export-key-rotation.util';
import { EXPORT_KEY_BOX, type ExportKeyBox } from './privacy.settings';

/**
 * At start, binds the keys of export archives sealed before seals were bound (format `v1`) to their
 * exports, so archives made before the upgrade can still be downloaded: a migration has no keys, so this
 * happens at the first start after the upgrade (and `npm run secrets:rotate` does it too). The migration
 * stopped new `v1` keys from being written (a check constraint); once none is left, the constraint is
 * validated and later starts skip the pass.
 */
@Injectable()
export class ExportKeyUpgrade implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExportKeyUpgrade.name);

  constructor(
    private readonly db: DatabaseService,
    @Inject(EXPORT_KEY_BOX) private readonly box: ExportKeyBox,
  ) {}

  onApplicationBootstrap(): void {
    void this.db
      .whenReady()
      .then(() => this.bindLegacy())
      .catch((error: unknown) =>
        this.logger.error({ err: error }, `Re-sealing export keys of the old format failed: ${(error as Error).message}`),
      );
  }

  /** Re-seals every export key of the old format, bound to its export; says what it did. */
  async bindLegacy(): Promise<{ refused: number; resealed: number; scanned: number }> {
    const source = this.db.dataSource;
    const count = await bindLegacyOnce(source, { name: 'CHK_data_exports_bound_key', table: 'compliance.data_exports' }, () =>
      rotateExportKeys(source, this.box, { legacyOnly: true }),
    );
    const refused = count.refused ?? 0;
    if (count.resealed > 0)
      this.logger.warn(
        `${count.resealed} export archive key(s) sealed before this release were re-sealed bound to their exports (expected once, after upgrading)`,
      );
    if (refused > 0) this.logger.error(`${refused} export archive key(s) of the old format could not be opened and stay unreadable`);
    return { refused, resealed: count.resealed, scanned: count.scanned };
  }
}
