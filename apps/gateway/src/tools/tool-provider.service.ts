import { Inject, Injectable, Logger } from '@nestjs/common';
import type { StoredToolProvider, ToolProviderKind } from '@weft/contracts';
import { SealedValueError, type SealBinding, type SecretBox } from '@weft/security';
import { BUILTIN_TOOL_PROVIDERS, builtinToolProvider, type BuiltinToolProviderSpec, type ToolSpec } from '@weft/workflow';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import { CREDENTIALS_BOX } from '../apps/app.service';
import { ToolProviderErrors } from './tool-provider.exception';
import { ToolProviderRepository, type ToolProviderRow } from './tool-provider.repository';

/** What a workspace's tool provider secrets are sealed to: `tool-provider|<workspace>|<type>:<name>`. */
export function toolProviderBinding(workspaceId: string, type: ToolProviderKind, name: string): SealBinding {
  return [workspaceId.toLowerCase(), `tool-provider:${type}:${name}`];
}

/** Dify's obfuscation of a secret shown back: its first 6 and last 2 characters. */
export function obfuscated(secret: string): string {
  if (secret.length <= 8) return '*'.repeat(secret.length);
  return `${secret.slice(0, 6)}${'*'.repeat(12)}${secret.slice(-2)}`;
}

/** A tool as the console lists it (Dify's `ToolApiEntity`, English labels). */
export function toolEntity(tool: ToolSpec, author: string): Record<string, unknown> {
  return {
    author,
    description: { en_US: tool.description },
    label: { en_US: tool.name },
    labels: [],
    name: tool.name,
    output_schema: null,
    parameters: tool.parameters.map((p) => ({
      default: p.default ?? null,
      form: p.form,
      human_description: { en_US: p.description },
      label: { en_US: p.name },
      llm_description: p.description,
      name: p.name,
      options: (p.options ?? []).map((value) => ({ label: { en_US: value }, value })),
      required: p.required,
      type: p.type,
    })),
  };
}

/**
 * A workspace's tool providers: the credentials of built-in providers that need an account, and (through
 * the same store) custom OpenAPI providers and MCP servers. Secrets are sealed at rest like model
 * credentials and leave the gateway only decrypted for a node runner holding a job of the workspace.
 */
@Injectable()
export class ToolProviderService {
  private readonly logger = new Logger(ToolProviderService.name);

  constructor(
    readonly repository: ToolProviderRepository,
    @Inject(CREDENTIALS_BOX) private readonly box: SecretBox,
  ) {}

  /** Seals a provider's secrets for its row; null when there are none. */
  seal(workspaceId: string, type: ToolProviderKind, name: string, secrets: Record<string, string>): string | null {
    return Object.keys(secrets).length === 0 ? null : this.box.seal(JSON.stringify(secrets), toolProviderBinding(workspaceId, type, name));
  }

  /** Opens a row's secrets; refuses (provider_not_initialize) when they do not open for this row. */
  open(row: ToolProviderRow): Record<string, string> {
    if (!row.sealed_credentials) return {};
    try {
      return JSON.parse(
        this.box.open(row.sealed_credentials, toolProviderBinding(row.workspace_id, row.provider_type, row.name)),
      ) as Record<string, string>;
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      this.logger.warn(
        `Secrets of tool provider "${row.provider_type}:${row.name}" of workspace "${row.workspace_id}" refused (${error.problem})`,
      );
      throw ToolProviderErrors.unreadable(row.name);
    }
  }

  /** The built-in provider a route names (`tavily` or `langgenius/tavily/tavily`), or 404. */
  builtin(provider: string): BuiltinToolProviderSpec {
    const spec = builtinToolProvider(provider);
    if (!spec) throw ToolProviderErrors.builtinNotFound(provider);
    return spec;
  }

