import { isFileValue } from './file.util';
import { isPlainObject } from './python-semantics.util';
import { VARIABLE_VALUE_TYPES, VariableValueType } from './variable.types';

/** True for a name in Dify's variable type list. */
export function isVariableValueType(name: unknown): name is VariableValueType {
  return typeof name === 'string' && (VARIABLE_VALUE_TYPES as readonly string[]).includes(name);
}

/** A short name for a value's runtime type, used in error messages. */
export function describeValueType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'array';
  if (isFileValue(value)) return 'file';
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : String(value);
  return typeof value;
}

type ScalarType = Exclude<VariableValueType, `array[${string}]`>;

function scalarMismatch(type: ScalarType, value: unknown): string | null {
  switch (type) {
    case 'string':
    case 'secret':
      return typeof value === 'string' ? null : `expected ${type} but got ${describeValueType(value)}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : `expected number but got ${describeValueType(value)}`;
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return null;
      return typeof value === 'number' && Number.isFinite(value)
        ? `expected integer but got non-integer number ${value}`
        : `expected integer but got ${describeValueType(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `expected boolean but got ${describeValueType(value)}`;
    case 'object':
      return isPlainObject(value) ? null : `expected object but got ${describeValueType(value)}`;
    case 'file':
      return isFileValue(value) ? null : `expected file but got ${describeValueType(value)}`;
  }
}

/**
 * Checks a value against a declared type and returns a message saying what is wrong, or null when it
 * fits. Every element of an array is checked. Null never fits: callers that allow a missing value
 * check for it first.
 */
export function checkValueType(type: VariableValueType, value: unknown): string | null {
  if (!isVariableValueType(type)) return `unknown variable type ${JSON.stringify(type)}`;
  const element = /^array\[(\w+)\]$/.exec(type)?.[1] as ScalarType | undefined;
  if (element === undefined) return scalarMismatch(type as ScalarType, value);
  if (!Array.isArray(value)) return `expected ${type} but got ${describeValueType(value)}`;
  for (const [index, item] of value.entries()) {
    const problem = scalarMismatch(element, item);
    if (problem) return `expected ${type} but element at index ${index} is ${describeValueType(item)}`;
  }
  return null;
}
