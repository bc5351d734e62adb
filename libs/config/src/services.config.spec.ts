import { ConfigValidationError, loadConfig, maskConfig } from './load-config';
import { gatewayConfigSpec } from './services.config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig('gateway', gatewayConfigSpec, env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe("the gateway's mail settings (Dify's names)", () => {
  it('leave mail off by default, with TLS on port 465 once it is set', () => {
    const { mail, auth } = loadConfig('gateway', gatewayConfigSpec, {});
    expect(mail).toMatchObject({ type: undefined, smtpPort: 465, smtpUseTls: true, smtpOpportunisticTls: false });
    expect(auth).toMatchObject({ emailRegisterTokenTtlMinutes: 5, resetPasswordTokenTtlMinutes: 5 });
    expect(loadConfig('gateway', gatewayConfigSpec, { MAIL_TYPE: '' }).mail.type).toBeUndefined();
  });

  it('read a complete SMTP setup', () => {
    const { mail } = loadConfig('gateway', gatewayConfigSpec, {
      MAIL_TYPE: 'smtp',
      MAIL_DEFAULT_SEND_FROM: 'Weft <no-reply@example.com>',
      SMTP_SERVER: 'smtp.example.com',
      SMTP_PORT: '587',
      SMTP_USERNAME: 'mailer',
      SMTP_PASSWORD: 'pw',
      SMTP_USE_TLS: 'true',
      SMTP_OPPORTUNISTIC_TLS: 'true',
      CONSOLE_WEB_URL: 'https://weft.example.com',
    });
    expect(mail).toEqual({
      consoleWebUrl: 'https://weft.example.com',
      defaultSendFrom: 'Weft <no-reply@example.com>',
      smtpOpportunisticTls: true,
      smtpPassword: 'pw',
      smtpPort: 587,
      smtpServer: 'smtp.example.com',
      smtpUseTls: true,
      smtpUsername: 'mailer',
      type: 'smtp',
    });
  });

  it('name every missing or contradictory setting at start', () => {
    expect(problemsOf({ MAIL_TYPE: 'smtp' })).toEqual([
      'MAIL_DEFAULT_SEND_FROM is invalid: it must be set when MAIL_TYPE is set',
      'SMTP_SERVER is invalid: it must be set when MAIL_TYPE is set',
    ]);
    expect(problemsOf({ MAIL_TYPE: 'sendgrid' })).toEqual(['MAIL_TYPE is invalid: expected one of smtp, or unset, got "sendgrid"']);
    expect(problemsOf({ SMTP_USE_TLS: 'false', SMTP_OPPORTUNISTIC_TLS: 'true' })).toEqual([
      'SMTP_OPPORTUNISTIC_TLS is invalid: needs SMTP_USE_TLS=true',
    ]);
    expect(problemsOf({ CONSOLE_WEB_URL: 'weft.example.com' })).toEqual([
      'CONSOLE_WEB_URL is invalid: expected a URL starting with http:// or https://',
    ]);
  });

  it('mask the SMTP password', () => {
    const source = { MAIL_TYPE: 'smtp', MAIL_DEFAULT_SEND_FROM: 'a@b.test', SMTP_SERVER: 'h', SMTP_PASSWORD: 'hunter2-smtp' };
    const masked = maskConfig(gatewayConfigSpec, loadConfig('gateway', gatewayConfigSpec, source));
    expect(masked['SMTP_PASSWORD']).toBe('******');
    expect(JSON.stringify(masked)).not.toContain('hunter2-smtp');
  });
});
