import { DomainError } from '@weft/contracts';

const NO_MAIL = 'This Weft instance sends no mail (MAIL_TYPE is not set)';

/**
 * The errors of console accounts, their passwords and the codes mailed for sign-up and password reset
 * (logins and tokens are in the shared AuthErrors). The mailed-code errors use Dify's codes and messages.
 */
export const AccountErrors = {
  currentPasswordWrong: () => new DomainError('invalid_param', 'The current password is wrong.'),
  emailAlreadyInUse: () => new DomainError('email_already_in_use', 'A user with this email already exists.'),
  emailCodeWrong: () => new DomainError('email_code_error', 'Email code is invalid or expired.'),
  newPasswordRequired: () =>
    new DomainError('invalid_param', 'new_password and password_confirm are required: this sign-up was not given a password.'),
  newPasswordsDiffer: () => new DomainError('invalid_param', 'The new passwords do not match.'),
  /** `missing` names each rule the password breaks, e.g. "a digit". */
  passwordTooWeak: (missing: readonly string[]) => new DomainError('invalid_param', `Password must contain ${missing.join(', ')}.`),
  passwordConfirmationDiffers: () => new DomainError('password_mismatch', 'The passwords do not match.'),
  /** Too many wrong codes for this token (ask for a new one), or `forToday` for this address (Dify's message). */
  registerAttemptsExhausted: (forToday: boolean) =>
    new DomainError(
      'email_register_limit',
      forToday
        ? 'Too many failed email register attempts. Please try again in 24 hours.'
        : 'Too many failed attempts with this code. Please ask for a new code.',
    ),
  registerCodesExhausted: (minutes: number) =>
    new DomainError(
      'email_register_rate_limit_exceeded',
      `Too many email register emails have been sent. Please try again in ${minutes} minutes.`,
    ),
  registrationNeedsMail: () =>
    new DomainError(
      'forbidden',
      `${NO_MAIL}, so only its first account may sign itself up. Ask a workspace admin to invite you, or the operator to set up mail.`,
    ),
  /** Too many wrong codes for this token (ask for a new one), or `forToday` for this address (Dify's message). */
  resetAttemptsExhausted: (forToday: boolean) =>
    new DomainError(
      'email_password_reset_limit',
      forToday
        ? 'Too many failed password reset attempts. Please try again in 24 hours.'
        : 'Too many failed attempts with this code. Please ask for a new code.',
    ),
  resetCodesExhausted: (minutes: number) =>
    new DomainError(
      'password_reset_rate_limit_exceeded',
      `Too many password reset emails have been sent. Please try again in ${minutes} minutes.`,
    ),
  resetNeedsMail: () => new DomainError('forbidden', `${NO_MAIL}, so a password cannot be reset by mail. Ask the operator to set up mail.`),
  tokenInvalid: () => new DomainError('invalid_or_expired_token', 'The token is invalid or has expired.'),
} as const;
