import type * as dns from 'node:dns';
import { classifyAddress, createSsrfGuard, parseAllowedHosts, SsrfBlockedError } from './ssrf-guard.util';

function lookupAll(guard: ReturnType<typeof createSsrfGuard>, host: string): Promise<dns.LookupAddress[]> {
  return new Promise((resolve, reject) => {
    guard.lookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as dns.LookupAddress[])));
  });
}

function lookupOne(guard: ReturnType<typeof createSsrfGuard>, host: string): Promise<[string, number | undefined]> {
  return new Promise((resolve, reject) => {
    guard.lookup(host, {}, (err, address, family) => (err ? reject(err) : resolve([address as string, family])));
  });
}

const fakeResolver =
  (table: Record<string, string[]>) =>
  async (hostname: string): Promise<dns.LookupAddress[]> => {
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('parseAllowedHosts', () => {
  it('splits on commas, trims, lower-cases and drops empty entries', () => {
    expect(parseAllowedHosts(' Internal.Example.com, 10.0.0.0/8 ,,127.0.0.1 ')).toEqual([
      'internal.example.com',
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(parseAllowedHosts('')).toEqual([]);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});

describe('classifyAddress', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
  ])('%s is %s', (address, label) => {
    expect(classifyAddress(address)).toBe(label);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });
});

describe('createSsrfGuard', () => {
  it('refuses non-http schemes', () => {
    const guard = createSsrfGuard({ allowedHosts: [] });
    expect(() => guard.checkUrl(new URL('file:///etc/passwd'))).toThrow('Only http and https URLs are allowed, not "file"');
    expect(() => guard.checkUrl(new URL('gopher://example.com/'))).toThrow(SsrfBlockedError);
  });

  it('refuses literal internal IPs in URLs, including obfuscated IPv4 and bracketed IPv6 forms', () => {
    const guard = createSsrfGuard({ allowedHosts: [] });
    expect(() => guard.checkUrl(new URL('http://127.0.0.1/'))).toThrow(
      'Requests to 127.0.0.1 (loopback) are not allowed; add it to SSRF_ALLOWED_HOSTS to allow it',
    );
    // The URL parser turns these into 127.0.0.1 and 169.254.169.254.
    expect(() => guard.checkUrl(new URL('http://2130706433/'))).toThrow('127.0.0.1 (loopback)');
    expect(() => guard.checkUrl(new URL('http://0xa9.0xfe.0xa9.0xfe/'))).toThrow('169.254.169.254 (link-local)');
    expect(() => guard.checkUrl(new URL('http://[::1]:8080/'))).toThrow('::1 (loopback)');
    expect(() => guard.checkUrl(new URL('http://[::ffff:7f00:1]/'))).toThrow('(loopback)');
    expect(() => guard.checkUrl(new URL('https://93.184.216.34/'))).not.toThrow();
    expect(() => guard.checkUrl(new URL('https://example.com/'))).not.toThrow();
  });

  it('does not tell who wrote the URL which internal address a host name resolves to', () => {
    const guard = createSsrfGuard({ allowedHosts: [] });
    let error: unknown;
    try {
      guard.checkAddress('db.internal.test', '10.1.2.3');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as Error).message).toBe(
      'Requests to db.internal.test (resolves to a private address) are not allowed; add it to SSRF_ALLOWED_HOSTS to allow it',
    );
    expect((error as Error).message).not.toContain('10.1.2.3');
  });

  it('allows internal addresses listed as IPs, CIDRs or host names', () => {
    const guard = createSsrfGuard({ allowedHosts: ['127.0.0.1', '10.0.0.0/8', 'intranet.local', '*.corp.test'] });
    expect(() => guard.checkAddress('127.0.0.1', '127.0.0.1')).not.toThrow();
    expect(() => guard.checkAddress('127.0.0.2', '127.0.0.2')).toThrow(SsrfBlockedError);
    expect(() => guard.checkAddress('x', '10.20.30.40')).not.toThrow();
    expect(() => guard.checkAddress('x', '::ffff:10.20.30.40')).not.toThrow();
    expect(() => guard.checkAddress('intranet.local', '192.168.0.5')).not.toThrow();
    expect(() => guard.checkAddress('api.corp.test', '192.168.0.6')).not.toThrow();
    expect(() => guard.checkAddress('other.local', '192.168.0.5')).toThrow(
      'Requests to other.local (resolves to a private address) are not allowed; add it to SSRF_ALLOWED_HOSTS to allow it',
    );
  });

  it('lookup refuses a host that resolves only to internal addresses', async () => {
    const guard = createSsrfGuard({ allowedHosts: [], resolve: fakeResolver({ 'metadata.test': ['169.254.169.254'] }) });
    const error = await lookupAll(guard, 'metadata.test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SsrfBlockedError);
    expect((error as SsrfBlockedError).address).toBe('169.254.169.254');
    expect((error as SsrfBlockedError).message).toContain('metadata.test (resolves to a link-local address)');
  });

  it('lookup hands over only the allowed addresses of a mixed record set', async () => {
    const guard = createSsrfGuard({
      allowedHosts: [],
      resolve: fakeResolver({ 'rebind.test': ['10.0.0.7', '93.184.216.34', '::1'] }),
    });
    await expect(lookupAll(guard, 'rebind.test')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(lookupOne(guard, 'rebind.test')).resolves.toEqual(['93.184.216.34', 4]);
  });

  it('lookup passes resolver failures through', async () => {
    const guard = createSsrfGuard({ allowedHosts: [], resolve: fakeResolver({}) });
    await expect(lookupOne(guard, 'nowhere.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
