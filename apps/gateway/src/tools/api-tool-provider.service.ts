import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@weft/contracts';
import {
  API_TOOL_AUTH_TYPES,
  API_TOOL_KEY_PREFIXES,
  ApiToolSettingsSchema,
  type ApiToolBundle,
  type ToolParameterSpec,
} from '@weft/workflow';
import type { z } from 'zod';
import type { ConsoleUser } from '../accounts/console-auth.guard';
import type {
  ApiProviderAddRequest,
  ApiProviderAnswerSchema,
  ApiProviderListSchema,
  ApiProviderUpdateRequest,
  ApiSchemaAnswerSchema,
  ApiToolBundleAnswerSchema,
} from './api-tool-provider.dto';
import { ApiToolProviderErrors } from './api-tool-provider.exception';
import { ApiSchemaError, parseApiSchema, type ParsedApiSchema } from './api-tool-schema.util';
import type { ToolProviderRow } from './tool-provider.repository';
import { toolEntity, ToolProviderService } from './tool-provider.service';

/** Dify's schema types a provider may be added as (`ApiProviderSchemaType`); the parser finds out which it is. */
const SCHEMA_TYPES = ['openapi', 'swagger', 'openai_plugin', 'openai_actions'];

/** Dify's limit on the operations of one provider. */
export const MAX_API_TOOLS = 100;

/**
 * How large a provider's stored settings (schema, tools, bundles) may be: node runners receive them over
 * the bus with every call, and a bus message is at most 1 MiB by default.
 */
export const MAX_API_PROVIDER_SETTINGS_BYTES = 768 * 1024;

const CREDENTIAL_FIELDS = ['auth_type', 'api_key_header', 'api_key_value', 'api_key_header_prefix', 'api_key_query_param'];
const SECRET_FIELDS = ['api_key_value'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QUERY_NAME = /^[A-Za-z0-9_.~-]+$/;

type ApiToolBundleAnswer = z.infer<typeof ApiToolBundleAnswerSchema>;

/** Dify's masking of a tool credential shown back: its first and last 2 characters, stars between. */
export function maskedToolSecret(secret: string): string {
  return secret.length > 6 ? `${secret.slice(0, 2)}${'*'.repeat(secret.length - 4)}${secret.slice(-2)}` : '*'.repeat(secret.length);
}

function masked(credentials: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(credentials).map(([name, value]) => [name, SECRET_FIELDS.includes(name) ? maskedToolSecret(value) : value]),
  );
}

/**
 * The credentials to store: `auth_type` and, for an API key, where it goes (header and prefix, or query
 * parameter) and the key. Fields Dify's form does not have are dropped; values a request could not carry
 * (a header name that is not one, line breaks) are refused now rather than at every call.
 */
export function normalizedCredentials(credentials: Record<string, string>): Record<string, string> {
  const authType = credentials.auth_type;
  if (authType === undefined) throw ApiToolProviderErrors.authTypeRequired();
  if (!(API_TOOL_AUTH_TYPES as readonly string[]).includes(authType)) throw ApiToolProviderErrors.invalidAuthType(authType);
  if (authType === 'none') return { auth_type: 'none' };
  const kept = Object.fromEntries(Object.entries(credentials).filter(([name]) => CREDENTIAL_FIELDS.includes(name)));
  const key = kept.api_key_value ?? '';
  if (key.trim() === '') throw ApiToolProviderErrors.credentialsInvalid(`api_key_value is required when auth_type is ${authType}`);
  if (/[\r\n\0]/.test(key)) throw ApiToolProviderErrors.credentialsInvalid('api_key_value cannot contain line breaks');
  if (authType === 'api_key_query') {
    const param = kept.api_key_query_param?.trim() || 'key';
    if (!QUERY_NAME.test(param))
      throw ApiToolProviderErrors.credentialsInvalid(`api_key_query_param "${param}" is not a query parameter name`);
    return { api_key_query_param: param, api_key_value: key, auth_type: authType };
  }
  const header = kept.api_key_header?.trim() || 'Authorization';
  if (!HEADER_NAME.test(header))
    throw ApiToolProviderErrors.credentialsInvalid(`api_key_header "${header.slice(0, 100)}" is not an HTTP header name`);
  const prefix = kept.api_key_header_prefix;
  if (prefix !== undefined && prefix !== '' && !(API_TOOL_KEY_PREFIXES as readonly string[]).includes(prefix)) {
    throw ApiToolProviderErrors.credentialsInvalid(`api_key_header_prefix must be one of ${API_TOOL_KEY_PREFIXES.join(', ')}`);
  }
  return { api_key_header: header, ...(prefix ? { api_key_header_prefix: prefix } : {}), api_key_value: key, auth_type: authType };
}

/** A parameter as Dify's `ToolParameter` serializes it. */
function difyParameter(parameter: ToolParameterSpec): ApiToolBundleAnswer['parameters'][number] {
  const words = (value: string) => ({ en_US: value, zh_Hans: value });
  return {
    default: parameter.default ?? null,
    form: parameter.form,
    human_description: words(parameter.description),
    label: words(parameter.name),
    llm_description: parameter.description,
    name: parameter.name,
    options: (parameter.options ?? []).map((value) => ({ label: words(value), value })),
    placeholder: words(parameter.description),
    required: parameter.required,
    type: parameter.type,
  };
}

