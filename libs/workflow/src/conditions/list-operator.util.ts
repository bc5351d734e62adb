import {
  comparePyStrings,
  describeValueType,
  getFileAttribute,
  isFileAttribute,
  isFileValue,
  isPlainObject,
  isTruthy,
  parsePythonFloat,
  parsePythonInt,
  pyEquals,
  pyIncludes,
  pyListRepr,
  pyStr,
  renderTemplate,
  VariablePool,
} from '../variables';
import {
  ListFilterCondition,
  ListFilterOperator,
  ListOperatorError,
  ListOperatorNodeConfig,
  ListOperatorOutputs,
} from './list-operator.types';

// Dify's graphon/nodes/list_operator/node.py: filter, then extract, then order, then limit. Dify only
// accepts arrays of strings, numbers, booleans or files; arrays of objects are accepted here too,
// filtered and ordered by `key`.

type ElementKind = 'string' | 'number' | 'boolean' | 'file' | 'object';
type Predicate = (item: unknown) => boolean;

const FILE_STRING_KEYS = new Set(['name', 'extension', 'mime_type', 'url', 'related_id']);
const FILE_SEQUENCE_KEYS = new Set(['type', 'transfer_method']);
const NUMBER_OPERATORS: ReadonlySet<ListFilterOperator> = new Set(['=', '≠', '<', '>', '≥', '≤']);

function kindOf(value: unknown): ElementKind | null {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (isFileValue(value)) return 'file';
  if (isPlainObject(value)) return 'object';
  return null;
}

function elementKind(items: readonly unknown[], selector: readonly string[]): ElementKind {
  const kinds = new Set(items.map((item) => kindOf(item)));
  const [kind] = kinds;
  if (kinds.size === 1 && kind) return kind;
  throw new ListOperatorError('not-an-array', `Variable ${pyListRepr(selector)} is not an array type, actual type: array[any]`);
}

function invalidCondition(operator: string): ListOperatorError {
  return new ListOperatorError('invalid-condition', `Invalid condition: ${operator}`);
}

function invalidFilterValue(value: unknown): ListOperatorError {
  return new ListOperatorError('invalid-filter-value', `Invalid filter value: ${pyStr(value)}`);
}

function negate(predicate: Predicate): Predicate {
  return (item) => !predicate(item);
}

// Dify's `in` on a string filter value is a substring test (`x in "a,b"`); a list value (accepted
// here, rejected by Dify) is a membership test.
function stringPredicate(operator: ListFilterOperator, value: string | readonly unknown[]): Predicate {
  const text = (item: unknown): string => (typeof item === 'string' ? item : '');
  if (operator === 'empty') return (item) => text(item) === '';
  if (operator === 'not empty') return (item) => text(item) !== '';
  if (operator === 'in' || operator === 'not in') {
    const inside: Predicate = typeof value === 'string' ? (item) => value.includes(text(item)) : (item) => pyIncludes(value, item);
    return operator === 'in' ? inside : negate(inside);
  }
  if (typeof value !== 'string') throw invalidFilterValue(value);
  switch (operator) {
    case 'contains':
      return (item) => text(item).includes(value);
    case 'not contains':
      return (item) => !text(item).includes(value);
    case 'start with':
      return (item) => text(item).startsWith(value);
    case 'end with':
      return (item) => text(item).endsWith(value);
    case 'is':
      return (item) => text(item) === value;
    case 'is not':
      return (item) => text(item) !== value;
    default:
      throw invalidCondition(operator);
  }
}

function numberPredicate(operator: ListFilterOperator, value: number, read: (item: unknown) => number | null): Predicate {
  const test =
    (compare: (n: number) => boolean): Predicate =>
    (item) => {
      const n = read(item);
      return n !== null && compare(n);
    };
  switch (operator) {
    case '=':
      return test((n) => n === value);
    case '≠':
      return test((n) => n !== value);
    case '<':
      return test((n) => n < value);
    case '≤':
      return test((n) => n <= value);
    case '>':
      return test((n) => n > value);
    case '≥':
      return test((n) => n >= value);
    default:
      throw invalidCondition(operator);
  }
}

