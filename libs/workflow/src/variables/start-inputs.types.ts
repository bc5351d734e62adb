/** Start-node form control types (Dify's `VariableEntityType`). */
export const START_VARIABLE_TYPES = [
  'text-input',
  'paragraph',
  'select',
  'number',
  'file',
  'file-list',
  'checkbox',
  'json_object',
  'external_data_tool',
] as const;
/** One of `START_VARIABLE_TYPES`. */
export type StartVariableType = (typeof START_VARIABLE_TYPES)[number];

/** One entry of a start node's `variables[]`, with the DSL's field names. */
export interface StartVariable {
  allowed_file_extensions?: readonly string[] | null;
  allowed_file_types?: readonly string[] | null;
  allowed_file_upload_methods?: readonly string[] | null;
  default?: unknown;
  description?: string | null;
  hide?: boolean;
  json_schema?: unknown;
  label?: string;
  max_length?: number | null;
  options?: readonly string[] | null;
  required?: boolean;
  type: StartVariableType;
  variable: string;
}

/** One rejected input, with Dify's `invalid_param` wording in `message`. */
export interface StartInputProblem {
  message: string;
  variable: string;
}

/** Accepted inputs (declared variables only, converted and defaulted) or every problem found. */
export type StartInputsResult = { ok: true; values: Record<string, unknown> } | { ok: false; problems: StartInputProblem[] };
