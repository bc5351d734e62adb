/** Every comparison operator Dify's if-else, loop break and sub-variable conditions accept. */
export const COMPARISON_OPERATORS = [
  'contains',
  'not contains',
  'start with',
  'end with',
  'is',
  'is not',
  'empty',
  'not empty',
  'in',
  'not in',
  'all of',
  '=',
  '≠',
  '>',
  '<',
  '≥',
  '≤',
  'null',
  'not null',
  'exists',
  'not exists',
] as const;
/** One of `COMPARISON_OPERATORS`. */
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** How the conditions of a case (or of a sub-variable condition) combine. */
export type LogicalOperator = 'and' | 'or';

/** The right-hand side of a condition as the DSL stores it; strings may be `{{#...#}}` templates. */
export type ConditionValue = string | readonly string[] | boolean | readonly boolean[] | null;

/** A test on one attribute (files) or key (objects) of each element of an array. */
export interface SubCondition {
  comparison_operator: ComparisonOperator;
  key: string;
  value?: ConditionValue;
}

/** Conditions on the elements of an array of files or objects. */
export interface SubVariableCondition {
  conditions: readonly SubCondition[];
  logical_operator: LogicalOperator;
}

/** One if-else or loop-break condition, with the DSL's field names. */
export interface Condition {
  comparison_operator: ComparisonOperator;
  sub_variable_condition?: SubVariableCondition | null;
  value?: ConditionValue;
  varType?: string;
  variable_selector: readonly string[];
}

/** One if-else case; the first case whose conditions hold selects its `case_id` as the branch. */
export interface ConditionCase {
  case_id: string;
  conditions: readonly Condition[];
  logical_operator: LogicalOperator;
}

/** The parts of an if-else node's `data` that decide the branch, including the legacy single-case form. */
export interface IfElseNodeConditions {
  cases?: readonly ConditionCase[] | null;
  conditions?: readonly Condition[] | null;
  logical_operator?: LogicalOperator | null;
}

/** Why a condition could not be evaluated; Dify fails the node in each of these cases. */
export type ConditionErrorCode =
  | 'unknown-operator'
  | 'variable-not-found'
  | 'invalid-actual-value'
  | 'invalid-expected-value'
  | 'sub-condition-required'
  | 'invalid-sub-condition-key';

/** Thrown when a condition cannot be evaluated; the engine turns it into a failed node. */
export class ConditionError extends Error {
  constructor(
    readonly code: ConditionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}
