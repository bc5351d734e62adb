import { JSONPath } from 'jsonpath-plus';
import { isPlainObject, pyEquals, pyStr, toPythonJson } from '@weft/workflow';
import { text, type ToolMessage } from '../tool-runtime.types';

// The `json_process` provider (parse, insert, replace, delete), answering as Dify's plugin of that name:
// the result is always a text message, and a problem with the input is that text, not a failure.

interface Match {
  value: unknown;
  parent: unknown;
  parentProperty: string | number;
}

/** Python's `json.dumps(value, ensure_ascii=...)`. */
export function pythonJsonDumps(value: unknown, ensureAscii: boolean): string {
  const dumped = toPythonJson(value);
  return ensureAscii ? dumped.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : dumped;
}

/**
 * What a JSONPath matches, with each match's parent so it can be changed in place. Script expressions
 * (`?()`, `()`) are refused: the path is user input and is never evaluated as code.
 */
function find(data: unknown, path: string): Match[] {
  if (data === null || typeof data !== 'object') return [];
  const found = JSONPath({ eval: false, json: data as object, path, resultType: 'all', wrap: true }) as unknown as Match[];
  return found.filter((match) => match.parent !== null && match.parent !== undefined);
}

function flag(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function param(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `parse`: the values a JSONPath filter selects; one value alone, several as a JSON list, none as empty. */
export function parseTool(params: Record<string, unknown>): ToolMessage[] {
  const content = param(params, 'content');
  if (!content) return [text('Invalid parameter content')];
  const filter = param(params, 'json_filter');
  if (!filter) return [text('Invalid parameter json_filter')];
  const ensureAscii = flag(params.ensure_ascii, true);
  try {
    const values = find(JSON.parse(content), filter).map((match) => match.value);
    if (values.length === 0) return [text('')];
    const result = values.length === 1 ? values[0] : values;
    return [text(typeof result === 'object' && result !== null ? pythonJsonDumps(result, ensureAscii) : pyStr(result))];
  } catch (error) {
    return [text(errorText(error))];
  }
}

function decode(value: string, what: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { message: `Cannot decode ${what} value to json object`, ok: false };
  }
}

/** Creates the path `a.b[0].c` in `data`, setting its last key to `value` (what `create_path` does when nothing matches). */
function createPath(data: Record<string, unknown>, query: string, value: unknown): void {
  const parts = query.replace(/^[$.]+|[$.]+$/g, '').split('.');
  let current: Record<string, unknown> = data;
  parts.forEach((part, i) => {
    const indexed = /^(.*)\[(\d+)\]$/.exec(part);
    if (indexed) {
      const [, name, index] = indexed;
      if (!Array.isArray(current[name])) current[name] = [];
      const list = current[name] as unknown[];
      while (list.length <= Number(index)) list.push({});
      current = list[Number(index)] as Record<string, unknown>;
      return;
    }
    if (i === parts.length - 1) current[part] = value;
    else if (!isPlainObject(current[part])) current[part] = {};
    current = current[part] as Record<string, unknown>;
  });
}

/** `insert`: merges into matched objects, inserts into matched lists, replaces matched scalars. */
export function insertTool(params: Record<string, unknown>): ToolMessage[] {
  const content = param(params, 'content');
  if (!content) return [text('Invalid parameter content')];
  const query = param(params, 'query');
  if (!query) return [text('Invalid parameter query')];
  let newValue: unknown = param(params, 'new_value');
  if (newValue === '') return [text('Invalid parameter new_value')];
  const ensureAscii = flag(params.ensure_ascii, true);
  try {
    const data: unknown = JSON.parse(content);
    if (params.value_decode === true) {
      const decoded = decode(newValue as string, 'new');
      if (!decoded.ok) return [text(decoded.message)];
      newValue = decoded.value;
    }
    const matches = find(data, query);
    if (matches.length === 0 && params.create_path === true && isPlainObject(data)) {
      createPath(data, query, newValue);
    } else {
      for (const match of matches) {
        if (isPlainObject(match.value)) {
          if (!isPlainObject(newValue)) throw new Error('Cannot insert non-dict value into dict');
          Object.assign(match.value, newValue);
        } else if (Array.isArray(match.value)) {
          const index = params.index === undefined || params.index === null ? undefined : Math.trunc(Number(params.index));
          if (index === undefined || !Number.isFinite(index)) match.value.push(newValue);
          else match.value.splice(index < 0 ? Math.max(0, match.value.length + index) : index, 0, newValue);
        } else {
          (match.parent as Record<string | number, unknown>)[match.parentProperty] = newValue;
        }
      }
    }
    return [text(pythonJsonDumps(data, ensureAscii))];
  } catch (error) {
    return [text(errorText(error))];
  }
}

/** `replace`: a text pattern inside matched strings, the matched key, or the matched value. */
export function replaceTool(params: Record<string, unknown>): ToolMessage[] {
  const content = param(params, 'content');
  if (!content) return [text('Invalid parameter content')];
  const query = param(params, 'query');
  if (!query) return [text('Invalid parameter query')];
  const replaceValue = param(params, 'replace_value');
  if (!replaceValue) return [text('Invalid parameter replace_value')];
  const model = param(params, 'replace_model');
  if (!model) return [text('Invalid parameter replace_model')];
  const ensureAscii = flag(params.ensure_ascii, true);
  try {
    const data: unknown = JSON.parse(content);
    const matches = find(data, query);
    if (model === 'pattern') {
      const pattern = param(params, 'replace_pattern');
      if (!pattern) return [text('Invalid parameter replace_pattern')];
      for (const match of matches) {
        if (typeof match.value !== 'string') throw new Error(`'${typeof match.value}' object has no attribute 'replace'`);
        let next: unknown = match.value.split(pattern).join(replaceValue);
        if (params.value_decode === true) {
          const decoded = decode(next as string, 'replace');
          if (!decoded.ok) return [text(decoded.message)];
          next = decoded.value;
        }
        (match.parent as Record<string | number, unknown>)[match.parentProperty] = next;
      }
    } else if (model === 'key') {
      for (const match of matches) {
        if (!isPlainObject(match.parent) || typeof match.parentProperty !== 'string') continue;
        const value = match.parent[match.parentProperty];
        delete match.parent[match.parentProperty];
        match.parent[replaceValue] = value;
      }
    } else if (model === 'value') {
      let next: unknown = replaceValue;
      if (params.value_decode === true) {
        const decoded = decode(replaceValue, 'replace');
        if (!decoded.ok) return [text(decoded.message)];
        next = decoded.value;
      }
      for (const match of matches) (match.parent as Record<string | number, unknown>)[match.parentProperty] = next;
    } else {
      return [text('Failed to replace JSON content')];
    }
    return [text(pythonJsonDumps(data, ensureAscii))];
  } catch (error) {
    return [text(errorText(error))];
  }
}

/** `delete`: removes matched keys from objects and matched items from lists. */
export function deleteTool(params: Record<string, unknown>): ToolMessage[] {
  const content = param(params, 'content');
  if (!content) return [text('Invalid parameter content')];
  const query = param(params, 'query');
  if (!query) return [text('Invalid parameter query')];
  const ensureAscii = flag(params.ensure_ascii, true);
  try {
    const data: unknown = JSON.parse(content);
    for (const match of find(data, `$.${query.replace(/^[$.]+/, '')}`)) {
      if (Array.isArray(match.parent)) {
        const at = match.parent.findIndex((item) => pyEquals(item, match.value));
        if (at >= 0) match.parent.splice(at, 1);
      } else if (isPlainObject(match.parent)) {
        delete match.parent[match.parentProperty];
      }
    }
    return [text(pythonJsonDumps(data, ensureAscii))];
  } catch (error) {
    return [text(`Failed to delete JSON content: Delete operation failed: ${errorText(error)}`)];
  }
}
