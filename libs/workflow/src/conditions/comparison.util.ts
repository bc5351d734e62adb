import { isTruthy, parsePythonFloat, pyEquals, pyIncludes, pyStr } from '../variables';
import { COMPARISON_OPERATORS, ComparisonOperator, ConditionError } from './condition.types';

// The operator semantics of Dify's graphon/utils/condition/processor.py. Where Dify raises on an
// input (a plain string for `in`, a numeric string on the left of `>`), the input is coerced
// instead; where Dify returns a result, the result is the same.

const UNARY_OPERATORS: ReadonlySet<ComparisonOperator> = new Set(['empty', 'not empty', 'null', 'not null', 'exists', 'not exists']);

/** True for a name in `COMPARISON_OPERATORS`. */
export function isComparisonOperator(name: unknown): name is ComparisonOperator {
  return typeof name === 'string' && (COMPARISON_OPERATORS as readonly string[]).includes(name);
}

/** Throws the typed error Dify's "Unsupported operator" becomes, so a DSL typo fails loudly. */
export function assertComparisonOperator(name: unknown): asserts name is ComparisonOperator {
  if (!isComparisonOperator(name)) throw new ConditionError('unknown-operator', `Unsupported operator: ${String(name)}`);
}

/** True for an operator that ignores the right-hand value. */
export function isUnaryOperator(operator: ComparisonOperator): boolean {
  return UNARY_OPERATORS.has(operator);
}

/**
 * A list from an expected value: arrays as they are; a string as a JSON array when it parses as one,
 * otherwise as comma-separated items (trimmed, empty ones dropped).
 */
export function toExpectedList(expected: unknown): readonly unknown[] | null {
  if (Array.isArray(expected)) return expected;
  if (typeof expected !== 'string') return null;
  const trimmed = expected.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON: fall back to the comma-separated reading below.
    }
  }
  return trimmed
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function actualNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const parsed = parsePythonFloat(value);
    if (parsed !== null) return parsed;
  }
  throw new ConditionError('invalid-actual-value', 'Invalid actual value type: number');
}

function expectedNumber(expected: unknown): number {
  if (typeof expected === 'number') return expected;
  if (typeof expected === 'boolean') return expected ? 1 : 0;
  if (typeof expected === 'string') {
    const parsed = parsePythonFloat(expected);
    if (parsed !== null) return parsed;
    throw new ConditionError('invalid-expected-value', `Cannot convert '${expected}' to number`);
  }
  throw new ConditionError('invalid-expected-value', `Cannot convert ${pyStr(expected)} to number`);
}

// Dify's `=`/`≠`: a boolean left side compares as a boolean, a number numerically.
function equalsForNumber(value: unknown, expected: unknown): boolean {
  if (typeof value === 'boolean') {
    if (typeof expected === 'boolean' || typeof expected === 'number' || typeof expected === 'string') {
      return value === (typeof expected === 'string' ? expected.length > 0 : Boolean(expected));
    }
    throw new ConditionError('invalid-expected-value', `Cannot convert ${pyStr(expected)} to bool`);
  }
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new ConditionError('invalid-actual-value', 'Invalid actual value type: number or boolean');
  }
  return actualNumber(value) === expectedNumber(expected);
}

function contains(value: unknown, expected: unknown): boolean {
  if (typeof value === 'string') return value.includes(typeof expected === 'string' ? expected : pyStr(expected));
  if (Array.isArray(value)) return pyIncludes(value, expected);
  throw new ConditionError('invalid-actual-value', 'Invalid actual value type: string or array');
}

function affix(value: unknown, expected: unknown, operator: 'start with' | 'end with'): boolean {
  if (typeof value !== 'string') throw new ConditionError('invalid-actual-value', 'Invalid actual value type: string');
  if (typeof expected !== 'string') {
    throw new ConditionError(
      'invalid-expected-value',
      `Expected value must be a string for ${operator === 'start with' ? 'startswith' : 'endswith'}`,
    );
  }
  return operator === 'start with' ? value.startsWith(expected) : value.endsWith(expected);
}

function equalsForString(value: unknown, expected: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'boolean') {
    throw new ConditionError('invalid-actual-value', 'Invalid actual value type: string or boolean');
  }
  return pyEquals(value, expected);
}

function membership(value: unknown, expected: unknown): boolean {
  const list = toExpectedList(expected);
  if (list === null) throw new ConditionError('invalid-expected-value', 'Invalid expected value type: array');
  return pyIncludes(list, value);
}

function allOf(value: unknown, expected: unknown): boolean {
  const list = toExpectedList(expected);
  if (list === null) throw new ConditionError('invalid-expected-value', 'all of operator expects homogeneous list of strings or booleans');
  if (!isTruthy(value)) return false;
  if (Array.isArray(value)) return list.every((item) => pyIncludes(value, item));
  if (typeof value === 'string') return list.every((item) => typeof item === 'string' && value.includes(item));
  return false;
}

function compareNumbers(value: unknown, expected: unknown, operator: '>' | '<' | '≥' | '≤'): boolean {
  const left = actualNumber(value);
  const right = expectedNumber(expected);
  switch (operator) {
    case '>':
      return left > right;
    case '<':
      return left < right;
    case '≥':
      return left >= right;
    case '≤':
      return left <= right;
  }
}

/** Applies one operator to an actual value and an already prepared expected value. */
export function compareValues(operator: ComparisonOperator, value: unknown, expected: unknown): boolean {
  const actual = value === undefined ? null : value;
  switch (operator) {
    case 'contains':
      return isTruthy(actual) && contains(actual, expected);
    case 'not contains':
      return !isTruthy(actual) || !contains(actual, expected);
    case 'start with':
    case 'end with':
      return isTruthy(actual) && affix(actual, expected, operator);
    case 'is':
      return actual !== null && equalsForString(actual, expected);
    case 'is not':
      return actual !== null && !equalsForString(actual, expected);
    case 'empty':
      return !isTruthy(actual);
    case 'not empty':
      return isTruthy(actual);
    case 'in':
      return actual !== null && membership(actual, expected);
    case 'not in':
      return actual === null || !membership(actual, expected);
    case 'all of':
      return allOf(actual, expected);
    case '=':
      return actual !== null && equalsForNumber(actual, expected);
    case '≠':
      return actual !== null && !equalsForNumber(actual, expected);
    case '>':
    case '<':
    case '≥':
    case '≤':
      return actual !== null && compareNumbers(actual, expected, operator);
    case 'null':
    case 'not exists':
      return actual === null;
    case 'not null':
    case 'exists':
      return actual !== null;
    default:
      return assertUnreachable(operator);
  }
}

function assertUnreachable(operator: never): never {
  throw new ConditionError('unknown-operator', `Unsupported operator: ${String(operator)}`);
}
