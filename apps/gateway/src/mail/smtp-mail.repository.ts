import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { MailSettings, MailTransport, OutgoingMail } from './mail.types';

/**
 * How nodemailer connects, from Dify's settings: SMTP_USE_TLS alone is TLS from the first byte (SMTPS, port
 * 465); with SMTP_OPPORTUNISTIC_TLS it is plain text upgraded by STARTTLS, and the upgrade is required (a
 * server or a man in the middle that drops STARTTLS fails the send rather than getting the password in clear);
 * without SMTP_USE_TLS nothing is encrypted, and STARTTLS is not even tried.
 */
export function smtpTransportOptions(settings: MailSettings): SMTPTransport.Options {
  const base: SMTPTransport.Options = {
    host: settings.smtpServer,
    port: settings.smtpPort,
    auth: settings.smtpUsername ? { user: settings.smtpUsername, pass: settings.smtpPassword ?? '' } : undefined,
    // A mail server that hangs must not keep sends waiting forever (they run after the request was answered).
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
  if (!settings.smtpUseTls) return { ...base, secure: false, ignoreTLS: true };
  if (settings.smtpOpportunisticTls) return { ...base, secure: false, requireTLS: true };
  return { ...base, secure: true };
}

/** Sends mail through the configured SMTP server with nodemailer, one connection per mail. */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(settings: MailSettings) {
    this.transporter = nodemailer.createTransport(smtpTransportOptions(settings));
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ from: mail.from, html: mail.html, subject: mail.subject, text: mail.text, to: mail.to });
  }

  close(): void {
    this.transporter.close();
  }
}
