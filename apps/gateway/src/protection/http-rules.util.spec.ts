import { clientAddressKey, isDocsPage, originAllowed, parseOriginList, parseTrustProxy, refusesBodyType } from './http-rules.util';

describe('parseOriginList', () => {
  it('reads origins and *, and allows exactly those', () => {
    const policy = parseOriginList('X', ['https://console.example.com', 'http://localhost:3000/']);
    expect(policy.any).toBe(false);
    expect(originAllowed(policy, 'https://console.example.com')).toBe(true);
    expect(originAllowed(policy, 'http://localhost:3000')).toBe(true);
    expect(originAllowed(policy, 'https://evil.example.com')).toBe(false);
    expect(originAllowed(policy, 'https://console.example.com.evil.com')).toBe(false);
    expect(originAllowed(parseOriginList('X', ['*']), 'https://anything.example')).toBe(true);
  });

  it('allows nothing when empty', () => {
    expect(originAllowed(parseOriginList('X', []), 'https://console.example.com')).toBe(false);
  });

  it.each(['console.example.com', 'https://example.com/app', 'ftp://example.com', 'https://*.example.com'])(
    'refuses %s, naming the variable',
    (entry) => {
      expect(() => parseOriginList('CONSOLE_CORS_ALLOW_ORIGINS', [entry])).toThrow(
        new RegExp(`CONSOLE_CORS_ALLOW_ORIGINS: "${entry.replace(/[.*/]/g, '\\$&')}"`),
      );
    },
  );
});

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['', false],
    ['true', true],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.5,uniquelocal', ['10.0.0.0/8', '192.168.1.5', 'uniquelocal']],
    ['fd00::/8', ['fd00::/8']],
  ] as const)('reads %p', (text, expected) => {
    expect(parseTrustProxy(text)).toEqual(expected);
  });

  it.each(['yes please', '10.0.0.0/99', 'proxy.example.com'])('refuses %p', (text) => {
    expect(() => parseTrustProxy(text)).toThrow(/TRUST_PROXY/);
  });
});

describe('clientAddressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and groups IPv6 by /64', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddressKey('2001:db8:1:2:bbbb::9')).toBe(clientAddressKey('2001:db8:1:2:aaaa::1'));
    expect(clientAddressKey('2001:db8:1:3::1')).not.toBe(clientAddressKey('2001:db8:1:2::1'));
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});

describe('refusesBodyType', () => {
  const json = { 'content-length': '12', 'content-type': 'application/json; charset=utf-8' };

  it('lets JSON bodies through', () => {
    expect(refusesBodyType('POST', '/v1/workflows/run', json)).toBe(false);
    expect(refusesBodyType('PUT', '/console/api/apps/x/rate-limit', { ...json, 'content-type': 'Application/JSON' })).toBe(false);
  });

  it('refuses other types, or none, when a body is sent to a JSON route', () => {
    expect(refusesBodyType('POST', '/v1/workflows/run', { 'content-length': '5', 'content-type': 'text/plain' })).toBe(true);
    expect(
      refusesBodyType('PATCH', '/v1/datasets/d1', { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }),
    ).toBe(true);
    expect(refusesBodyType('DELETE', '/v1/conversations/c1', { 'content-length': '20' })).toBe(true);
    expect(refusesBodyType('POST', '/console/api/login', { 'content-length': '20', 'content-type': 'application/jsonx' })).toBe(true);
  });

  it('ignores empty bodies, reads, routes outside the APIs and upload routes', () => {
    expect(refusesBodyType('POST', '/console/api/logout', { 'content-length': '0', 'content-type': 'text/plain' })).toBe(false);
    expect(refusesBodyType('POST', '/console/api/logout', {})).toBe(false);
    expect(refusesBodyType('GET', '/v1/info', { 'content-length': '5', 'content-type': 'text/plain' })).toBe(false);
    expect(refusesBodyType('POST', '/metrics', { 'content-length': '5', 'content-type': 'text/plain' })).toBe(false);
    const form = { 'content-length': '500', 'content-type': 'multipart/form-data; boundary=x' };
    expect(refusesBodyType('POST', '/v1/files/upload', form)).toBe(false);
    expect(refusesBodyType('POST', '/v1/audio-to-text', form)).toBe(false);
    expect(refusesBodyType('POST', '/v1/text-to-audio', form)).toBe(true);
    expect(refusesBodyType('POST', '/v1/datasets/d1/document/create-by-file', form)).toBe(false);
    expect(refusesBodyType('POST', '/v1/datasets/d1/document/create_by_file', form)).toBe(false);
    expect(refusesBodyType('POST', '/v1/datasets/d1/documents/doc1/update-by-file', form)).toBe(false);
    expect(refusesBodyType('POST', '/v1/datasets/d1/document/create-by-text', form)).toBe(true);
    // PATCH on a document is Dify's update-by-file; its DELETE stays a JSON route.
    expect(refusesBodyType('PATCH', '/v1/datasets/d1/documents/doc1', form)).toBe(false);
    expect(refusesBodyType('DELETE', '/v1/datasets/d1/documents/doc1', form)).toBe(true);
    expect(refusesBodyType('PATCH', '/v1/datasets/d1/documents/doc1/segments/s1', form)).toBe(true);
  });
});

describe('isDocsPage', () => {
  it('is the Swagger UI pages, not the JSON description nor look-alikes', () => {
    expect(isDocsPage('/docs')).toBe(true);
    expect(isDocsPage('/docs/swagger-ui.css')).toBe(true);
    expect(isDocsPage('/docs-json')).toBe(false);
    expect(isDocsPage('/docsx')).toBe(false);
    expect(isDocsPage('/v1/docs')).toBe(false);
  });
});
