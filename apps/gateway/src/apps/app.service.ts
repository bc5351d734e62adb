import { AuditService } from '@weft/audit';
import type { RequestClientInfo } from '@weft/platform';
import { ApiKeyCache } from '../service-api/api-key-cache.service';
import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppErrors, AuthErrors, DomainError, WorkflowErrors } from '@weft/contracts';
import { MessageBus } from '@weft/messaging';
import { SealedValueError, SecretBox, type SealBinding } from '@weft/security';
import { CURRENT_DSL_VERSION } from '@weft/workflow';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { ProviderCredentialErrors } from './app.exception';
import { toAppResponse, type AppPage, type ImportResponse, type PublishAnswer } from './app.dto';
import { AppRepository, type ApiKeyRow, type AppRow } from './app.repository';

export const CREDENTIALS_BOX = Symbol('CREDENTIALS_BOX');

/** Providers whose credentials the console accepts, with the fields each requires (Dify's names). */
const PROVIDER_FIELDS: Record<string, { optional: string[]; required: string[] }> = {
  anthropic: { optional: ['anthropic_api_url'], required: ['anthropic_api_key'] },
  openai: { optional: ['openai_api_base', 'openai_organization'], required: ['openai_api_key'] },
  openai_api_compatible: { optional: ['api_key', 'endpoint_model_name'], required: ['endpoint_url'] },
};

/**
 * What a workspace's credentials for one provider are sealed to (`provider-credentials|<workspace id>|<provider>`),
 * the id lower-cased as Postgres writes it.
 */
export function providerCredentialsBinding(workspaceId: string, provider: string): SealBinding {
  return [workspaceId.toLowerCase(), provider];
}

/** `langgenius/openai/openai` → `openai`; short names stay as they are. */
export function shortProviderName(provider: string): string {
  return provider.split('/').pop()!.trim().toLowerCase();
}

/** Apps: DSL import and export, publishing, API keys and provider credentials. */
@Injectable()
export class AppService {
  private readonly logger = new Logger(AppService.name);

  constructor(
    private readonly apps: AppRepository,
    private readonly bus: MessageBus,
    @Inject(CREDENTIALS_BOX) private readonly box: SecretBox,
    private readonly keyCache: ApiKeyCache,
    private readonly audit: AuditService,
  ) {}

  /**
   * Imports a DSL: the orchestrator parses, checks and stores it as the new app's draft (every problem is
   * listed in a failed answer; nothing is stored unless the whole app is valid), then the app row is made.
   */
  async import(
    user: ConsoleUser,
    yaml: string,
    overrides: { description?: string; icon?: string; icon_background?: string; icon_type?: string; name?: string },
  ): Promise<ImportResponse> {
    const id = randomUUID();
    const appId = randomUUID();
    const base = { app_id: null, app_mode: null, current_dsl_version: CURRENT_DSL_VERSION, id, imported_dsl_version: '' };
    const imported = await this.bus.request('wf.workflow.import.v1', {
      accountId: user.accountId,
      appId,
      workspaceId: user.workspaceId,
      yaml,
    });
    const problems = imported.problems.map((p) => ({ code: p.code, message: p.message, node_id: p.nodeId, path: p.path }));
    const app = imported.app;
    if (problems.length > 0 || !app) {
      return {
        ...base,
        app_mode: app?.mode ?? null,
        error: problems.map((p) => p.message).join('\n'),
        imported_dsl_version: app?.version ?? '',
        problems,
        status: 'failed',
      };
    }
    let row: AppRow;
    try {
      row = await this.apps.create(
        {
          description: overrides.description ?? app.description,
          icon: overrides.icon ?? app.icon,
          iconBackground: overrides.icon_background ?? app.iconBackground,
          iconType: overrides.icon_type ?? app.iconType,
          id: appId,
          mode: app.mode,
          modelConfig: app.modelConfig,
          name: overrides.name ?? app.name,
          useIconAsAnswerIcon: app.useIconAsAnswerIcon,
          workspaceId: user.workspaceId,
        },
        user.accountId,
      );
    } catch (error) {
      // The draft stored for an app that was not made is forgotten again.
      await this.bus.request('wf.app.delete.v1', { appId, workspaceId: user.workspaceId }).catch(() => undefined);
      throw error;
    }
    // Reference problems do not stop an import (Dify resolves them to empty values at run time); they are listed.
    const warned = (imported.warningProblems ?? []).map((p) => ({ code: p.code, message: p.message, node_id: p.nodeId, path: p.path }));
    const warnings = [...imported.warnings, ...warned.map((p) => p.message)];
    return {
      ...base,
      app_id: row.id,
      app_mode: row.mode,
      error: warnings.join('\n'),
      imported_dsl_version: app.version,
      problems: warned,
      status: warnings.length > 0 ? 'completed-with-warnings' : 'completed',
    };
  }

  /** A page of the workspace's apps, newest first. */
  async list(user: ConsoleUser, page: number, limit: number): Promise<AppPage> {
    const { apps, total } = await this.apps.list(user.workspaceId, limit, (page - 1) * limit);
    return { data: apps.map(toAppResponse), has_more: page * limit < total, limit, page, total };
  }

  /** The app as Dify DSL YAML, written by the orchestrator with every secret blanked (docs/operations.md). */
  async export(user: ConsoleUser, appId: string): Promise<string> {
    const app = await this.requireApp(user, appId);
    const meta = {
      description: app.description,
      icon: app.icon,
      iconBackground: app.iconBackground,
      mode: app.mode,
      name: app.name,
      useIconAsAnswerIcon: app.useIconAsAnswerIcon,
    };
    return (
      await this.bus.request('wf.workflow.export.v1', {
        app: meta,
        appId: app.id,
        modelConfig: app.modelConfig,
        workspaceId: user.workspaceId,
      })
    ).yaml;
  }

