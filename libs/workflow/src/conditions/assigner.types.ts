import { VariableValueType } from '../variables';

/** Assigner (v2) operations, spelled as in Dify's `Operation` enum. */
export const ASSIGNER_OPERATIONS = [
  'over-write',
  'clear',
  'append',
  'extend',
  'set',
  '+=',
  '-=',
  '*=',
  '/=',
  'remove-first',
  'remove-last',
] as const;
/** One of `ASSIGNER_OPERATIONS`. */
export type AssignerOperation = (typeof ASSIGNER_OPERATIONS)[number];

/** Where an assigner item's value comes from: another variable, or a constant in the DSL. */
export const ASSIGNER_INPUT_TYPES = ['variable', 'constant'] as const;
/** One of `ASSIGNER_INPUT_TYPES`. */
export type AssignerInputType = (typeof ASSIGNER_INPUT_TYPES)[number];

/** The variable being assigned: its declared type and its current value. */
export interface AssignerTarget {
  type: VariableValueType;
  value: unknown;
}

/** Optional context for an assignment. */
export interface AssignerOptions {
  /** The item's `input_type`; when given, Dify's rules on which input types an operation accepts apply. */
  inputType?: AssignerInputType;
}

/** Why an assignment was refused; Dify fails the node in each case. */
export type AssignerErrorCode =
  'unknown-operation' | 'operation-not-supported' | 'input-type-not-supported' | 'invalid-input-value' | 'invalid-current-value';

/** Thrown when an operation does not apply to the variable's type or the input value does not fit. */
export class AssignerError extends Error {
  constructor(
    readonly code: AssignerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AssignerError';
  }
}
