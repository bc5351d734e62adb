import { loadConfig, gatewayConfigSpec } from '@weft/config';
import { smtpTransportOptions } from './smtp-mail.repository';

const settings = (env: Record<string, string>) =>
  loadConfig('gateway', gatewayConfigSpec, { MAIL_TYPE: 'smtp', MAIL_DEFAULT_SEND_FROM: 'Weft <no-reply@example.com>', ...env }).mail;

describe('SMTP connection options', () => {
  it('speak TLS from the start by default (Dify: SMTP_USE_TLS, port 465)', () => {
    expect(smtpTransportOptions(settings({ SMTP_SERVER: 'smtp.example.com' }))).toMatchObject({
      host: 'smtp.example.com',
      port: 465,
      secure: true,
    });
  });

  it('require a STARTTLS upgrade with SMTP_OPPORTUNISTIC_TLS', () => {
    const options = smtpTransportOptions(settings({ SMTP_SERVER: 'smtp.example.com', SMTP_PORT: '587', SMTP_OPPORTUNISTIC_TLS: 'true' }));
    expect(options).toMatchObject({ port: 587, secure: false, requireTLS: true });
    expect(options.ignoreTLS).toBeUndefined();
  });

  it('encrypt nothing, and do not try STARTTLS, without SMTP_USE_TLS', () => {
    const options = smtpTransportOptions(settings({ SMTP_SERVER: 'relay.internal', SMTP_PORT: '25', SMTP_USE_TLS: 'false' }));
    expect(options).toMatchObject({ port: 25, secure: false, ignoreTLS: true });
    expect(options.requireTLS).toBeUndefined();
  });

  it('log in only when a user name is set', () => {
    expect(smtpTransportOptions(settings({ SMTP_SERVER: 'h' })).auth).toBeUndefined();
    expect(smtpTransportOptions(settings({ SMTP_SERVER: 'h', SMTP_USERNAME: 'mailer', SMTP_PASSWORD: 's3cret' })).auth).toEqual({
      user: 'mailer',
      pass: 's3cret',
    });
  });
});
