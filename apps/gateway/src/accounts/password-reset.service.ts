import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import type { RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { passwordResetCodeMail } from '../mail/mail-templates.util';
import { MailService } from '../mail/mail.service';
import type {
  EmailCodeCheckRequestSchema,
  EmailCodeChecked,
  EmailCodeRequestSchema,
  EmailCodeSent,
  PasswordResetRequestSchema,
} from './account.dto';
import { AccountErrors } from './account.exception';
import { AccountRepository } from './account.repository';
import { assertPasswordPolicy } from './account.service';
import { AuthSessionRepository } from './auth-session.repository';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { LoginThrottleService } from './login-throttle.service';
import { hashPassword } from './password.util';
import { VerificationCodeService } from './verification-code.service';

/**
 * A forgotten password, in Dify's three steps: a code mailed to the address (`forgot-password`), checked
 * (`forgot-password/validity`), then a new password (`forgot-password/resets`), which ends every session of
 * the account. The first step answers the same for an address without an account (a token whose code
 * nobody is sent), so it does not tell who has one.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly sessions: AuthSessionRepository,
    private readonly throttle: LoginThrottleService,
    private readonly codes: VerificationCodeService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  /** `POST /console/api/forgot-password`: mails a reset code to an active account's address. */
  async sendEmail(req: z.infer<typeof EmailCodeRequestSchema>, client: RequestClientInfo): Promise<EmailCodeSent> {
    if (!this.mail.enabled) throw AccountErrors.resetNeedsMail();
    const found = await this.accounts.findAccountByEmail(req.email);
    const account = found?.status === 'active' ? found : null;
    const { code, token } = await this.codes.issue('reset_password', req.email, { accountId: account?.id ?? null }, client);
    if (account)
      this.mail.deliver('password reset code', req.email, passwordResetCodeMail(code, this.settings.resetPasswordTokenTtlMinutes));
    return { data: token, result: 'success' };
  }

  /** `POST /console/api/forgot-password/validity`: checks the mailed code; the new token sets the password. */
  async checkCode(req: z.infer<typeof EmailCodeCheckRequestSchema>, client: RequestClientInfo): Promise<EmailCodeChecked> {
    const confirmed = await this.codes.confirm('reset_password', req.email, req.code, req.token, client);
    return { email: confirmed.email, is_valid: true, token: confirmed.token };
  }

  /** `POST /console/api/forgot-password/resets`: sets the new password and signs the account out everywhere. */
  async reset(req: z.infer<typeof PasswordResetRequestSchema>, client: RequestClientInfo): Promise<void> {
    if (req.new_password !== req.password_confirm) throw AccountErrors.passwordConfirmationDiffers();
    assertPasswordPolicy(req.new_password, this.settings.passwordPolicy);
    const confirmed = await this.codes.findConfirmed('reset_password', req.token);
    if (!confirmed?.accountId) throw AccountErrors.tokenInvalid();
    const passwordHash = await hashPassword(req.new_password);
    await this.codes.spend(confirmed.id);
    const account = await this.accounts.findAccountByEmail(confirmed.email);
    // The account was erased, or its address given to another one, since the code was sent.
    if (account?.id !== confirmed.accountId || account.status !== 'active') throw AccountErrors.tokenInvalid();
    await this.accounts.setPasswordHash(account.id, passwordHash);
    const revoked = await this.sessions.revokeAllOf(account.id, 'password_reset');
    // Whoever reads the address may sign in again at once, even if a guesser had locked the email out.
    await this.throttle.clearEmail(confirmed.email);
    this.audit.record({
      action: 'account.password.reset',
      actor: { type: 'account', id: account.id },
      resource: { type: 'account', id: account.id },
      workspaceId: (await this.accounts.findById(account.id))?.workspaceId ?? null,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { sessions_revoked: revoked },
    });
  }
}
