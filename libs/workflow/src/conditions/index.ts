/** Comparison operators, condition and case shapes, and the typed error for unevaluable conditions. */
export { COMPARISON_OPERATORS, ConditionError } from './condition.types';
export type {
  ComparisonOperator,
  Condition,
  ConditionCase,
  ConditionErrorCode,
  ConditionValue,
  IfElseNodeConditions,
  LogicalOperator,
  SubCondition,
  SubVariableCondition,
} from './condition.types';

/** Single-operator checks, shared by if-else, loop breaks and sub-variable conditions. */
export { assertComparisonOperator, compareValues, isComparisonOperator, isUnaryOperator, toExpectedList } from './comparison.util';

/** If-else and loop-break evaluation with Dify's semantics. */
export {
  evaluateCases,
  evaluateCondition,
  evaluateConditions,
  evaluateIfElse,
  resolveIfElseCases,
  shouldBreakLoop,
} from './condition.util';

/** The list-operator node as a pure function. */
export { LIST_FILTER_OPERATORS, ListOperatorError } from './list-operator.types';
export type {
  ListFilterCondition,
  ListFilterOperator,
  ListOperatorErrorCode,
  ListOperatorNodeConfig,
  ListOperatorOutputs,
} from './list-operator.types';
export { applyListOperator } from './list-operator.util';

/** The variable-aggregator node as a pure function. */
export type { VariableAggregatorGroup, VariableAggregatorNodeConfig } from './variable-aggregator.types';
export { aggregateVariables } from './variable-aggregator.util';

/** Assigner (v2) operations as a pure function, with Dify's type and input rules. */
export { ASSIGNER_INPUT_TYPES, ASSIGNER_OPERATIONS, AssignerError } from './assigner.types';
export type { AssignerErrorCode, AssignerInputType, AssignerOperation, AssignerOptions, AssignerTarget } from './assigner.types';
export { applyAssignerOperation, isAssignerInputTypeSupported, isAssignerOperation, isAssignerOperationSupported } from './assigner.util';
