import { gatewayConfigSpec, loadConfig } from '@weft/config';
import jwt from 'jsonwebtoken';
import { buildSigningKeyRing, signConsoleToken, verifyConsoleToken } from './console-token.util';

const claims = { sub: 'account', wid: 'workspace', sid: 'session' };

describe('console tokens', () => {
  const ring = buildSigningKeyRing({}, undefined, 'a development secret');

  it('verify when signed by the ring and unexpired, naming the key in the header', () => {
    const token = signConsoleToken(claims, ring, 60);
    expect(verifyConsoleToken(token, ring)).toMatchObject(claims);
    expect(jwt.decode(token, { complete: true })?.header).toMatchObject({ alg: 'HS256', kid: 'k1' });
  });

  it('fail with another key, when expired, when altered, with alg none, or without a kid', () => {
    const token = signConsoleToken(claims, ring, 60);
    expect(verifyConsoleToken(token, buildSigningKeyRing({}, undefined, 'another secret'))).toBeNull();
    expect(verifyConsoleToken(signConsoleToken(claims, ring, -1), ring)).toBeNull();
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'other', exp: 9e9, iat: 0 })).toString('base64url');
    expect(verifyConsoleToken(`${h}.${forged}.${s}`, ring)).toBeNull();
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${forged}.`;
    expect(verifyConsoleToken(none, ring)).toBeNull();
    expect(verifyConsoleToken(jwt.sign({ ...claims }, ring.keys.get('k1')!, { algorithm: 'HS256' }), ring)).toBeNull();
    expect(verifyConsoleToken('not-a-token', ring)).toBeNull();
  });

  it('rotate without logging anyone out: tokens of the retired key verify while it stays listed', () => {
    const old = buildSigningKeyRing({ k1: 'a'.repeat(32) }, undefined, 'x');
    const rotated = buildSigningKeyRing({ k1: 'a'.repeat(32), k2: 'b'.repeat(40) }, 'k2', 'x');
    const before = signConsoleToken(claims, old, 60);
    const after = signConsoleToken(claims, rotated, 60);
    expect(jwt.decode(after, { complete: true })?.header.kid).toBe('k2');
    expect(verifyConsoleToken(before, rotated)).toMatchObject(claims);
    expect(verifyConsoleToken(after, old)).toBeNull();
    expect(verifyConsoleToken(before, buildSigningKeyRing({ k2: 'b'.repeat(40) }, undefined, 'x'))).toBeNull();
  });

  it('refuse a bad key configuration at start-up with a message naming the variable and the problem', () => {
    const load = (env: Record<string, string>) => () => loadConfig('gateway', gatewayConfigSpec, env);
    expect(load({ JWT_SIGNING_KEYS: 'k1:short' })).toThrow(/JWT_SIGNING_KEYS[\s\S]*at least 32 characters/);
    expect(load({ JWT_SIGNING_KEYS: `bad id:${'a'.repeat(32)}` })).toThrow(/JWT_SIGNING_KEYS/);
    expect(load({ JWT_SIGNING_KEYS: `k1:${'a'.repeat(32)},k1:${'b'.repeat(32)}` })).toThrow(/JWT_SIGNING_KEYS[\s\S]*distinct ids/);
    expect(load({ JWT_SIGNING_KEYS: `k1:${'a'.repeat(32)}`, JWT_CURRENT_KEY_ID: 'k9' })).toThrow(
      /JWT_CURRENT_KEY_ID[\s\S]*no key with id "k9"/,
    );
    expect(() => buildSigningKeyRing({ k1: 'a'.repeat(32) }, 'k9', 'x')).toThrow(/JWT_CURRENT_KEY_ID "k9"/);
    expect(buildSigningKeyRing({ k1: 'a'.repeat(32), k2: 'b'.repeat(32) }, undefined, 'x').currentKeyId).toBe('k2');
  });
});
