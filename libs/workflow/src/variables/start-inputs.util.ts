import { getFileAttribute, isUploadFileId } from './file.util';
import { isPlainObject, isTruthy, parsePythonFloat, parsePythonInt, pyLength, pyListRepr } from './python-semantics.util';
import { StartInputProblem, StartInputsResult, StartVariable } from './start-inputs.types';
import { FILE_TRANSFER_METHODS, WorkflowFile } from './variable.types';

// Messages follow Dify's BaseAppGenerator._validate_inputs and file_factory word for word, because
// clients match on them; Dify names the variable (not its label) in every message.

type Outcome = { value: unknown } | { problem: string };

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function firstId(mapping: Record<string, unknown>, key: string): string | null {
  for (const candidate of [mapping[key], mapping['related_id']]) if (typeof candidate === 'string' && candidate !== '') return candidate;
  return null;
}

function uploadIdFormatProblem(id: string): string | null {
  return isUploadFileId(id) ? null : 'Invalid upload file id format';
}

function fileMappingProblem(entity: StartVariable, mapping: Record<string, unknown>): string | null {
  const method = mapping['transfer_method'];
  if (!isTruthy(method)) return 'transfer_method is required in file mapping';
  if (typeof method !== 'string' || !(FILE_TRANSFER_METHODS as readonly string[]).includes(method)) {
    return `No matching enum found for value '${String(method)}'`;
  }
  const hasReference = typeof mapping['reference'] === 'string' && mapping['reference'] !== '';
  let problem: string | null = null;
  switch (method) {
    case 'local_file': {
      const uploadId = firstId(mapping, 'upload_file_id');
      if (uploadId) problem = uploadIdFormatProblem(uploadId);
      else if (!hasReference) problem = 'Invalid upload file id';
      break;
    }
    case 'remote_url': {
      const uploadId = firstId(mapping, 'upload_file_id');
      if (uploadId) problem = uploadIdFormatProblem(uploadId);
      else if (!isTruthy(mapping['url']) && !isTruthy(mapping['remote_url'])) problem = 'Invalid file url';
      break;
    }
    case 'tool_file':
      if (!firstId(mapping, 'tool_file_id') && !hasReference) problem = 'ToolFile None not found';
      break;
    case 'datasource_file':
      if (!firstId(mapping, 'datasource_file_id') && !hasReference) problem = 'DatasourceFile None not found';
      break;
  }
  return problem ?? fileConfigProblem(entity, mapping as WorkflowFile);
}

// The part of Dify's is_file_valid_with_config that needs no storage lookup; the extension check for
// `custom` files needs the resolved file and is left to whoever resolves it.
function fileConfigProblem(entity: StartVariable, file: WorkflowFile): string | null {
  if (file.transfer_method === 'tool_file') return null;
  const type = typeof file.type === 'string' && file.type !== '' ? file.type : 'custom';
  const allowedTypes = entity.allowed_file_types ?? [];
  const allowedMethods = entity.allowed_file_upload_methods ?? [];
  const typeRejected = allowedTypes.length > 0 && type !== 'custom' && !allowedTypes.includes(type);
  const methodRejected = type !== 'image' && allowedMethods.length > 0 && !allowedMethods.includes(file.transfer_method);
  if (!typeRejected && !methodRejected) return null;
  const name = getFileAttribute(file, 'name') ?? getFileAttribute(file, 'url') ?? getFileAttribute(file, 'related_id');
  return `File validation failed for file: ${name ?? 'None'}`;
}

// Dify's build_from_mappings silently drops list entries without a transfer method, or remote ones
// without a url, instead of rejecting the input.
function isUsableMapping(mapping: Record<string, unknown>): boolean {
  if (!isTruthy(mapping) || !isTruthy(mapping['transfer_method'])) return false;
  return mapping['transfer_method'] !== 'remote_url' || isTruthy(mapping['url']) || isTruthy(mapping['remote_url']);
}

