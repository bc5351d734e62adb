import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { pollUntil } from './poll';

/** One mail as the test server received it. */
export interface ReceivedMail {
  /** The envelope's sender and recipients, as the gateway's SMTP client gave them. */
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  html: string;
  subject: string;
  text: string;
}

/** Credentials the server asks for; without them it takes mail from anyone on loopback. */
export interface TestMailServerOptions {
  password?: string;
  username?: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port that keeps every mail it receives,
 * so a test reads the codes and links Weft mails as a person would read their inbox. Plain SMTP, no TLS
 * (loopback only); with credentials it refuses mail until the client has logged in with them.
 */
export class TestMailServer {
  /** The server each gateway (by base URL) sends to, so `WeftClient` finds the inbox of the stack it talks to. */
  private static readonly byGateway = new Map<string, TestMailServer>();

  private constructor(
    /** Every mail received, oldest first. */
    readonly received: ReceivedMail[],
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly options: TestMailServerOptions,
  ) {}

  static async start(options: TestMailServerOptions = {}): Promise<TestMailServer> {
    const withAuth = options.username !== undefined;
    const received: ReceivedMail[] = [];
    const server = new SMTPServer({
      allowInsecureAuth: true,
      authOptional: !withAuth,
      disabledCommands: withAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === options.username && auth.password === options.password) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              from: parsed.from?.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.server.address() as AddressInfo).port;
    return new TestMailServer(received, server, port, options);
  }

  /** The inbox a gateway sends to, if its stack has one. */
  static forGateway(baseUrl: string): TestMailServer | undefined {
    return TestMailServer.byGateway.get(baseUrl);
  }

  /** Notes that the gateway at `baseUrl` sends its mail here. */
  serve(baseUrl: string): void {
    TestMailServer.byGateway.set(baseUrl, this);
  }

  /** The settings that make a gateway send its mail here (Dify's names). */
  env(): Record<string, string> {
    return {
      MAIL_TYPE: 'smtp',
      MAIL_DEFAULT_SEND_FROM: 'Weft <weft@mail.test>',
      SMTP_SERVER: '127.0.0.1',
      SMTP_PORT: String(this.port),
      SMTP_USE_TLS: 'false',
      ...(this.options.username !== undefined ? { SMTP_USERNAME: this.options.username } : {}),
      ...(this.options.password !== undefined ? { SMTP_PASSWORD: this.options.password } : {}),
    };
  }

  /** Mails sent to `email` so far, oldest first. */
  mailsTo(email: string): ReceivedMail[] {
    const address = email.toLowerCase();
    return this.received.filter((m) => m.envelopeTo.includes(address));
  }

  /**
   * Waits for the mail to `email` after the first `seen` (note `mailsTo(email).length` before the request that
   * sends it) and answers it.
   */
  async nextMail(email: string, seen: number, timeoutMs = 15_000): Promise<ReceivedMail> {
    return pollUntil(() => this.mailsTo(email)[seen], { timeoutMs, what: `mail number ${seen + 1} to ${email}` });
  }

  /** Stops the server and forgets the gateways it served. */
  async stop(): Promise<void> {
    for (const [url, server] of TestMailServer.byGateway) if (server === this) TestMailServer.byGateway.delete(url);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The 6-digit code in a mail's text (sign-up or password reset), or throws. */
export function mailedCode(mail: ReceivedMail): string {
  const code = /^\s+(\d{6})\s*$/m.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in the mail "${mail.subject}"`);
  return code;
}

/** The invitation token in an invitation mail's link or path, or throws. */
export function mailedInvitationToken(mail: ReceivedMail): string {
  const token = /[?&]token=([^&\s]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no invitation link in the mail "${mail.subject}"`);
  return decodeURIComponent(token);
}
