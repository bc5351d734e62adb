import { scrubSecrets } from './audit.service';

describe('scrubSecrets', () => {
  it('redacts secret-looking keys at any depth and keeps the rest', () => {
    const scrubbed = scrubSecrets({
      email: 'a@b.c',
      password: 'p',
      nested: { api_key: 'k', list: [{ refresh_token: 't', name: 'n' }] },
      Authorization: 'Bearer x',
    });
    expect(scrubbed).toEqual({
      email: 'a@b.c',
      password: '[redacted]',
      nested: { api_key: '[redacted]', list: [{ refresh_token: '[redacted]', name: 'n' }] },
      Authorization: '[redacted]',
    });
  });

  it('replaces email addresses in values, at any depth, so the chained trail never holds one', () => {
    expect(scrubSecrets({ note: 'invited ada.l@example.com and bob@mail.example.org', list: ['x', { to: 'eve@example.net' }], n: 3 })).toEqual({
      list: ['x', { to: '[email]' }],
      n: 3,
      note: 'invited [email] and [email]',
    });
  });
});