  /** Stores a built-in provider's credentials (every required field, no unknown one), sealed. */
  async updateBuiltinCredentials(user: ConsoleUser, provider: string, credentials: Record<string, string>): Promise<void> {
    const spec = this.builtin(provider);
    if (spec.credentials.length === 0) throw ToolProviderErrors.noCredentials(spec.name);
    const names = spec.credentials.map((field) => field.name);
    const missing = spec.credentials
      .filter((field) => field.required && !credentials[field.name]?.trim())
      .map((f) => `${f.name} is required`);
    const unknown = Object.keys(credentials)
      .filter((field) => !names.includes(field))
      .map((field) => `${field} is not a credential of ${spec.name}`);
    if (missing.length + unknown.length > 0) throw ToolProviderErrors.credentialsInvalid([...missing, ...unknown].join('; '));
    const sealed = this.seal(user.workspaceId, 'builtin', spec.name, credentials);
    await this.repository.upsert(user.workspaceId, 'builtin', spec.name, {
      createdBy: user.accountId,
      sealedCredentials: sealed,
      settings: {},
    });
    this.logger.log(`Credentials of tool provider "${spec.name}" saved for workspace "${user.workspaceId}"`);
  }

  /** Removes a built-in provider's credentials; its tools fail again until they are set. */
  async deleteBuiltinCredentials(user: ConsoleUser, provider: string): Promise<void> {
    const spec = this.builtin(provider);
    if (!(await this.repository.delete(user.workspaceId, 'builtin', spec.name))) throw ToolProviderErrors.notFound('builtin', spec.name);
  }

  /** A built-in provider's credentials as the console may see them: secrets obfuscated. */
  async builtinCredentials(user: ConsoleUser, provider: string): Promise<Record<string, string>> {
    const spec = this.builtin(provider);
    const row = await this.repository.find(user.workspaceId, 'builtin', spec.name);
    if (!row) return {};
    const stored = this.open(row);
    return Object.fromEntries(
      Object.entries(stored).map(([name, value]) => {
        const secret = spec.credentials.find((field) => field.name === name)?.type !== 'text-input';
        return [name, secret ? obfuscated(value) : value];
      }),
    );
  }

  /** The tools of a built-in provider, as the console lists them. */
  builtinTools(provider: string): Record<string, unknown>[] {
    return this.builtin(provider).tools.map((tool) => toolEntity(tool, 'Dify'));
  }

  /** Every tool provider the workspace can use: the built-ins (authorized or not) and its own API and MCP providers. */
  async listProviders(user: ConsoleUser): Promise<Record<string, unknown>[]> {
    const rows = await this.repository.list(user.workspaceId);
    const builtin = Object.values(BUILTIN_TOOL_PROVIDERS).map((spec) => {
      const authorized = spec.credentials.length === 0 || rows.some((row) => row.provider_type === 'builtin' && row.name === spec.name);
      return {
        allow_delete: spec.credentials.length > 0 && authorized,
        author: 'Dify',
        description: { en_US: spec.description },
        icon: '',
        id: spec.name,
        is_team_authorization: authorized,
        label: { en_US: spec.label },
        labels: [],
        name: spec.name,
        team_credentials: {},
        tools: spec.tools.map((tool) => toolEntity(tool, 'Dify')),
        type: 'builtin',
      };
    });
    const own = rows
      .filter((row) => row.provider_type !== 'builtin')
      .map((row) => ({
        allow_delete: true,
        author: '',
        description: { en_US: typeof row.settings.description === 'string' ? row.settings.description : '' },
        icon: row.settings.icon ?? '',
        id: row.id,
        is_team_authorization: true,
        label: { en_US: row.name },
        labels: Array.isArray(row.settings.labels) ? row.settings.labels : [],
        name: row.name,
        team_credentials: {},
        tools: Array.isArray(row.settings.tools) ? row.settings.tools : [],
        type: row.provider_type,
      }));
    return [...builtin, ...own];
  }

  /** A provider for a node runner (settings and decrypted secrets), or null when the workspace has none. */
  async forNodeRunner(workspaceId: string, type: ToolProviderKind, provider: string): Promise<StoredToolProvider | null> {
    const name = type === 'builtin' ? (builtinToolProvider(provider)?.name ?? provider) : provider;
    const row =
      (await this.repository.find(workspaceId, type, name)) ??
      // Dify's tool nodes name custom providers by id (`provider_id`) as well as by name.
      (type === 'builtin' ? undefined : await this.repository.findById(workspaceId, provider));
    if (!row) return null;
    return { credentials: this.open(row), name: row.name, providerType: row.provider_type, settings: row.settings };
  }
}
