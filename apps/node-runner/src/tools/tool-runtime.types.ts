import type { SsrfGuard } from '@weft/outbound-http';
import type { ToolSpec, WorkflowFile } from '@weft/workflow';

/** What Dify's blob message carries besides the bytes (`meta`): the type, and a name if the tool gave one. */
export interface ToolBlobMeta {
  filename?: string;
  mime_type?: string;
}

/**
 * What a tool answers, in Dify's message kinds; the tool node folds them into `text`, `json`, `files` and
 * variables. A tool answers bytes as `blob`; `invokeTool` stores each one as a tool file and hands it on as a
 * `file` (Dify's IMAGE_LINK / BINARY_LINK after its message transformer), whose File value goes to `files`.
 */
export type ToolMessage =
  | { type: 'text'; text: string }
  | { type: 'json'; json: Record<string, unknown> }
  | { type: 'link'; url: string }
  | { type: 'blob'; blob: Buffer; meta: ToolBlobMeta }
  | { type: 'file'; file: WorkflowFile }
  | { type: 'variable'; name: string; value: unknown };

/** How tools reach the network: every call goes through the node runner's SSRF guard, with its limits. */
export interface ToolHttpOptions {
  guard: SsrfGuard;
  maxResponseBytes: number;
  timeoutMs: number;
}

/** A file parameter's bytes, as the node runner's WorkflowFileReader reads them (uploads, tool files, URLs). */
export interface ToolFileBytes {
  body: Buffer;
  contentType?: string;
  name: string;
}

/**
 * What the job lends a tool call: the files it may read and the model credentials it may use, both only
 * within the job's workspace. Absent where a tool is called outside a job (MCP listing, unit tests).
 */
export interface ToolJobServices {
  /** Reads a File value given as a parameter; throws with a message naming the file. */
  readFile(file: WorkflowFile): Promise<ToolFileBytes>;
  /** The workspace's credentials of a model provider (short name, e.g. `openai`), or null when it has none. */
  modelCredentials(provider: string): Promise<Record<string, string> | null>;
}

/** What a tool call gets besides its parameters. */
export interface ToolCallContext {
  /** The provider's credentials (empty for providers that need none). */
  credentials: Record<string, string>;
  http: ToolHttpOptions;
  /** The job's files and model credentials, for the tools that use them (audio). */
  job?: ToolJobServices;
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

/** A blob message: bytes the tool produced, stored as a tool file before the node sees them. */
export const blob = (bytes: Buffer, meta: ToolBlobMeta): ToolMessage => ({ blob: bytes, meta, type: 'blob' });
