import { DomainError } from '@weft/contracts';

/** The errors of the operator routes. */
export const OperatorErrors = {
  /** An operator route asked for while no operator token is configured: they stay closed rather than open. */
  notConfigured: () => new DomainError('unauthorized', 'Operator routes are closed: no SYSTEM_STATUS_TOKEN is configured.'),
} as const;
