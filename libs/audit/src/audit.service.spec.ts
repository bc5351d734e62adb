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
    expect(
      scrubSecrets({ note: 'invited ada.l@example.com and bob@mail.example.org', list: ['x', { to: 'eve@example.net' }], n: 3 }),
    ).toEqual({
      list: ['x', { to: '[email]' }],
      n: 3,
      note: 'invited [email] and [email]',
    });
  });

  it('catches every address form an account can have: apostrophes, capitals, quotes, display names, a full stop after', () => {
    expect(scrubSecrets("invited o'brien@example.com.")).toBe('invited [email].');
    expect(scrubSecrets('\'ada@example.com\' and "Ada Lovelace" <Ada.Lovelace+work@Mail.Example.ORG>')).toBe(
      '\'[email]\' and "Ada Lovelace" <[email]>',
    );
    expect(scrubSecrets('ADA_L-1@EXAMPLE.IO')).toBe('[email]');
    expect(scrubSecrets("it's ada's, not an@address")).toBe("it's ada's, not an@address");
  });

  it('scrubs in linear time, however long and hostile the value', () => {
    const hostile = [`${'a'.repeat(1_000_000)}@${'b.'.repeat(200_000)}`, 'a'.repeat(2_000_000), `x@${'y'.repeat(1_000_000)}`];
    const started = Date.now();
    for (const value of hostile) expect(scrubSecrets({ value })).toEqual({ value });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(scrubSecrets('mailto:ada@example.com?subject=hi, or <bob@example.org>')).toBe('mailto:[email]?subject=hi, or <[email]>');
  });
});
