import { z } from 'zod';

/** The HTTP methods an OpenAPI path item may hold, in the order Dify lists a schema's operations. */
export const API_TOOL_METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** An HTTP method of an OpenAPI operation. */
export type ApiToolMethod = (typeof API_TOOL_METHODS)[number];

/** Where an OpenAPI parameter travels. */
export const API_TOOL_PARAMETER_LOCATIONS = ['path', 'query', 'header', 'cookie'] as const;

const ToolParameterSpecSchema = z.object({
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  description: z.string(),
  form: z.enum(['llm', 'form']),
  name: z.string(),
  options: z.array(z.string()).optional(),
  required: z.boolean(),
  type: z.enum(['string', 'number', 'boolean', 'select', 'secret-input', 'file', 'files', 'object', 'array']),
});

/** An OpenAPI parameter of a stored operation, its `$ref`s already resolved. */
const ApiToolOperationParameterSchema = z
  .object({
    in: z.enum(API_TOOL_PARAMETER_LOCATIONS),
    name: z.string(),
    required: z.boolean().optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();

/**
 * The operation as stored (Dify's `ApiToolBundle.openapi`): its parameters and request body with local
 * `$ref`s resolved (a reference that loops back on itself stays a `$ref`), the body reduced to its first
 * content type, which is the one the call sends.
 */
export const ApiToolOperationSchema = z
  .object({
    description: z.string().optional(),
    operationId: z.string(),
    parameters: z.array(ApiToolOperationParameterSchema),
    requestBody: z
      .object({
        content: z.record(z.string(), z.object({ schema: z.record(z.string(), z.unknown()).optional() }).passthrough()),
      })
      .passthrough()
      .optional(),
    summary: z.string().optional(),
  })
  .passthrough();
export type ApiToolOperation = z.infer<typeof ApiToolOperationSchema>;

/**
 * One operation of a custom OpenAPI provider, ready to call (Dify's `ApiToolBundle`): the tool named by
 * `operation_id`, its full URL template (`servers[0].url` + path), the parameters a model or a tool node
 * fills, and the operation the request is built from.
 */
export const ApiToolBundleSchema = z.object({
  method: z.enum(API_TOOL_METHODS),
  openapi: ApiToolOperationSchema,
  operation_id: z.string().min(1),
  parameters: z.array(ToolParameterSpecSchema),
  server_url: z.string(),
  summary: z.string().nullable(),
});
export type ApiToolBundle = z.infer<typeof ApiToolBundleSchema>;

/**
 * What the gateway stores in a custom OpenAPI provider's `settings` and hands node runners (besides the
 * console's fields: the schema text, icon, labels, tools as the console lists them).
 */
export const ApiToolSettingsSchema = z.object({ bundles: z.array(ApiToolBundleSchema) }).passthrough();
export type ApiToolSettings = z.infer<typeof ApiToolSettingsSchema>;

/** How a custom OpenAPI provider authenticates (Dify's `auth_type`; `api_key` is the older name of `api_key_header`). */
export const API_TOOL_AUTH_TYPES = ['none', 'api_key', 'api_key_header', 'api_key_query'] as const;

/** What goes before the key in the auth header (Dify's `api_key_header_prefix`). */
export const API_TOOL_KEY_PREFIXES = ['basic', 'bearer', 'custom'] as const;
