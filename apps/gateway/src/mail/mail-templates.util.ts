import type { MailContent } from './mail.types';

/** Text for an HTML body: the five characters HTML gives meaning to, escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SIGNATURE = 'Weft';

/** Paragraphs as a plain-text body and as simple HTML; `html` overrides a paragraph's HTML where it needs markup. */
function compose(subject: string, paragraphs: { text: string; html?: string }[]): MailContent {
  const text = [...paragraphs.map((p) => p.text), `-- ${SIGNATURE}`].join('\n\n');
  const body = paragraphs.map((p) => `<p>${p.html ?? escapeHtml(p.text)}</p>`).join('\n');
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5; color: #1f2933">
${body}
<p style="color: #7b8794">${SIGNATURE}</p>
</body></html>
`;
  // A subject is a header line: control characters (a workspace name may hold a line break) become spaces.
  const oneLine = [...subject]
    .map((c) => (c < ' ' || c === '\u007f' ? ' ' : c))
    .join('')
    .replace(/ {2,}/g, ' ');
  return { html, subject: oneLine, text };
}

function codeParagraph(code: string): { text: string; html: string } {
  return {
    text: `    ${code}`,
    html: `<strong style="font-size: 24px; letter-spacing: 4px">${escapeHtml(code)}</strong>`,
  };
}

const ignore = 'If you did not ask for this, you can ignore this mail: nothing changes without the code.';

/** The code that confirms a sign-up (`POST /console/api/email-register/validity`). */
export function registrationCodeMail(code: string, minutes: number): MailContent {
  return compose('Your Weft sign-up code', [
    { text: 'Someone, hopefully you, asked to create a Weft account with this address. Your verification code is:' },
    codeParagraph(code),
    { text: `It works for ${minutes} minutes. ${ignore}` },
  ]);
}

/**
 * Sent instead of a sign-up code when the address already has an account, so the answer to the sign-up
 * request does not tell whoever sent it that the account exists; only the address's reader learns it.
 */
export function registrationExistingAccountMail(): MailContent {
  return compose('Sign-up attempt for your Weft account', [
    { text: 'Someone, hopefully you, asked to create a Weft account with this address, but it already has one.' },
    { text: 'If it was you, sign in instead, or reset your password if you have forgotten it. Otherwise you can ignore this mail.' },
  ]);
}

/** The code that lets the account's owner choose a new password (`POST /console/api/forgot-password/validity`). */
export function passwordResetCodeMail(code: string, minutes: number): MailContent {
  return compose('Your Weft password reset code', [
    { text: 'Someone, hopefully you, asked to reset the password of the Weft account with this address. Your code is:' },
    codeParagraph(code),
    { text: `It works for ${minutes} minutes. Setting a new password signs the account out everywhere. ${ignore}` },
  ]);
}

/** What an invitation mail needs. */
export interface InvitationMailInput {
  /** The console's public address (CONSOLE_WEB_URL), or undefined when it is not set. */
  consoleWebUrl: string | undefined;
  email: string;
  hours: number;
  token: string;
  workspaceName: string;
}

/** The path of an invitation link, as `POST …/invite-email` answers it when there is no mail. */
export function invitationPath(email: string, token: string): string {
  return `/activate?email=${encodeURIComponent(email)}&token=${encodeURIComponent(token)}`;
}

/** An invitation to join a workspace, with its link (or its path and token, without CONSOLE_WEB_URL). */
export function invitationMail(input: InvitationMailInput): MailContent {
  const path = invitationPath(input.email, input.token);
  const link = input.consoleWebUrl ? `${input.consoleWebUrl.replace(/\/+$/, '')}${path}` : undefined;
  const how = link
    ? { text: `To accept, open this link: ${link}`, html: `To accept, open <a href="${escapeHtml(link)}">this link</a>.` }
    : { text: `To accept, open ${path} in your Weft console. Your invitation token is: ${input.token}` };
  return compose(`You are invited to join "${input.workspaceName}" on Weft`, [
    { text: `You have been invited to join the workspace "${input.workspaceName}" on Weft.` },
    how,
    {
      text:
        'If you already have a Weft account with this address, sign in and accept the invitation; until you do, you are not a member. ' +
        `Otherwise choose a name and a password to create your account. The invitation works for ${input.hours} hours.`,
    },
  ]);
}
