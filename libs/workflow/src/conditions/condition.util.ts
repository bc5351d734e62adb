import { getFileAttribute, isFileAttribute, isFileValue, isPlainObject, pyListRepr, renderTemplate, VariablePool } from '../variables';
import { assertComparisonOperator, compareValues, isUnaryOperator } from './comparison.util';
import {
  ComparisonOperator,
  Condition,
  ConditionCase,
  ConditionError,
  IfElseNodeConditions,
  LogicalOperator,
  SubVariableCondition,
} from './condition.types';

const SUB_CONDITION_OPERATORS: ReadonlySet<ComparisonOperator> = new Set(['contains', 'not contains', 'all of']);

function isBooleanValue(value: unknown): boolean {
  return typeof value === 'boolean' || (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'boolean'));
}

// Dify's _convert_to_bool: a number by its truthiness, a string through JSON. "True"/"False" (how a
// boolean renders into a template) are accepted too, where Dify's JSON parse would raise.
function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (/^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'boolean' || typeof parsed === 'number') return toBoolean(parsed);
    } catch {
      // Falls through to the error below, as Dify's json.loads failure does.
    }
  }
  throw new ConditionError('invalid-expected-value', `unexpected value: ${JSON.stringify(value)}`);
}

// Dify's _prepare_expected_value: strings are templates, and a boolean left side turns the right
// side into booleans.
function prepareExpected(actual: unknown, raw: unknown, pool: VariablePool): unknown {
  let expected = raw === undefined ? null : raw;
  if (typeof expected === 'string') expected = renderTemplate(expected, pool);
  if (expected === null) return null;
  if (isBooleanValue(actual)) return Array.isArray(expected) ? expected.map((item) => toBoolean(item)) : toBoolean(expected);
  return typeof expected === 'number' ? String(expected) : expected;
}

function isFileArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isFileValue(item));
}

function isObjectArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0 && value.every((item) => isPlainObject(item));
}

function normaliseExtension(value: unknown): unknown {
  return typeof value === 'string' && value !== '' && !value.startsWith('.') ? `.${value}` : value;
}

// Dify's _process_sub_conditions: each sub-condition is tested on every element and holds when any
// element passes, or, for an operator containing "not", when all do; the outer operator only
// selects this path. Expected values are used as written (Dify does not render templates here).
function evaluateSubConditions(elements: readonly unknown[], sub: SubVariableCondition, kind: 'file' | 'object'): boolean {
  const results = sub.conditions.map((condition) => {
    const operator = condition.comparison_operator;
    assertComparisonOperator(operator);
    let expected: unknown = condition.value ?? null;
    let values: unknown[];
    if (kind === 'file') {
      const key = condition.key;
      if (!isFileAttribute(key)) throw new ConditionError('invalid-sub-condition-key', `'${key}' is not a valid FileAttribute`);
      values = elements.map((element) => (isFileValue(element) ? getFileAttribute(element, key) : null));
      if (key === 'extension') {
        if (typeof expected !== 'string') {
          throw new ConditionError('invalid-expected-value', 'Expected value must be a string when key is FileAttribute.EXTENSION');
        }
        expected = normaliseExtension(expected);
        values = values.map((value) => normaliseExtension(value));
      }
    } else {
      values = elements.map((element) => (isPlainObject(element) && Object.hasOwn(element, condition.key) ? element[condition.key] : null));
    }
    const outcomes = values.map((value) => {
      if (isUnaryOperator(operator)) return compareValues(operator, value, null);
      // Object keys carry their own types, so a boolean key gets the boolean coercion a boolean variable gets.
      const coerced = kind === 'object' && typeof value === 'boolean' && expected !== null ? toBoolean(expected) : expected;
      return compareValues(operator, value, coerced);
    });
    return operator.includes('not') ? outcomes.every(Boolean) : outcomes.some(Boolean);
  });
  return sub.logical_operator === 'or' ? results.some(Boolean) : results.every(Boolean);
}

/**
 * Evaluates one condition against the pool with Dify's semantics. Throws a `ConditionError` for an
 * unknown operator, a variable missing from the pool, or values the operator cannot compare.
 */
export function evaluateCondition(condition: Condition, pool: VariablePool): boolean {
  const operator = condition.comparison_operator;
  assertComparisonOperator(operator);
  const actual = pool.get(condition.variable_selector);
  if (actual === undefined) {
    throw new ConditionError('variable-not-found', `Variable ${pyListRepr(condition.variable_selector)} not found`);
  }
  if (SUB_CONDITION_OPERATORS.has(operator)) {
    const sub = condition.sub_variable_condition;
    if (isFileArray(actual) || (condition.varType === 'array[file]' && Array.isArray(actual))) {
      if (!sub) throw new ConditionError('sub-condition-required', 'Sub variable is required');
      return evaluateSubConditions(actual, sub, 'file');
    }
    if (sub && isObjectArray(actual)) return evaluateSubConditions(actual, sub, 'object');
  }
  if (operator === 'exists' || operator === 'not exists') return compareValues(operator, actual, null);
  return compareValues(operator, actual, prepareExpected(actual, condition.value, pool));
}

/** Combines conditions with `and`/`or`, stopping at the first deciding one as Dify does; no conditions hold under `and`. */
export function evaluateConditions(conditions: readonly Condition[], logicalOperator: LogicalOperator, pool: VariablePool): boolean {
  for (const condition of conditions) {
    const result = evaluateCondition(condition, pool);
    if (logicalOperator === 'or' ? result : !result) return result;
  }
  return logicalOperator !== 'or';
}

/** The `case_id` of the first case whose conditions hold, or `'false'` for the else branch. */
export function evaluateCases(cases: readonly ConditionCase[], pool: VariablePool): string {
  for (const item of cases) if (evaluateConditions(item.conditions, item.logical_operator, pool)) return item.case_id;
  return 'false';
}

/** An if-else node's cases; the legacy top-level `conditions` form becomes one case with id `'true'`. */
export function resolveIfElseCases(data: IfElseNodeConditions): ConditionCase[] {
  if (data.cases) return [...data.cases];
  return [{ case_id: 'true', conditions: data.conditions ?? [], logical_operator: data.logical_operator ?? 'and' }];
}

/** The branch handle an if-else node takes: a `case_id` or `'false'`. */
export function evaluateIfElse(data: IfElseNodeConditions, pool: VariablePool): string {
  return evaluateCases(resolveIfElseCases(data), pool);
}

/** Whether a loop's `break_conditions` hold; a loop without break conditions never breaks early. */
export function shouldBreakLoop(
  breakConditions: readonly Condition[] | null | undefined,
  logicalOperator: LogicalOperator | null | undefined,
  pool: VariablePool,
): boolean {
  if (!breakConditions || breakConditions.length === 0) return false;
  return evaluateConditions(breakConditions, logicalOperator ?? 'and', pool);
}
