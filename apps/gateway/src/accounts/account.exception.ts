import { DomainError } from '@weft/contracts';

/** The errors of console accounts and their passwords (logins and tokens are in the shared AuthErrors). */
export const AccountErrors = {
  currentPasswordWrong: () => new DomainError('invalid_param', 'The current password is wrong.'),
  emailTaken: () => new DomainError('conflict', 'An account with this email already exists.'),
  newPasswordsDiffer: () => new DomainError('invalid_param', 'The new passwords do not match.'),
  /** `missing` names each rule the password breaks, e.g. "a digit". */
  passwordTooWeak: (missing: readonly string[]) => new DomainError('invalid_param', `Password must contain ${missing.join(', ')}.`),
} as const;
