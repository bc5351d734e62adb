import { z } from 'zod';

/** `POST .../tool-provider/builtin/{provider}/update`: Dify's body (newer releases also send a credential `name`). */
export const BuiltinCredentialsRequestSchema = z
  .object({ credentials: z.record(z.string(), z.string().max(10_000)), name: z.string().max(255).optional() })
  .passthrough();

/** A localized text as Dify's console answers it. */
const I18n = z.object({ en_US: z.string() }).passthrough();

/** A tool of a provider, as the console lists it. */
export const ToolEntitySchema = z
  .object({
    author: z.string(),
    description: I18n,
    label: I18n,
    name: z.string(),
    parameters: z.array(z.object({ form: z.string(), name: z.string(), required: z.boolean(), type: z.string() }).passthrough()),
  })
  .passthrough();

/** `GET .../tool-provider/builtin/{provider}/tools`. */
export const ToolEntityListSchema = z.array(ToolEntitySchema);

/** `GET /console/api/workspaces/current/tool-providers`: every provider the workspace can use. */
export const ToolProviderListSchema = z.array(
  z
    .object({
      id: z.string(),
      is_team_authorization: z.boolean(),
      name: z.string(),
      tools: z.array(z.unknown()),
      type: z.enum(['builtin', 'api', 'mcp']),
    })
    .passthrough(),
);

/** `GET .../tool-provider/builtin/{provider}/credentials`: the stored fields, secrets obfuscated. */
export const BuiltinCredentialsSchema = z.record(z.string(), z.string());
