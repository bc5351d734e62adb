import type { ConfigOf, gatewayConfigSpec } from '@weft/config';
import { type SigningKeyRing, buildSigningKeyRing } from './console-token.util';
import type { PasswordPolicy } from './password.util';
import { verificationCodeKey } from './verification-code.util';

/** Console authentication settings, from config. */
export interface ConsoleAuthSettings {
  accessTokenTtlSeconds: number;
  refreshTokenTtlMs: number;
  signingKeys: SigningKeyRing;
  passwordPolicy: PasswordPolicy;
  loginSlowdownAfter: number;
  loginLockoutAfter: number;
  loginLockoutMinutes: number;
  invitationTtlHours: number;
  emailRegisterTokenTtlMinutes: number;
  resetPasswordTokenTtlMinutes: number;
  /** The key mailed codes are hashed under (derived from SECRET_KEY). */
  verificationCodeKey: Buffer;
}
export const CONSOLE_AUTH_SETTINGS = Symbol('CONSOLE_AUTH_SETTINGS');

/** The console's authentication settings from the gateway's config; a bad signing-key setting stops start-up with its reason. */
export function consoleAuthSettings(config: ConfigOf<typeof gatewayConfigSpec>): ConsoleAuthSettings {
  const auth = config.auth;
  return {
    accessTokenTtlSeconds: auth.accessTokenTtlMinutes * 60,
    refreshTokenTtlMs: auth.refreshTokenTtlDays * 24 * 3600 * 1000,
    signingKeys: buildSigningKeyRing(auth.signingKeys, auth.currentSigningKeyId, config.security.secretKey),
    passwordPolicy: { minLength: auth.passwordMinLength, requireClasses: auth.passwordRequireClasses },
    loginSlowdownAfter: auth.loginSlowdownAfter,
    loginLockoutAfter: auth.loginLockoutAfter,
    loginLockoutMinutes: auth.loginLockoutMinutes,
    invitationTtlHours: auth.invitationTtlHours,
    emailRegisterTokenTtlMinutes: auth.emailRegisterTokenTtlMinutes,
    resetPasswordTokenTtlMinutes: auth.resetPasswordTokenTtlMinutes,
    verificationCodeKey: verificationCodeKey(config.security.secretKey),
  };
}
