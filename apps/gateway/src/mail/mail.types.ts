import type { ConfigOf, gatewayConfigSpec } from '@weft/config';

/** The gateway's mail settings (MAIL_TYPE, MAIL_DEFAULT_SEND_FROM, SMTP_*, CONSOLE_WEB_URL). */
export type MailSettings = ConfigOf<typeof gatewayConfigSpec>['mail'];
export const MAIL_SETTINGS = Symbol('MAIL_SETTINGS');

/** What a mail says: a subject, a plain-text body and the same in simple HTML. */
export interface MailContent {
  html: string;
  subject: string;
  text: string;
}

/** A mail to send: its content, its one recipient and its sender. */
export interface OutgoingMail extends MailContent {
  from: string;
  to: string;
}

/** Where mail goes out: SMTP (`SmtpMailTransport`), or a test's stand-in. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