/** A stored operation as Dify's `ApiToolBundle` serializes it. */
function bundleAnswer(bundle: ApiToolBundle): ApiToolBundleAnswer {
  return {
    author: '',
    icon: null,
    method: bundle.method,
    openapi: bundle.openapi,
    operation_id: bundle.operation_id,
    parameters: bundle.parameters.map(difyParameter),
    server_url: bundle.server_url,
    summary: bundle.summary,
  };
}

/** A stored operation as the console lists tools. */
function apiToolEntity(bundle: ApiToolBundle): Record<string, unknown> {
  return toolEntity({ description: bundle.summary ?? '', name: bundle.operation_id, parameters: bundle.parameters }, '');
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const iconOf = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { background: '#252525', content: '😁' };
const labelsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((label): label is string => typeof label === 'string') : [];

/** Dify's credentials form for custom providers, as `POST .../api/schema` answers it. */
const CREDENTIALS_SCHEMA = [
  {
    default: 'none',
    help: null,
    name: 'auth_type',
    options: [
      { label: { en_US: 'None', zh_Hans: '无' }, value: 'none' },
      { label: { en_US: 'Api Key', zh_Hans: 'Api Key' }, value: 'api_key' },
    ],
    placeholder: { en_US: 'Select auth type', zh_Hans: '选择认证方式' },
    required: true,
    type: 'select',
  },
  {
    default: 'api_key',
    help: { en_US: 'HTTP header name for api key', zh_Hans: 'HTTP 头部字段名，用于传递 api key' },
    name: 'api_key_header',
    options: [],
    placeholder: { en_US: 'Enter api key header', zh_Hans: '输入 api key header，如：X-API-KEY' },
    required: false,
    type: 'text-input',
  },
  {
    default: '',
    help: null,
    name: 'api_key_value',
    options: [],
    placeholder: { en_US: 'Enter api key', zh_Hans: '输入 api key' },
    required: false,
    type: 'text-input',
  },
];

/**
 * A workspace's custom tool providers from OpenAPI schemas (Dify's `api` provider type), with Dify's
 * console routes: the schema is parsed when the provider is added or updated (untrusted text: bounded
 * size, depth and `$ref` expansion, nothing fetched), one tool per operation is stored with the
 * provider, and the credentials (the API key) are sealed to the provider's row like other tool secrets.
 */
@Injectable()
export class ApiToolProviderService {
  private readonly logger = new Logger(ApiToolProviderService.name);

  constructor(private readonly providers: ToolProviderService) {}

  /** The schema's operations as tools, or `invalid schema: ...` (Dify's `parser_api_schema`). */
  parseSchema(schema: string): z.infer<typeof ApiSchemaAnswerSchema> {
    const parsed = this.parsed(schema);
    return {
      credentials_schema: CREDENTIALS_SCHEMA,
      parameters_schema: parsed.bundles.map(bundleAnswer),
      schema_type: parsed.schemaType,
      warning: parsed.warnings,
    };
  }

  /** Adds a provider; its name must be new in the workspace. */
  async add(user: ConsoleUser, body: ApiProviderAddRequest): Promise<void> {
    if (!SCHEMA_TYPES.includes(body.schema_type)) throw ApiToolProviderErrors.invalidSchemaType(body.schema_type);
    const parsed = this.parsed(body.schema);
    if (parsed.bundles.length > MAX_API_TOOLS) throw ApiToolProviderErrors.tooManyTools();
    const credentials = normalizedCredentials(body.credentials);
    const name = body.provider;
    const row = await this.providers.repository.insert(user.workspaceId, 'api', name, {
      createdBy: user.accountId,
      sealedCredentials: this.providers.seal(user.workspaceId, 'api', name, credentials),
      settings: this.settings(parsed, body),
    });
    if (!row) throw ApiToolProviderErrors.exists(name);
    this.logger.log(`Custom tool provider "${name}" with ${parsed.bundles.length} tools added to workspace "${user.workspaceId}"`);
  }

  /**
   * Replaces a provider's schema, credentials and details, and renames it when `provider` differs from
   * `original_provider` (the secrets are sealed again, to the new name). A masked key sent back unchanged
   * keeps the stored key, as in Dify.
   */
  async update(user: ConsoleUser, body: ApiProviderUpdateRequest): Promise<void> {
    if (!SCHEMA_TYPES.includes(body.schema_type)) throw ApiToolProviderErrors.invalidSchemaType(body.schema_type);
    const row = await this.providers.repository.find(user.workspaceId, 'api', body.original_provider);
    if (!row) throw ApiToolProviderErrors.notFoundForUpdate(body.provider);
    const parsed = this.parsed(body.schema);
    if (parsed.bundles.length > MAX_API_TOOLS) throw ApiToolProviderErrors.tooManyTools();
    const stored = this.openOrNone(row);
    const storedMasked = masked(stored);
    const given = Object.fromEntries(
      Object.entries(body.credentials).map(([field, value]) =>
        SECRET_FIELDS.includes(field) && stored[field] !== undefined && value === storedMasked[field]
          ? [field, stored[field]]
          : [field, value],
      ),
    );
    const credentials = normalizedCredentials(given);
    const updated = await this.providers.repository.update(user.workspaceId, row.id, {
      name: body.provider,
      sealedCredentials: this.providers.seal(user.workspaceId, 'api', body.provider, credentials),
      settings: this.settings(parsed, body),
    });
    if (!updated) throw ApiToolProviderErrors.exists(body.provider);
    this.logger.log(`Custom tool provider "${body.original_provider}" of workspace "${user.workspaceId}" updated as "${body.provider}"`);
  }

  /** Deletes a provider; tool nodes naming it fail from then on. */
  async delete(user: ConsoleUser, provider: string): Promise<void> {
    if (!(await this.providers.repository.delete(user.workspaceId, 'api', provider))) throw ApiToolProviderErrors.notAdded(provider);
    this.logger.log(`Custom tool provider "${provider}" deleted from workspace "${user.workspaceId}"`);
  }

  /** The provider as added: schema, tools, details, and its credentials with the key masked. */
  async get(user: ConsoleUser, provider: string): Promise<z.infer<typeof ApiProviderAnswerSchema>> {
    const row = await this.row(user, provider);
    const settings = row.settings;
    return {
      credentials: masked(this.openOrNone(row)),
      custom_disclaimer: text(settings.custom_disclaimer),
      description: text(settings.description),
      icon: iconOf(settings.icon),
      labels: labelsOf(settings.labels),
      privacy_policy: text(settings.privacy_policy),
      schema: text(settings.schema),
      schema_type: text(settings.schema_type) || 'openapi',
      tools: this.bundles(row).map(bundleAnswer),
    };
  }

  /** The provider's tools as the console lists them. */
  async tools(user: ConsoleUser, provider: string): Promise<Record<string, unknown>[]> {
    return this.bundles(await this.row(user, provider)).map(apiToolEntity);
  }

  /** Every custom provider of the workspace, with its tools (Dify's `list_api_tools`). */
  async list(user: ConsoleUser): Promise<z.infer<typeof ApiProviderListSchema>> {
    const rows = await this.providers.repository.list(user.workspaceId, 'api');
    return rows.map((row) => ({
      allow_delete: true,
      author: '',
      description: { en_US: text(row.settings.description), zh_Hans: text(row.settings.description) },
      icon: iconOf(row.settings.icon),
      id: row.id,
      is_team_authorization: true,
      label: { en_US: row.name, zh_Hans: row.name },
      labels: labelsOf(row.settings.labels),
      name: row.name,
      team_credentials: masked(this.openOrNone(row)),
      tools: this.bundles(row).map(apiToolEntity) as z.infer<typeof ApiProviderListSchema>[number]['tools'],
      type: 'api' as const,
    }));
  }

  private parsed(schema: string): ParsedApiSchema {
    try {
      return parseApiSchema(schema);
    } catch (error) {
      if (error instanceof ApiSchemaError) throw ApiToolProviderErrors.invalidSchema(error.message);
      if (error instanceof RangeError) throw ApiToolProviderErrors.invalidSchema('the schema is nested too deeply to read');
      throw error;
    }
  }

  /**
   * What the provider's row keeps besides its secrets: the schema as given, the bundles node runners call,
   * the tools as the console lists them (`GET .../tool-providers` reads them) and the console's details.
   */
  private settings(parsed: ParsedApiSchema, body: ApiProviderAddRequest): Record<string, unknown> {
    const settings = {
      bundles: parsed.bundles,
      custom_disclaimer: body.custom_disclaimer ?? '',
      description: parsed.description,
      icon: body.icon,
      labels: body.labels ?? [],
      privacy_policy: body.privacy_policy ?? '',
      schema: body.schema,
      schema_type: parsed.schemaType,
      tools: parsed.bundles.map(apiToolEntity),
    };
    const bytes = Buffer.byteLength(JSON.stringify(settings), 'utf8');
    if (bytes > MAX_API_PROVIDER_SETTINGS_BYTES) throw ApiToolProviderErrors.tooLarge(bytes, MAX_API_PROVIDER_SETTINGS_BYTES);
    return settings;
  }

  private async row(user: ConsoleUser, provider: string): Promise<ToolProviderRow> {
    const row = await this.providers.repository.find(user.workspaceId, 'api', provider);
    if (!row) throw ApiToolProviderErrors.notAdded(provider);
    return row;
  }

  /** The row's secrets, or none when they no longer open (the console shows the provider so an admin can save it again). */
  private openOrNone(row: ToolProviderRow): Record<string, string> {
    try {
      return this.providers.open(row);
    } catch (error) {
      if (error instanceof DomainError) return {};
      throw error;
    }
  }

  private bundles(row: ToolProviderRow): ApiToolBundle[] {
    const settings = ApiToolSettingsSchema.safeParse(row.settings);
    return settings.success ? settings.data.bundles : [];
  }
}
