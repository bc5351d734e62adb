import { loadConfig, gatewayConfigSpec } from '@weft/config';
import { describeSmtpError, MailService } from './mail.service';
import type { MailTransport, OutgoingMail } from './mail.types';

const settings = loadConfig('gateway', gatewayConfigSpec, {
  MAIL_TYPE: 'smtp',
  MAIL_DEFAULT_SEND_FROM: 'Weft <no-reply@example.com>',
  SMTP_SERVER: 'smtp.example.com',
}).mail;

describe('MailService', () => {
  it('sends from MAIL_DEFAULT_SEND_FROM, without making the caller wait', async () => {
    const sent: OutgoingMail[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transport: MailTransport = {
      send: async (mail) => {
        await held;
        sent.push(mail);
      },
      close: jest.fn(),
    };
    const service = new MailService(settings, transport);
    expect(service.enabled).toBe(true);
    service.deliver('test', 'ada@example.com', { html: '<p>hi</p>', subject: 'Hi', text: 'hi' });
    expect(sent).toEqual([]);
    release();
    await service.onApplicationShutdown();
    expect(sent).toEqual([{ from: 'Weft <no-reply@example.com>', html: '<p>hi</p>', subject: 'Hi', text: 'hi', to: 'ada@example.com' }]);
    expect(transport.close).toHaveBeenCalled();
  });

  it('sends nothing when mail is off', () => {
    const service = new MailService({ ...settings, type: undefined }, null);
    expect(service.enabled).toBe(false);
    expect(() => service.deliver('test', 'ada@example.com', { html: '', subject: '', text: '' })).not.toThrow();
  });

  it('logs a failed send without the address the server may have quoted', () => {
    const error = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 <ada@example.com> unknown"), {
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: 550,
    });
    expect(describeSmtpError(error)).toBe('EENVELOPE RCPT TO 550');
    expect(describeSmtpError('boom')).toBe('unknown error');
  });
});
