import {
  escapeHtml,
  invitationMail,
  invitationPath,
  passwordResetCodeMail,
  registrationCodeMail,
  registrationExistingAccountMail,
} from './mail-templates.util';

describe('mail templates', () => {
  it('put the sign-up code in the text and the HTML, with how long it works', () => {
    const mail = registrationCodeMail('012345', 5);
    expect(mail.subject).toBe('Your Weft sign-up code');
    expect(mail.text).toContain('\n    012345\n');
    expect(mail.text).toContain('5 minutes');
    expect(mail.html).toContain('>012345</strong>');
    expect(mail.subject).not.toContain('012345');
  });

  it('tell an existing account about a sign-up attempt without a code', () => {
    const mail = registrationExistingAccountMail();
    expect(mail.text).toContain('already has one');
    expect(mail.text).not.toMatch(/\d{6}/);
  });

  it('put the reset code in the text and say that sessions end', () => {
    const mail = passwordResetCodeMail('987654', 10);
    expect(mail.text).toContain('987654');
    expect(mail.text).toContain('10 minutes');
    expect(mail.text).toContain('signs the account out everywhere');
  });

  it('link an invitation to the console when its address is set, and escape what users wrote', () => {
    const mail = invitationMail({
      consoleWebUrl: 'https://weft.example.com/',
      email: 'ada+test@example.com',
      hours: 72,
      token: 'tok_en-1',
      workspaceName: '<script>alert(1)</script> & Co',
    });
    const link = 'https://weft.example.com/activate?email=ada%2Btest%40example.com&token=tok_en-1';
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link.replace('&', '&#38;')}"`);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; Co');
    expect(mail.subject).toBe('You are invited to join "<script>alert(1)</script> & Co" on Weft');
    expect(mail.text).toContain('sign in and accept the invitation');
  });

  it('give the path and the token of an invitation when the console address is not set', () => {
    const mail = invitationMail({ consoleWebUrl: undefined, email: 'a@b.test', hours: 72, token: 'abc', workspaceName: 'W' });
    expect(mail.text).toContain(`open ${invitationPath('a@b.test', 'abc')} in your Weft console`);
    expect(mail.text).toContain('Your invitation token is: abc');
  });

  it('keeps a subject on one line whatever the workspace name holds', () => {
    const mail = invitationMail({ consoleWebUrl: undefined, email: 'a@b.test', hours: 1, token: 't', workspaceName: 'A\r\nBcc: x@y.test' });
    expect(mail.subject).toBe('You are invited to join "A Bcc: x@y.test" on Weft');
  });

  it('escapes the characters HTML gives meaning to', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
