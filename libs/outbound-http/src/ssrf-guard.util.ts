import * as dns from 'node:dns';
import * as net from 'node:net';
import ipaddr from 'ipaddr.js';

type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** Thrown when a URL's scheme or the address it resolves to is not allowed for outbound requests. */
export class SsrfBlockedError extends Error {
  override readonly name = 'SsrfBlockedError';
  readonly code = 'ssrf_blocked';

  constructor(
    readonly host: string,
    readonly address: string | undefined,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Node's `lookup` option shape for net/http/https: resolves a host name to one or all addresses. */
export type GuardLookupFunction = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => void;

/** Outbound-request policy: checks URLs before connecting and addresses after DNS resolution. */
export interface SsrfGuard {
  /** Throws SsrfBlockedError for a non-http(s) scheme or a literal IP host that is not allowed. */
  checkUrl(url: URL): void;
  /** Throws SsrfBlockedError when `address` (what `host` resolved to) is not allowed. */
  checkAddress(host: string, address: string): void;
  /** A DNS lookup for http/https agents that only ever yields allowed addresses. */
  readonly lookup: GuardLookupFunction;
}

export interface SsrfGuardOptions {
  /** Host names, IP addresses or CIDR ranges that may be reached even though they are internal. */
  allowedHosts: string[];
  /** The setting an operator adds a host to, named in refusals (default `SSRF_ALLOWED_HOSTS`). */
  setting?: string;
  /** The resolver to use; defaults to the operating system's (dns.lookup). Tests substitute it. */
  resolve?: (hostname: string, options: dns.LookupAllOptions) => Promise<dns.LookupAddress[]>;
}

/** Splits a comma-separated allow-list setting (`SSRF_ALLOWED_HOSTS`, `PROVIDER_ALLOWED_HOSTS`) into trimmed, lower-cased entries. */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry.length > 0);
}

// ipaddr.js range names, spelled for people reading the error message.
const RANGE_LABELS: Record<string, string> = {
  amt: 'reserved',
  as112: 'reserved',
  as112v6: 'reserved',
  benchmarking: 'benchmarking',
  broadcast: 'broadcast',
  carrierGradeNat: 'carrier-grade NAT',
  droneRemoteIdProtocolEntityTags: 'reserved',
  linkLocal: 'link-local',
  loopback: 'loopback',
  multicast: 'multicast',
  orchid2: 'reserved',
  private: 'private',
  reserved: 'reserved',
  rfc6145: 'IPv4-translated',
  teredo: 'Teredo tunnel',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  '6to4': '6to4 tunnel',
};

/**
 * Returns why an address is internal, or undefined for a public unicast address. IPv4-mapped and NAT64
 * (64:ff9b::/96) IPv6 forms are judged by the IPv4 address they carry, so `::ffff:127.0.0.1` is loopback.
 */
export function classifyAddress(address: string): string | undefined {
  const ip = toCanonical(ipaddr.parse(stripBrackets(address)));
  const range = ip.range();
  if (range === 'unicast') return undefined;
  if (ip.kind() === 'ipv6' && range === 'rfc6052') {
    const parts = (ip as ipaddr.IPv6).toByteArray().slice(12);
    return classifyAddress(parts.join('.'));
  }
  return RANGE_LABELS[range] ?? range;
}

/** Builds the guard from the allow-list; entries that are neither IPs nor CIDRs are host names. */
export function createSsrfGuard(options: SsrfGuardOptions): SsrfGuard {
  const setting = options.setting ?? 'SSRF_ALLOWED_HOSTS';
  const allowedNames = new Set<string>();
  const allowedRanges: [IpAddress, number][] = [];
  for (const entry of options.allowedHosts.map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    if (ipaddr.isValidCIDR(entry)) {
      const [ip, bits] = ipaddr.parseCIDR(entry);
      allowedRanges.push(canonicalRange(ip, bits));
    } else if (ipaddr.isValid(stripBrackets(entry))) {
      const ip = toCanonical(ipaddr.parse(stripBrackets(entry)));
      allowedRanges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
    } else {
      allowedNames.add(entry);
    }
  }
  const resolve = options.resolve ?? ((hostname: string, opts: dns.LookupAllOptions) => dns.promises.lookup(hostname, opts));

  const hostAllowed = (host: string): boolean => {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (allowedNames.has(name)) return true;
    for (const entry of allowedNames) {
      const suffix = entry.startsWith('*.') ? entry.slice(1) : entry.startsWith('.') ? entry : undefined;
      if (suffix && name.endsWith(suffix)) return true;
    }
    return false;
  };

  const addressAllowed = (ip: IpAddress): boolean =>
    allowedRanges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));

  const checkAddress = (host: string, address: string): void => {
    if (hostAllowed(host)) return;
    let ip: IpAddress;
    try {
      ip = toCanonical(ipaddr.parse(stripBrackets(address)));
    } catch {
      throw new SsrfBlockedError(host, address, 'invalid', `Requests to ${host} are not allowed: "${address}" is not an IP address`);
    }
    if (addressAllowed(ip)) return;
    const reason = classifyAddress(address);
    if (reason === undefined) return;
    // A host name's internal address is not shown: the message reaches whoever wrote the URL, and naming the
    // addresses internal names resolve to would map the network for them. The error keeps it for logs.
    const shown = stripBrackets(host) === stripBrackets(address) ? `${address} (${reason})` : `${host} (resolves to a ${reason} address)`;
    throw new SsrfBlockedError(host, address, reason, `Requests to ${shown} are not allowed; add it to ${setting} to allow it`);
  };

  const checkUrl = (url: URL): void => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SsrfBlockedError(
        url.hostname,
        undefined,
        'scheme',
        `Only http and https URLs are allowed, not "${url.protocol.replace(/:$/, '')}"`,
      );
    }
    // Node connects to literal IPs without calling `lookup`, so those are checked here instead.
    const host = stripBrackets(url.hostname);
    if (net.isIP(host)) checkAddress(host, host);
  };

  const lookup: GuardLookupFunction = (hostname, lookupOptions, callback) => {
    const wantAll = lookupOptions.all === true;
    resolve(hostname, { ...lookupOptions, all: true }).then(
      (addresses) => {
        const allowed: dns.LookupAddress[] = [];
        let firstError: unknown;
        for (const entry of addresses) {
          try {
            checkAddress(hostname, entry.address);
            allowed.push(entry);
          } catch (error) {
            firstError ??= error;
          }
        }
        // Only checked addresses are handed to the socket, so a record set mixing public and internal
        // addresses (a rebinding trick) can never make the connection land on the internal one.
        if (allowed.length === 0) {
          const error = firstError ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          callback(error as NodeJS.ErrnoException, wantAll ? [] : '', undefined);
          return;
        }
        if (wantAll) callback(null, allowed);
        else callback(null, allowed[0].address, allowed[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, wantAll ? [] : '', undefined),
    );
  };

  return { checkUrl, checkAddress, lookup };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function toCanonical(ip: IpAddress): IpAddress {
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) return (ip as ipaddr.IPv6).toIPv4Address();
  return ip;
}

function canonicalRange(ip: IpAddress, bits: number): [IpAddress, number] {
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(ip as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [ip, bits];
}