function booleanPredicate(operator: ListFilterOperator, value: boolean, read: (item: unknown) => unknown): Predicate {
  if (operator === 'is') return (item) => pyEquals(read(item), value);
  if (operator === 'is not') return (item) => !pyEquals(read(item), value);
  throw invalidCondition(operator);
}

function renderedString(value: unknown, pool: VariablePool): string {
  if (typeof value !== 'string') throw invalidFilterValue(value);
  return renderTemplate(value, pool);
}

function numericFilterValue(value: unknown, pool: VariablePool): number {
  const text = renderedString(value, pool);
  const parsed = parsePythonFloat(text);
  if (parsed === null) throw new ListOperatorError('invalid-filter-value', `could not convert string to float: '${text}'`);
  return parsed;
}

function ownNumber(item: unknown): number | null {
  if (typeof item === 'number') return item;
  if (typeof item === 'string') return parsePythonFloat(item);
  return null;
}

function booleanFilterValue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new ListOperatorError('invalid-filter-value', `Boolean filter expects a boolean value, got ${describeValueType(value)}`);
}

function fileString(file: unknown, key: string): string {
  const value = isFileValue(file) && isFileAttribute(key) ? getFileAttribute(file, key) : null;
  return typeof value === 'string' ? value : '';
}

function fileSize(file: unknown): number {
  return isFileValue(file) && typeof file.size === 'number' ? file.size : -1;
}

function filePredicate(condition: ListFilterCondition, pool: VariablePool): Predicate {
  const key = condition.key ?? '';
  const operator = condition.comparison_operator;
  if (typeof condition.value === 'boolean')
    throw new ListOperatorError('invalid-filter-value', 'File filter expects a string value, got bool');
  const value = typeof condition.value === 'string' ? renderTemplate(condition.value, pool) : (condition.value ?? '');
  if (FILE_STRING_KEYS.has(key) && typeof value === 'string') {
    const inner = stringPredicate(operator, value);
    return (file) => inner(fileString(file, key));
  }
  if (FILE_SEQUENCE_KEYS.has(key)) {
    if (operator !== 'in' && operator !== 'not in') throw invalidCondition(operator);
    const inner = stringPredicate(operator, value);
    return (file) => inner(fileString(file, key));
  }
  if (key === 'size' && typeof value === 'string') {
    const parsed = parsePythonFloat(value);
    if (parsed === null) throw new ListOperatorError('invalid-filter-value', `could not convert string to float: '${value}'`);
    return numberPredicate(operator, parsed, (file) => fileSize(file));
  }
  throw new ListOperatorError('invalid-key', `Invalid key: ${key}`);
}

function objectPredicate(condition: ListFilterCondition, pool: VariablePool): Predicate {
  const key = condition.key ?? '';
  if (key === '') throw new ListOperatorError('invalid-key', 'Invalid key: ');
  const read = (item: unknown): unknown => (isPlainObject(item) && Object.hasOwn(item, key) ? item[key] : null);
  const operator = condition.comparison_operator;
  if (NUMBER_OPERATORS.has(operator))
    return numberPredicate(operator, numericFilterValue(condition.value, pool), (item) => ownNumber(read(item)));
  if (typeof condition.value === 'boolean') return booleanPredicate(operator, condition.value, read);
  const value = typeof condition.value === 'string' ? renderTemplate(condition.value, pool) : (condition.value ?? '');
  const inner = stringPredicate(operator, value);
  return (item) => {
    const prop = read(item);
    return inner(prop === null || prop === undefined ? '' : pyStr(prop));
  };
}

function filterPredicate(kind: ElementKind, raw: ListFilterCondition, pool: VariablePool): Predicate {
  // Dify's FilterCondition defaults `value` to "", which unary operators such as `empty` rely on.
  const condition: ListFilterCondition = { ...raw, value: raw.value ?? '' };
  const operator = condition.comparison_operator;
  switch (kind) {
    case 'string': {
      const value = condition.value;
      if (Array.isArray(value) && (operator === 'in' || operator === 'not in')) return stringPredicate(operator, value);
      return stringPredicate(operator, renderedString(value, pool));
    }
    case 'number':
      return numberPredicate(operator, numericFilterValue(condition.value, pool), (item) => ownNumber(item));
    case 'boolean':
      return booleanPredicate(operator, booleanFilterValue(condition.value), (item) => item);
    case 'file':
      return filePredicate(condition, pool);
    case 'object':
      return objectPredicate(condition, pool);
  }
}

