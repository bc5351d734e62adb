import type { SsrfGuard } from '@weft/outbound-http';
import type { ToolSpec } from '@weft/workflow';

/** What a tool answers, in Dify's message kinds; the tool node folds them into `text`, `json`, `files` and variables. */
export type ToolMessage =
  | { type: 'text'; text: string }
  | { type: 'json'; json: Record<string, unknown> }
  | { type: 'link'; url: string }
  | { type: 'variable'; name: string; value: unknown };

/** How tools reach the network: every call goes through the node runner's SSRF guard, with its limits. */
export interface ToolHttpOptions {
  guard: SsrfGuard;
  maxResponseBytes: number;
  timeoutMs: number;
}

/** What a tool call gets besides its parameters. */
export interface ToolCallContext {
  /** The provider's credentials (empty for providers that need none). */
  credentials: Record<string, string>;
  http: ToolHttpOptions;
  signal: AbortSignal;
}

/** A tool ready to call: its description (for the node's casts and an agent's function definition) and its call. */
export interface ToolRuntime {
  spec: ToolSpec;
  invoke(parameters: Record<string, unknown>, ctx: ToolCallContext): Promise<ToolMessage[]>;
}

/** The tool ran and failed (a bad expression, the provider answered an error): Dify's `ToolInvokeError`. */
export class ToolInvokeError extends Error {
  override readonly name = 'ToolInvokeError';
}

/**
 * The tool cannot be set up for this workspace: unknown provider or tool, or credentials missing. The
 * name is the Dify error class the node's `error_type` carries.
 */
export class ToolRuntimeError extends Error {
  constructor(
    message: string,
    override readonly name:
      'ToolProviderNotFoundError' | 'ToolNotFoundError' | 'ToolProviderCredentialValidationError' = 'ToolProviderNotFoundError',
  ) {
    super(message);
  }
}

/** A text message. */
export const text = (value: string): ToolMessage => ({ text: value, type: 'text' });

/** A JSON message. */
export const json = (value: Record<string, unknown>): ToolMessage => ({ json: value, type: 'json' });
