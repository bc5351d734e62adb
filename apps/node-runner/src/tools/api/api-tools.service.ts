import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { StoredToolProvider } from '@weft/contracts';
import { guardedFetch, type GuardedResponse } from '@weft/outbound-http';
import { ApiToolSettingsSchema, type ApiToolBundle } from '@weft/workflow';
import { ToolRegistry, type ToolProviderKind } from '../tool-registry.service';
import { ToolInvokeError, ToolRuntimeError, type ToolCallContext, type ToolMessage, type ToolRuntime } from '../tool-runtime.types';
import { apiToolMessages, buildApiToolRequest } from './api-tool-request.util';

/** Calls one operation of a custom OpenAPI provider through the node runner's SSRF guard, and reads the answer as Dify does. */
export async function invokeApiTool(
  bundle: ApiToolBundle,
  parameters: Record<string, unknown>,
  ctx: ToolCallContext,
): Promise<ToolMessage[]> {
  const request = buildApiToolRequest(bundle, parameters, ctx.credentials);
  let response: GuardedResponse;
  try {
    response = await guardedFetch(request.url, {
      body: request.body,
      credentialHeaders: request.credentialHeaders,
      guard: ctx.http.guard,
      headers: request.headers,
      maxResponseBytes: ctx.http.maxResponseBytes,
      method: request.method,
      signal: ctx.signal,
      timeoutMs: ctx.http.timeoutMs,
    });
  } catch (error) {
    throw new ToolInvokeError((error as Error).message);
  }
  return apiToolMessages(response);
}

/** A tool of a custom OpenAPI provider: its spec (name, description, parameters) and its call. */
export function apiToolRuntime(bundle: ApiToolBundle): ToolRuntime {
  return {
    invoke: (parameters, ctx) => invokeApiTool(bundle, parameters, ctx),
    spec: { description: bundle.summary ?? '', name: bundle.operation_id, parameters: bundle.parameters },
  };
}

/**
 * The `api` provider type (Dify's custom tools from an OpenAPI schema): the gateway parses the schema
 * when an admin adds the provider and stores one bundle per operation; a tool is the bundle its
 * `operationId` names.
 */
@Injectable()
export class ApiToolProviders implements ToolProviderKind, OnModuleInit {
  constructor(private readonly registry: ToolRegistry) {}

  onModuleInit(): void {
    this.registry.registerKind('api', this);
  }

  async runtime(provider: StoredToolProvider, toolName: string): Promise<ToolRuntime> {
    const settings = ApiToolSettingsSchema.safeParse(provider.settings);
    if (!settings.success) {
      throw new ToolRuntimeError(
        `the stored schema of api tool provider "${provider.name}" cannot be read; save the provider again in the console`,
      );
    }
    const bundle = settings.data.bundles.find((candidate) => candidate.operation_id === toolName);
    if (!bundle) throw new ToolRuntimeError(`tool ${toolName} not found in api tool provider ${provider.name}`, 'ToolNotFoundError');
    return apiToolRuntime(bundle);
  }
}
