import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { bindLegacyOnce } from '@weft/platform';
import { DatabaseService } from '@weft/persistence';
import type { SecretBox } from '@weft/security';
import { CREDENTIALS_BOX } from './app.service';
import { rotateProviderCredentials } from './credentials-rotation.util';

/**
 * At start, binds provider credentials sealed before seals were bound to their rows (format `v1`) to the
 * row each is in, so they open again: a migration has no keys, so this happens at the first start after
 * the upgrade (and `npm run secrets:rotate` does it too). The migration stopped new `v1` values from being
 * written (a check constraint), so what this finds is what was stored before the upgrade; once none is left,
 * the constraint is validated and later starts skip the pass.
 */
@Injectable()
export class ProviderCredentialsUpgrade implements OnApplicationBootstrap {
  private readonly logger = new Logger(ProviderCredentialsUpgrade.name);

  constructor(
    private readonly db: DatabaseService,
    @Inject(CREDENTIALS_BOX) private readonly box: SecretBox,
  ) {}

  onApplicationBootstrap(): void {
    void this.db
      .whenReady()
      .then(() => this.bindLegacy())
      .catch((error: unknown) =>
        this.logger.error({ err: error }, `Re-sealing provider credentials of the old format failed: ${(error as Error).message}`),
      );
  }

  /** Re-seals every credential of the old format, bound to its row; says what it did. */
  async bindLegacy(): Promise<{ refused: number; resealed: number; scanned: number }> {
    const source = this.db.dataSource;
    const count = await bindLegacyOnce(source, { name: 'CHK_provider_credentials_bound_seal', table: 'gateway.provider_credentials' }, () =>
      rotateProviderCredentials(source, this.box, { legacyOnly: true }),
    );
    const refused = count.refused ?? 0;
    if (count.resealed > 0)
      this.logger.warn(
        `${count.resealed} provider credential(s) sealed before this release were re-sealed bound to their rows (expected once, after upgrading)`,
      );
    if (refused > 0)
      this.logger.error(
        `${refused} provider credential(s) of the old format could not be opened (a key no longer configured?) and stay unreadable`,
      );
    return { refused, resealed: count.resealed, scanned: count.scanned };
  }
}
