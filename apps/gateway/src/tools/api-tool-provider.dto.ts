import { z } from 'zod';
import { ToolEntitySchema } from './tool-provider.dto';

/** Dify's `credentials` of a custom provider: `auth_type` and, for an API key, where and how it is sent. */
const CredentialsSchema = z.record(z.string(), z.string().max(10_000));

/** A provider name, as the console and tool nodes (`provider_id` / `provider_name`) spell it. */
const ProviderNameSchema = z.string().trim().min(1).max(255);

/** The emoji icon Dify's console sends (`{content, background}`). */
const IconSchema = z.record(z.string(), z.string().max(2048)).refine((icon) => Object.keys(icon).length <= 16, 'too many icon fields');

const ProviderFields = {
  credentials: CredentialsSchema,
  custom_disclaimer: z.string().max(10_000).nullish(),
  icon: IconSchema,
  labels: z.array(z.string().max(255)).max(100).nullish(),
  privacy_policy: z.string().max(2048).nullish(),
  provider: ProviderNameSchema,
  // The size limit that matters is the parser's (in bytes, with a clear message); this one only bounds the body.
  schema: z.string().min(1).max(2_000_000),
  schema_type: z.string().max(64),
};

/** `POST /console/api/workspaces/current/tool-provider/api/add`. */
export const ApiProviderAddRequestSchema = z.object(ProviderFields).passthrough();
export type ApiProviderAddRequest = z.infer<typeof ApiProviderAddRequestSchema>;

/** `POST .../tool-provider/api/update`: the same fields and the provider's current name (`original_provider`). */
export const ApiProviderUpdateRequestSchema = z.object({ ...ProviderFields, original_provider: ProviderNameSchema }).passthrough();
export type ApiProviderUpdateRequest = z.infer<typeof ApiProviderUpdateRequestSchema>;

/** `POST .../tool-provider/api/delete`. */
export const ApiProviderDeleteRequestSchema = z.object({ provider: ProviderNameSchema }).passthrough();

/** `GET .../tool-provider/api/get?provider=` and `GET .../tool-provider/api/tools?provider=`. */
export const ApiProviderQuerySchema = z.object({ provider: ProviderNameSchema }).passthrough();

/** `POST .../tool-provider/api/schema`. */
export const ApiSchemaRequestSchema = z.object({ schema: z.string().min(1).max(2_000_000) }).passthrough();

const I18n = z.object({ en_US: z.string() }).passthrough();

/** A tool parameter as Dify's `ToolParameter` serializes it. */
const ToolParameterSchema = z
  .object({
    default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
    form: z.string(),
    human_description: I18n,
    label: I18n,
    llm_description: z.string(),
    name: z.string(),
    options: z.array(z.object({ label: I18n, value: z.string() })),
    required: z.boolean(),
    type: z.string(),
  })
  .passthrough();

/** One operation as Dify's `ApiToolBundle` serializes it. */
export const ApiToolBundleAnswerSchema = z
  .object({
    author: z.string(),
    icon: z.null(),
    method: z.string(),
    openapi: z.record(z.string(), z.unknown()),
    operation_id: z.string(),
    parameters: z.array(ToolParameterSchema),
    server_url: z.string(),
    summary: z.string().nullable(),
  })
  .passthrough();

/** A field of Dify's credentials form for custom providers. */
const CredentialFieldSchema = z
  .object({ default: z.string().nullable(), name: z.string(), required: z.boolean(), type: z.string() })
  .passthrough();

/** `POST .../tool-provider/api/schema`: what the schema turns into, and how the provider may authenticate. */
export const ApiSchemaAnswerSchema = z.object({
  credentials_schema: z.array(CredentialFieldSchema),
  parameters_schema: z.array(ApiToolBundleAnswerSchema),
  schema_type: z.string(),
  warning: z.record(z.string(), z.string()),
});

/** `GET .../tool-provider/api/get`: the provider as added, its API key masked. */
export const ApiProviderAnswerSchema = z.object({
  credentials: z.record(z.string(), z.string()),
  custom_disclaimer: z.string(),
  description: z.string(),
  icon: z.record(z.string(), z.unknown()),
  labels: z.array(z.string()),
  privacy_policy: z.string(),
  schema: z.string(),
  schema_type: z.string(),
  tools: z.array(ApiToolBundleAnswerSchema),
});

/** `GET .../tool-provider/api/tools`: the provider's tools as the console lists them. */
export const ApiProviderToolsSchema = z.array(ToolEntitySchema);

/** `GET /console/api/workspaces/current/tools/api`: the workspace's custom providers with their tools. */
export const ApiProviderListSchema = z.array(
  z
    .object({
      allow_delete: z.boolean(),
      author: z.string(),
      description: I18n,
      icon: z.record(z.string(), z.unknown()),
      id: z.string(),
      is_team_authorization: z.boolean(),
      label: I18n,
      labels: z.array(z.string()),
      name: z.string(),
      team_credentials: z.record(z.string(), z.string()),
      tools: z.array(ToolEntitySchema),
      type: z.literal('api'),
    })
    .passthrough(),
);
