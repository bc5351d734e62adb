/** A path into the variable pool: `[nodeId, name, ...path]`. */
export type Selector = readonly string[];

/** Node ids the pool reserves for system, environment and conversation variables. */
export const RESERVED_NODE_IDS = ['sys', 'env', 'conversation'] as const;
/** One of `RESERVED_NODE_IDS`. */
export type ReservedNodeId = (typeof RESERVED_NODE_IDS)[number];

/** The `sys.*` variables a run starts with. */
export const SYSTEM_VARIABLE_NAMES = [
  'query',
  'files',
  'conversation_id',
  'dialogue_count',
  'user_id',
  'app_id',
  'workflow_id',
  'workflow_run_id',
  'timestamp',
] as const;
/** One of `SYSTEM_VARIABLE_NAMES`. */
export type SystemVariableName = (typeof SYSTEM_VARIABLE_NAMES)[number];

/** Values of the `sys.*` variables; chatflow-only ones are absent in plain workflow runs. */
export interface SystemVariables {
  app_id?: string;
  conversation_id?: string;
  dialogue_count?: number;
  files?: WorkflowFile[];
  query?: string;
  timestamp?: number;
  user_id?: string;
  workflow_id?: string;
  workflow_run_id?: string;
}

/** Dify's declared variable types (end outputs, code outputs, conversation and loop variables). */
export const VARIABLE_VALUE_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'file',
  'array[string]',
  'array[number]',
  'array[object]',
  'array[boolean]',
  'array[file]',
  'secret',
] as const;
/** One of `VARIABLE_VALUE_TYPES`. */
export type VariableValueType = (typeof VARIABLE_VALUE_TYPES)[number];

/** How a file reached the workflow (Dify's `FileTransferMethod`). */
export const FILE_TRANSFER_METHODS = ['local_file', 'remote_url', 'tool_file', 'datasource_file'] as const;
/** One of `FILE_TRANSFER_METHODS`. */
export type FileTransferMethod = (typeof FILE_TRANSFER_METHODS)[number];

/** The attributes a selector or a sub-condition can read from a file (Dify's `FileAttribute`). */
export const FILE_ATTRIBUTES = ['type', 'size', 'name', 'mime_type', 'transfer_method', 'url', 'extension', 'related_id'] as const;
/** One of `FILE_ATTRIBUTES`. */
export type FileAttribute = (typeof FILE_ATTRIBUTES)[number];

/** Dify's serialised file marker, present on files produced by Dify's `File.to_dict()`. */
export const FILE_MODEL_IDENTITY = '__dify__file__';

/**
 * A file as it travels through the pool: either a client mapping (`transfer_method` plus
 * `upload_file_id` or `url`) or a resolved file in Dify's `File.to_dict()` shape.
 */
export interface WorkflowFile {
  dify_model_identity?: string;
  extension?: string | null;
  filename?: string | null;
  id?: string | null;
  mime_type?: string | null;
  related_id?: string | null;
  remote_url?: string | null;
  size?: number;
  tool_file_id?: string | null;
  transfer_method: FileTransferMethod;
  type?: string;
  upload_file_id?: string | null;
  url?: string | null;
  [key: string]: unknown;
}