function validateNumber(name: string, value: unknown): Outcome {
  if (typeof value === 'number') return { value };
  if (typeof value === 'string') {
    if (value.trim() === '') return { value: null };
    const parsed = value.includes('.') ? parsePythonFloat(value) : parsePythonInt(value);
    if (parsed !== null && Number.isFinite(parsed)) return { value: parsed };
  }
  return { problem: `${name} in input form must be a valid number` };
}

function validateCheckbox(name: string, value: unknown): Outcome {
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'string') {
    const normalized = value.trim().toLowerCase();
    if (TRUE_WORDS.has(normalized)) return { value: true };
    if (FALSE_WORDS.has(normalized)) return { value: false };
  }
  if (value === 1 || value === 0) return { value: value === 1 };
  return { problem: `${name} in input form must be a boolean` };
}

function validateFileList(entity: StartVariable, value: unknown): Outcome {
  const name = entity.variable;
  if (!Array.isArray(value) || !value.every((item) => isPlainObject(item))) {
    return { problem: `${name} in input form must be a list of files` };
  }
  if (entity.max_length && value.length > entity.max_length) {
    return { problem: `${name} in input form must be less than ${entity.max_length} files` };
  }
  const usable = (value as Record<string, unknown>[]).filter((mapping) => isUsableMapping(mapping));
  for (const mapping of usable) {
    const problem = fileMappingProblem(entity, mapping);
    if (problem) return { problem };
  }
  return { value: usable };
}

function validateOne(entity: StartVariable, raw: unknown): Outcome {
  const name = entity.variable;
  let value = raw;
  if (value === null || value === undefined) {
    if (entity.required) return { problem: `${name} is required in input form` };
    value = entity.default;
    if (value === null || value === undefined) return { value: null };
  }
  if ((entity.type === 'file' || entity.type === 'file-list') && !entity.required && value === '') return { value: null };
  if ((entity.type === 'text-input' || entity.type === 'select' || entity.type === 'paragraph') && typeof value !== 'string') {
    return { problem: `(type '${entity.type}') ${name} in input form must be a string` };
  }
  switch (entity.type) {
    case 'number':
      return validateNumber(name, value);
    case 'select': {
      const options = entity.options ?? [];
      return options.includes(value as string)
        ? { value }
        : { problem: `${name} in input form must be one of the following: ${pyListRepr(options)}` };
    }
    case 'text-input':
    case 'paragraph':
      return entity.max_length && pyLength(value as string) > entity.max_length
        ? { problem: `${name} in input form must be less than ${entity.max_length} characters` }
        : { value };
    case 'file': {
      if (!isPlainObject(value)) return { problem: `${name} in input form must be a file` };
      const problem = fileMappingProblem(entity, value);
      return problem ? { problem } : { value };
    }
    case 'file-list':
      return validateFileList(entity, value);
    case 'checkbox':
      return validateCheckbox(name, value);
    case 'json_object':
      if (!isTruthy(value)) return { value: null };
      return isPlainObject(value) ? { value } : { problem: `${name} in input form must be a dict` };
    case 'external_data_tool':
      return { value };
  }
}

/**
 * Validates a run's `inputs` against the start node's variables the way Dify does: required inputs,
 * defaults for missing ones, per-control type rules and conversions (numeric strings to numbers,
 * checkbox words to booleans). Undeclared inputs are dropped; NUL characters are stripped from
 * strings. Unlike Dify, which stops at the first problem, every problem is reported.
 */
export function validateStartInputs(
  variables: readonly StartVariable[],
  inputs: Record<string, unknown> | null | undefined,
): StartInputsResult {
  const source: Record<string, unknown> = isPlainObject(inputs) ? inputs : {};
  const values: Record<string, unknown> = {};
  const problems: StartInputProblem[] = [];
  for (const entity of variables) {
    const outcome = validateOne(entity, Object.hasOwn(source, entity.variable) ? source[entity.variable] : undefined);
    if ('problem' in outcome) problems.push({ variable: entity.variable, message: outcome.problem });
    else values[entity.variable] = typeof outcome.value === 'string' ? outcome.value.replace(/\0/g, '') : outcome.value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}
