import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { bindLegacyOnce } from '@weft/platform';
import { DatabaseService } from '@weft/persistence';
import type { SecretBox } from '@weft/security';
import { rotateWorkflowSecrets } from './secret-rotation.util';
import { SECRETS_BOX } from './workflow-cache.service';

/**
 * At start, binds workflow secrets sealed before seals were bound to their app (format `v1`) to the app
 * whose row holds them, so they open again: a migration has no keys, so this happens at the first start
 * after the upgrade (and `npm run secrets:rotate` does it too). The migration stopped new `v1` secrets from
 * being written (a check constraint), so what this finds is what was stored before the upgrade; once none is
 * left, the constraint is validated and later starts skip the pass.
 */
@Injectable()
export class WorkflowSecretsUpgrade implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkflowSecretsUpgrade.name);

  constructor(
    private readonly db: DatabaseService,
    @Inject(SECRETS_BOX) private readonly box: SecretBox,
  ) {}

  onApplicationBootstrap(): void {
    void this.db
      .whenReady()
      .then(() => this.bindLegacy())
      .catch((error: unknown) =>
        this.logger.error({ err: error }, `Re-sealing workflow secrets of the old format failed: ${(error as Error).message}`),
      );
  }

  /** Re-seals every workflow secret of the old format, bound to its app; says what it did. */
  async bindLegacy(): Promise<{ refused: number; resealed: number; scanned: number }> {
    const source = this.db.dataSource;
    // Scanning every workflow document is costly: done until no old value is left, then never again.
    const count = await bindLegacyOnce(source, { name: 'CHK_workflows_bound_secrets', table: 'orchestrator.workflows' }, () =>
      rotateWorkflowSecrets(source, this.box, { legacyOnly: true }),
    );
    const refused = count.refused ?? 0;
    if (count.resealed > 0)
      this.logger.warn(
        `${count.resealed} workflow secret(s) sealed before this release were re-sealed bound to their apps (expected once, after upgrading)`,
      );
    if (refused > 0)
      this.logger.error(
        `${refused} workflow secret(s) of the old format could not be opened (a key no longer configured?) and stay unreadable`,
      );
    return { refused, resealed: count.resealed, scanned: count.scanned };
  }
}
