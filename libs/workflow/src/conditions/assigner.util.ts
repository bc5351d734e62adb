import { isFileValue, isPlainObject, isVariableValueType, pyStr, VariableValueType } from '../variables';
import {
  ASSIGNER_OPERATIONS,
  AssignerError,
  AssignerInputType,
  AssignerOperation,
  AssignerOptions,
  AssignerTarget,
} from './assigner.types';

// The rules of Dify's graphon/nodes/variable_assigner/v2 (helpers.py and node.py). Dify has no input
// rule for file variables, so over-writing a file or appending to an array[file] is always rejected
// there; here a file value is accepted for them.

const NO_VALUE_OPERATIONS: ReadonlySet<AssignerOperation> = new Set(['clear', 'remove-first', 'remove-last']);
const LIST_VALUE_OPERATIONS: ReadonlySet<AssignerOperation> = new Set(['extend', 'over-write']);
const ARITHMETIC_OPERATIONS: ReadonlySet<AssignerOperation> = new Set(['+=', '-=', '*=', '/=']);
const NUMBER_TYPES: ReadonlySet<VariableValueType> = new Set(['number', 'integer']);
const SET_TYPES: ReadonlySet<VariableValueType> = new Set(['object', 'string', 'number', 'integer', 'boolean']);

function isArrayType(type: VariableValueType): boolean {
  return type.startsWith('array[');
}

/** True for a name in `ASSIGNER_OPERATIONS`. */
export function isAssignerOperation(name: unknown): name is AssignerOperation {
  return typeof name === 'string' && (ASSIGNER_OPERATIONS as readonly string[]).includes(name);
}

/** Whether Dify allows an operation on a variable of this type (`is_operation_supported`). */
export function isAssignerOperationSupported(type: VariableValueType, operation: AssignerOperation): boolean {
  switch (operation) {
    case 'over-write':
    case 'clear':
      return true;
    case 'set':
      return SET_TYPES.has(type);
    case '+=':
    case '-=':
    case '*=':
    case '/=':
      return NUMBER_TYPES.has(type);
    case 'append':
    case 'extend':
    case 'remove-first':
    case 'remove-last':
      return isArrayType(type);
  }
}

/** Whether Dify allows this input type for the operation on this variable type. */
export function isAssignerInputTypeSupported(type: VariableValueType, operation: AssignerOperation, inputType: AssignerInputType): boolean {
  if (inputType === 'variable') return operation !== 'set' && !ARITHMETIC_OPERATIONS.has(operation);
  if (type === 'string' || type === 'object' || type === 'boolean') return operation === 'over-write' || operation === 'set';
  if (NUMBER_TYPES.has(type)) return operation === 'over-write' || operation === 'set' || ARITHMETIC_OPERATIONS.has(operation);
  return false;
}

function fitsScalar(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
    case 'secret':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return isPlainObject(value) && !isFileValue(value);
    case 'file':
      return isFileValue(value);
    default:
      return false;
  }
}

function isValidInput(type: VariableValueType, operation: AssignerOperation, value: unknown): boolean {
  const element = /^array\[(\w+)\]$/.exec(type)?.[1];
  if (element === undefined) return fitsScalar(type, value) && !(operation === '/=' && value === 0);
  if (operation === 'append') return fitsScalar(element, value);
  if (LIST_VALUE_OPERATIONS.has(operation)) return Array.isArray(value) && value.every((item) => fitsScalar(element, item));
  return false;
}

function zeroValue(type: VariableValueType): unknown {
  if (isArrayType(type)) return [];
  switch (type) {
    case 'string':
    case 'secret':
      return '';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'object':
      return {};
    default:
      return null;
  }
}

function currentArray(target: AssignerTarget): unknown[] {
  if (target.value === null || target.value === undefined) return [];
  if (Array.isArray(target.value)) return target.value;
  throw new AssignerError('invalid-current-value', `Current value of ${target.type} variable is not an array: ${pyStr(target.value)}`);
}

function currentNumber(target: AssignerTarget): number {
  if (typeof target.value === 'number') return target.value;
  throw new AssignerError('invalid-current-value', `Current value of ${target.type} variable is not a number: ${pyStr(target.value)}`);
}

function parseObjectInput(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new AssignerError('invalid-input-value', `Invalid input value ${value}`);
  }
}

/**
 * Applies one assigner (v2) operation and returns the variable's new value; nothing is mutated.
 * `clear` gives the type's zero value; `remove-first`/`remove-last` on an empty array leave it empty;
 * `set` on an object accepts a JSON string. When `options.inputType` is `'variable'` and the input
 * variable is null, the current value is returned unchanged (Dify skips the update). An operation
 * that does not apply to the type, or an input that does not fit it, throws an `AssignerError`.
 */
export function applyAssignerOperation(
  current: AssignerTarget,
  operation: AssignerOperation,
  value: unknown,
  options: AssignerOptions = {},
): unknown {
  if (!isAssignerOperation(operation)) throw new AssignerError('unknown-operation', `Unknown assigner operation: ${String(operation)}`);
  if (!isVariableValueType(current.type) || !isAssignerOperationSupported(current.type, operation)) {
    throw new AssignerError('operation-not-supported', `Operation ${operation} is not supported for type ${String(current.type)}`);
  }
  const needsValue = !NO_VALUE_OPERATIONS.has(operation);
  // Operations that take no value ignore the input, so its declared type cannot matter.
  if (needsValue && options.inputType && !isAssignerInputTypeSupported(current.type, operation, options.inputType)) {
    throw new AssignerError('input-type-not-supported', `Input type ${options.inputType} is not supported for operation ${operation}`);
  }
  let input = value;
  if (needsValue) {
    if (options.inputType === 'variable' && (input === null || input === undefined)) return current.value;
    if (operation === 'set' && current.type === 'object' && typeof input === 'string') input = parseObjectInput(input);
    if (!isValidInput(current.type, operation, input))
      throw new AssignerError('invalid-input-value', `Invalid input value ${pyStr(input)}`);
  }
  switch (operation) {
    case 'over-write':
    case 'set':
      return input;
    case 'clear':
      return zeroValue(current.type);
    case 'append':
      return [...currentArray(current), input];
    case 'extend':
      return [...currentArray(current), ...(input as unknown[])];
    case 'remove-first':
      return currentArray(current).slice(1);
    case 'remove-last':
      return currentArray(current).slice(0, -1);
    case '+=':
      return currentNumber(current) + (input as number);
    case '-=':
      return currentNumber(current) - (input as number);
    case '*=':
      return currentNumber(current) * (input as number);
    case '/=':
      return currentNumber(current) / (input as number);
  }
}
