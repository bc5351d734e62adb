import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@weft/audit';
import type { RequestClientInfo } from '@weft/platform';
import type { z } from 'zod';
import { registrationCodeMail, registrationExistingAccountMail } from '../mail/mail-templates.util';
import { MailService } from '../mail/mail.service';
import type {
  EmailCodeCheckRequestSchema,
  EmailCodeChecked,
  EmailCodeRequestSchema,
  EmailCodeSent,
  EmailRegisterRequestSchema,
  EmailRegistered,
  RegisterRequestSchema,
  RegisteredResponse,
} from './account.dto';
import { AccountErrors } from './account.exception';
import { AccountRepository } from './account.repository';
import { AccountService, assertPasswordPolicy } from './account.service';
import { CONSOLE_AUTH_SETTINGS, type ConsoleAuthSettings } from './console-auth.settings';
import { hashPassword } from './password.util';
import { VerificationCodeService, type CodeExtras } from './verification-code.service';

/** What `POST /console/api/register` did: created the instance's first account, or mailed a code. */
export type RegisterOutcome = { kind: 'created'; body: RegisteredResponse } | { kind: 'code_sent'; body: EmailCodeSent };

/**
 * Self-service sign-up. An account exists only once its address is proven: a code is mailed to it, and the
 * account is created when the code comes back with its token (Dify's `email-register` steps). The one
 * exception is the instance's first account, created at once: that is the operator, and with no mail set up
 * it is the only way in. Every answer is the same whether or not the address already has an account, and
 * costs the same work (the password is hashed either way; mail goes out after the answer).
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly accountService: AccountService,
    private readonly codes: VerificationCodeService,
    private readonly mail: MailService,
    private readonly audit: AuditService,
    @Inject(CONSOLE_AUTH_SETTINGS) private readonly settings: ConsoleAuthSettings,
  ) {}

  /**
   * `POST /console/api/register`: the instance's first account is created and signed in; after that, with
   * mail, a code goes to the address and the sign-up waits for it (with the name and password given here);
   * without mail, sign-up is refused (others join by invitation).
   */
  async register(req: z.infer<typeof RegisterRequestSchema>, client: RequestClientInfo): Promise<RegisterOutcome> {
    assertPasswordPolicy(req.password, this.settings.passwordPolicy);
    // Hashed before anything is looked up, so a taken address costs the same work as a new one.
    const passwordHash = await hashPassword(req.password);
    const first = await this.accounts.createFirst(req.email, req.name, passwordHash);
    if (first) {
      this.recordRegistered(first.accountId, first.workspaceId, 'first_account', client);
      const tokens = await this.accountService.startSession(first.accountId, first.workspaceId, client);
      return { kind: 'created', body: { ...tokens, account_id: first.accountId, workspace_id: first.workspaceId } };
    }
    if (!this.mail.enabled) throw AccountErrors.registrationNeedsMail();
    return { kind: 'code_sent', body: await this.sendCode(req.email, { name: req.name, passwordHash }, client) };
  }

  /** `POST /console/api/email-register/send-email`: mails a sign-up code (or, to an address with an account, a notice). */
  async sendEmail(req: z.infer<typeof EmailCodeRequestSchema>, client: RequestClientInfo): Promise<EmailCodeSent> {
    if (!this.mail.enabled) throw AccountErrors.registrationNeedsMail();
    return this.sendCode(req.email, {}, client);
  }

  /** `POST /console/api/email-register/validity`: checks the mailed code; the new token completes the sign-up. */
  async checkCode(req: z.infer<typeof EmailCodeCheckRequestSchema>, client: RequestClientInfo): Promise<EmailCodeChecked> {
    const confirmed = await this.codes.confirm('register', req.email, req.code, req.token, client);
    return { email: confirmed.email, is_valid: true, token: confirmed.token };
  }

  /** `POST /console/api/email-register`: creates the account of a confirmed address, with its own workspace, and signs it in. */
  async complete(req: z.infer<typeof EmailRegisterRequestSchema>, client: RequestClientInfo): Promise<EmailRegistered> {
    if (req.new_password !== undefined || req.password_confirm !== undefined) {
      if (req.new_password !== req.password_confirm) throw AccountErrors.passwordConfirmationDiffers();
      assertPasswordPolicy(req.new_password!, this.settings.passwordPolicy);
    }
    const confirmed = await this.codes.findConfirmed('register', req.token);
    if (!confirmed) throw AccountErrors.tokenInvalid();
    const passwordHash = req.new_password !== undefined ? await hashPassword(req.new_password) : confirmed.passwordHash;
    if (!passwordHash) throw AccountErrors.newPasswordRequired();
    await this.codes.spend(confirmed.id);
    const name = req.name ?? confirmed.name ?? confirmed.email.split('@')[0]!;
    // Only the reader of the address gets here, so telling them it has an account meanwhile gives nothing away.
    const created = await this.accounts.create(confirmed.email, name, passwordHash);
    if (!created) throw AccountErrors.emailAlreadyInUse();
    this.recordRegistered(created.accountId, created.workspaceId, 'email_code', client);
    const tokens = await this.accountService.startSession(created.accountId, created.workspaceId, client);
    return { data: { ...tokens, account_id: created.accountId, workspace_id: created.workspaceId }, result: 'success' };
  }

  private async sendCode(email: string, extras: CodeExtras, client: RequestClientInfo): Promise<EmailCodeSent> {
    const existing = await this.accounts.findAccountByEmail(email);
    const { code, token } = await this.codes.issue('register', email, extras, client);
    if (existing) this.mail.deliver('sign-up attempt', email, registrationExistingAccountMail());
    else this.mail.deliver('sign-up code', email, registrationCodeMail(code, this.settings.emailRegisterTokenTtlMinutes));
    return { data: token, result: 'success' };
  }

  private recordRegistered(
    accountId: string,
    workspaceId: string,
    verifiedBy: 'email_code' | 'first_account',
    client: RequestClientInfo,
  ): void {
    this.audit.record({
      action: 'account.registered',
      actor: { type: 'account', id: accountId },
      resource: { type: 'account', id: accountId },
      workspaceId,
      ip: client.ip,
      userAgent: client.userAgent,
      details: { verified_by: verifiedBy },
    });
  }
}
