import { signConsoleToken, verifyConsoleToken } from './console-token.util';

describe('console tokens', () => {
  it('verify when signed with the same secret and unexpired', () => {
    const token = signConsoleToken({ sub: 'a', wid: 'w' }, 'secret', 60);
    expect(verifyConsoleToken(token, 'secret')).toMatchObject({ sub: 'a', wid: 'w' });
  });

  it('fail with another secret, when expired, or when altered', () => {
    const token = signConsoleToken({ sub: 'a', wid: 'w' }, 'secret', 60);
    expect(verifyConsoleToken(token, 'other')).toBeNull();
    expect(verifyConsoleToken(signConsoleToken({ sub: 'a', wid: 'w' }, 'secret', -1), 'secret')).toBeNull();
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'b', wid: 'w', exp: 9e9, iat: 0 })).toString('base64url');
    expect(verifyConsoleToken(`${h}.${forged}.${s}`, 'secret')).toBeNull();
    expect(verifyConsoleToken('not-a-token', 'secret')).toBeNull();
  });
});
