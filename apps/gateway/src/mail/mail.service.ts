import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { MAIL_SETTINGS, MAIL_TRANSPORT, type MailContent, type MailSettings, type MailTransport } from './mail.types';

/**
 * The gateway's one way to send mail. Mail goes out after the request that asked for it has been answered,
 * so that the answer takes as long, and says the same, whether or not a mail was sent (a sign-up for an
 * address that already has an account, a reset for an unknown one); a mail that cannot be sent is logged,
 * and whoever waits for it asks again. Nothing is sent, and `enabled` is false, when MAIL_TYPE is unset.
 */
@Injectable()
export class MailService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly sending = new Set<Promise<void>>();

  constructor(
    @Inject(MAIL_SETTINGS) private readonly settings: MailSettings,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport | null,
  ) {}

  /** Whether mail is configured, so that codes and invitation links can be mailed. */
  get enabled(): boolean {
    return this.transport !== null;
  }

  /** The console's public address for links in mails (CONSOLE_WEB_URL), if set. */
  get consoleWebUrl(): string | undefined {
    return this.settings.consoleWebUrl;
  }

  onModuleInit(): void {
    if (!this.transport) {
      this.logger.warn(
        'Mail is off (MAIL_TYPE is not set): only the first account may sign itself up, others join by invitation, and passwords cannot be reset by mail',
      );
    } else if (!this.settings.smtpUseTls) {
      this.logger.warn(`Mail goes to SMTP server "${this.settings.smtpServer}" unencrypted (SMTP_USE_TLS=false)`);
    } else {
      this.logger.log(`Mail goes through SMTP server "${this.settings.smtpServer}:${this.settings.smtpPort}"`);
    }
  }

  /**
   * Sends `content` to `to` in the background. `kind` names the mail in the log, which holds neither the
   * address nor the content (codes and links are secrets).
   */
  deliver(kind: string, to: string, content: MailContent): void {
    if (!this.transport) return;
    const sent = this.transport
      .send({ ...content, from: this.settings.defaultSendFrom ?? '', to })
      .then(
        () => this.logger.log(`Mail "${kind}" sent`),
        (error: unknown) => this.logger.error(`Mail "${kind}" could not be sent: ${describeSmtpError(error)}`),
      )
      .finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([Promise.allSettled([...this.sending]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    this.transport?.close();
  }
}

/**
 * An SMTP failure without what could name a person: nodemailer's messages may quote the server's reply, which
 * often repeats the recipient's address, so only the error code, the SMTP command and the reply code are kept.
 */
export function describeSmtpError(error: unknown): string {
  const e = (error ?? {}) as { code?: unknown; command?: unknown; responseCode?: unknown };
  const parts = [e.code, e.command, e.responseCode].filter((p) => typeof p === 'string' || typeof p === 'number');
  return parts.length > 0 ? parts.join(' ') : 'unknown error';
}
