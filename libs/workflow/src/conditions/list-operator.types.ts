/** Operators a list-operator filter accepts (Dify's list_operator `FilterOperator`). */
export const LIST_FILTER_OPERATORS = [
  'contains',
  'start with',
  'end with',
  'is',
  'in',
  'empty',
  'not contains',
  'is not',
  'not in',
  'not empty',
  '=',
  '≠',
  '<',
  '>',
  '≥',
  '≤',
] as const;
/** One of `LIST_FILTER_OPERATORS`. */
export type ListFilterOperator = (typeof LIST_FILTER_OPERATORS)[number];

/** One filter; `key` names a file attribute or object key, `value` may be a template. */
export interface ListFilterCondition {
  comparison_operator: ListFilterOperator;
  key?: string;
  value?: string | readonly string[] | boolean;
}

/** A list-operator node's `data`, with the DSL's field names. */
export interface ListOperatorNodeConfig {
  extract_by?: { enabled: boolean; serial?: string } | null;
  filter_by?: { conditions?: readonly ListFilterCondition[]; enabled: boolean } | null;
  limit?: { enabled: boolean; size?: number } | null;
  order_by?: { enabled: boolean; key?: string; value?: 'asc' | 'desc' } | null;
  variable: readonly string[];
}

/** A list-operator node's outputs. */
export interface ListOperatorOutputs {
  first_record: unknown;
  last_record: unknown;
  result: unknown[];
}

/** Why a list operation failed; Dify fails the node in each case. */
export type ListOperatorErrorCode =
  'variable-not-found' | 'not-an-array' | 'invalid-condition' | 'invalid-filter-value' | 'invalid-key' | 'invalid-serial';

/** Thrown when a list operation cannot run; the engine turns it into a failed node. */
export class ListOperatorError extends Error {
  constructor(
    readonly code: ListOperatorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ListOperatorError';
  }
}
