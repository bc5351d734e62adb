import { z } from 'zod';

/** Where a tool a node runner calls comes from: a built-in provider, a custom OpenAPI provider or an MCP server. */
export const TOOL_PROVIDER_KINDS = ['builtin', 'api', 'mcp'] as const;
export type ToolProviderKind = (typeof TOOL_PROVIDER_KINDS)[number];

/** A node runner asks the gateway for a workspace's tool provider (its settings and decrypted credentials). */
export const ToolProviderLookupRequestSchema = z.object({
  provider: z.string().min(1).max(255),
  providerType: z.enum(TOOL_PROVIDER_KINDS),
  workspaceId: z.string().uuid(),
});

/**
 * A workspace's tool provider as the gateway stores it: `credentials` are the secrets (API keys, auth
 * headers), sealed at rest and decrypted only for this answer; `settings` is the rest (an OpenAPI
 * provider's schema and its operations, an MCP server's URL and tools).
 */
export const StoredToolProviderSchema = z.object({
  credentials: z.record(z.string(), z.string()),
  name: z.string(),
  providerType: z.enum(TOOL_PROVIDER_KINDS),
  settings: z.record(z.string(), z.unknown()),
});
export type StoredToolProvider = z.infer<typeof StoredToolProviderSchema>;

/** The provider, or null when the workspace has none by that name (for built-ins: no credentials set). */
export const ToolProviderLookupResponseSchema = z.object({ provider: StoredToolProviderSchema.nullable() });