  /** Publishes the draft; the Service API runs the newest published version. */
  async publish(user: ConsoleUser, appId: string): Promise<PublishAnswer> {
    const app = await this.requireApp(user, appId);
    if (app.modelConfig) throw WorkflowErrors.modeHasNothingToPublish();
    const published = await this.bus.request('wf.workflow.publish.v1', {
      accountId: user.accountId,
      appId: app.id,
      workspaceId: user.workspaceId,
    });
    return {
      created_at: Math.floor(new Date(published.createdAt).getTime() / 1000),
      result: 'success',
      version: published.version,
      workflow_id: published.workflowId,
    };
  }

  /** Creates an app key; the token is returned this once and only its hash is kept. */
  async createKey(user: ConsoleUser, appId: string, client: RequestClientInfo): Promise<{ key: ApiKeyRow; token: string }> {
    const app = await this.requireApp(user, appId);
    const token = `app-${randomBytes(24).toString('base64url')}`;
    const key = await this.apps.createKey(user.workspaceId, app.id, 'app', token, user.accountId);
    this.audit.record({
      action: 'api_key.created',
      actor: { type: 'account', id: user.accountId },
      resource: { type: 'api_key', id: key.id },
      workspaceId: user.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { app_id: app.id, key_type: 'app' },
    });
    return { key, token };
  }

  /**
   * Deletes an app: first the orchestrator forgets its workflows, runs and conversations, then the gateway its
   * keys (every replica drops them at once), end users and the app itself. Each step is idempotent, so a DELETE that
   * failed halfway can simply be sent again.
   */
  async deleteApp(user: ConsoleUser, appId: string, client: RequestClientInfo): Promise<void> {
    const app = await this.requireApp(user, appId);
    const orchestrator = await this.bus.request('wf.app.delete.v1', { appId: app.id, workspaceId: user.workspaceId });
    const gateway = await this.apps.deleteApp(user.workspaceId, app.id);
    if (!gateway) throw AppErrors.notFound();
    for (const keyId of gateway.keyIds) this.keyCache.announceRevoked(keyId);
    this.audit.record({
      action: 'app.deleted',
      actor: { type: 'account', id: user.accountId },
      resource: { type: 'app', id: app.id },
      workspaceId: user.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { app_mode: app.mode, deleted: { ...gateway.deleted, ...orchestrator.deleted } },
    });
  }

  /** Revokes one of the app's keys and tells every gateway replica to forget it. */
  async revokeKey(user: ConsoleUser, appId: string, keyId: string, client: RequestClientInfo): Promise<void> {
    const app = await this.requireApp(user, appId);
    if (!(await this.apps.deleteKey(user.workspaceId, app.id, keyId))) throw AuthErrors.apiKeyNotFound();
    this.keyCache.announceRevoked(keyId);
    this.audit.record({
      action: 'api_key.revoked',
      actor: { type: 'account', id: user.accountId },
      resource: { type: 'api_key', id: keyId },
      workspaceId: user.workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { app_id: app.id, key_type: 'app' },
    });
  }

  async listKeys(user: ConsoleUser, appId: string): Promise<ApiKeyRow[]> {
    const app = await this.requireApp(user, appId);
    return this.apps.listKeys(user.workspaceId, app.id);
  }

  async requireApp(user: ConsoleUser, appId: string): Promise<AppRow> {
    const app = await this.apps.find(user.workspaceId, appId);
    if (!app) throw AppErrors.notFound();
    return app;
  }

  /** Stores a provider's credentials, sealed; answers nothing of them back. */
  async saveProviderCredentials(user: ConsoleUser, provider: string, credentials: Record<string, string>): Promise<void> {
    const name = shortProviderName(provider);
    const fields = PROVIDER_FIELDS[name];
    if (!fields) throw new DomainError('invalid_param', `Provider ${provider} does not exist.`);
    const missing = fields.required.filter((f) => !credentials[f]?.trim());
    const unknown = Object.keys(credentials).filter((f) => !fields.required.includes(f) && !fields.optional.includes(f));
    if (missing.length > 0 || unknown.length > 0) {
      const problems = [...missing.map((f) => `${f} is required`), ...unknown.map((f) => `${f} is not a credential of ${name}`)];
      throw new DomainError('invalid_param', problems.join('; '));
    }
    const sealed = this.box.seal(JSON.stringify(credentials), providerCredentialsBinding(user.workspaceId, name));
    await this.apps.saveProviderCredentials(user.workspaceId, name, sealed);
    this.logger.log(`Credentials of provider "${name}" saved for workspace "${user.workspaceId}"`);
  }

  /** Decrypted credentials for a node runner, or null when the workspace has none for the provider. */
  async providerCredentials(workspaceId: string, provider: string): Promise<Record<string, string> | null> {
    const name = shortProviderName(provider);
    const sealed = await this.apps.providerCredentials(workspaceId, name);
    if (!sealed) return null;
    try {
      return JSON.parse(this.box.open(sealed, providerCredentialsBinding(workspaceId, name))) as Record<string, string>;
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      this.logger.warn(`Credentials of provider "${name}" of workspace "${workspaceId}" refused (${error.problem}): ${error.message}`);
      throw ProviderCredentialErrors.unreadable(name);
    }
  }
}