function extractOne(items: readonly unknown[], serial: string, pool: VariablePool): unknown[] {
  const text = renderTemplate(serial, pool);
  const index = parsePythonInt(text);
  if (index === null) throw new ListOperatorError('invalid-serial', `invalid literal for int() with base 10: '${text}'`);
  if (index < 1) throw new ListOperatorError('invalid-serial', `Invalid serial index: must be >= 1, got ${index}`);
  if (index > items.length) throw new ListOperatorError('invalid-serial', `Invalid serial index: must be <= ${items.length}, got ${index}`);
  return [items[index - 1]];
}

function compareLoose(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v : pyStr(v));
  return comparePyStrings(text(a), text(b));
}

function sortKey(kind: ElementKind, key: string): (item: unknown) => unknown {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return (item) => item;
    case 'file':
      if (key === 'size') return (item) => fileSize(item);
      if (FILE_STRING_KEYS.has(key) || FILE_SEQUENCE_KEYS.has(key)) return (item) => fileString(item, key);
      throw new ListOperatorError('invalid-key', `Invalid key: ${key}`);
    case 'object':
      if (key === '') throw new ListOperatorError('invalid-key', 'Invalid key: ');
      return (item) => (isPlainObject(item) && Object.hasOwn(item, key) ? item[key] : null);
  }
}

function order(items: readonly unknown[], kind: ElementKind, key: string, direction: 'asc' | 'desc'): unknown[] {
  const read = sortKey(kind, key);
  const sign = direction === 'desc' ? -1 : 1;
  // Array.prototype.sort is stable, so equal elements keep their order in both directions, as with
  // Python's sorted(..., reverse=True).
  return [...items].sort((a, b) => sign * compareLoose(read(a), read(b)));
}

function outputs(result: unknown[]): ListOperatorOutputs {
  return { result, first_record: result.length > 0 ? result[0] : null, last_record: result.length > 0 ? result[result.length - 1] : null };
}

/**
 * Runs a list-operator node: reads `variable` from the pool, then applies the enabled filter (every
 * condition must hold), extract (1-based `serial`, a template), order and limit steps. A missing
 * variable, a non-array, an unknown key or operator, or a serial out of range throws a
 * `ListOperatorError`; an empty or null input yields an empty result.
 */
export function applyListOperator(config: ListOperatorNodeConfig, pool: VariablePool): ListOperatorOutputs {
  const input = pool.get(config.variable);
  if (input === undefined)
    throw new ListOperatorError('variable-not-found', `Variable not found for selector: ${pyListRepr(config.variable)}`);
  if (!isTruthy(input)) return outputs([]);
  if (!Array.isArray(input)) {
    throw new ListOperatorError(
      'not-an-array',
      `Variable ${pyListRepr(config.variable)} is not an array type, actual type: ${describeValueType(input)}`,
    );
  }
  const kind = elementKind(input, config.variable);
  let items: unknown[] = [...input];
  if (config.filter_by?.enabled) {
    for (const condition of config.filter_by.conditions ?? []) items = items.filter(filterPredicate(kind, condition, pool));
  }
  if (config.extract_by?.enabled) items = extractOne(items, config.extract_by.serial ?? '1', pool);
  if (config.order_by?.enabled) items = order(items, kind, config.order_by.key ?? '', config.order_by.value ?? 'asc');
  // Dify slices with `[:size]`, so its default size of -1 drops the last element; a negative size
  // means "no limit" here, which is what Dify's own model documents.
  if (config.limit?.enabled && (config.limit.size ?? -1) >= 0) items = items.slice(0, config.limit.size);
  return outputs(items);
}
