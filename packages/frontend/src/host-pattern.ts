// The host part of a server account ('app'@'10.0.%') matched against a client's address, after
// MariaDB's rules as far as they apply without name resolution: '%' and '_' wildcards, an IPv4
// address with a netmask ('10.0.0.0/255.255.0.0'), and 'localhost' for loopback clients.
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** The client address as accounts name it: IPv4-mapped IPv6 addresses in their IPv4 form. */
export function accountAddress(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && net.isIPv4(remoteAddress.slice(7)) ? remoteAddress.slice(7) : remoteAddress;
}

/** Whether an account with host `pattern` may log in from `address` (an IP, see accountAddress). */
export function hostMatches(pattern: string, address: string): boolean {
  const host = pattern.toLowerCase();
  if (host === 'localhost') return LOOPBACK.has(address);
  const slash = host.indexOf('/');
  if (slash !== -1) return netmaskMatches(host.slice(0, slash), host.slice(slash + 1), address);
  return likePattern(host).test(address.toLowerCase());
}

/**
 * How specific a host pattern is: MariaDB tries a user's accounts from the most specific host to
 * the least. Literal hosts (and netmasks) first, then patterns by how far their first wildcard
 * comes, so '10.0.0.%' is tried before '10.%', and '%' last.
 */
export function hostSpecificity(pattern: string): number {
  const wildcard = pattern.search(/[%_]/);
  return wildcard === -1 ? Number.MAX_SAFE_INTEGER : wildcard;
}

/** A SQL LIKE pattern ('%', '_', backslash escapes) as an anchored regular expression. */
export function likePattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (char === '%') source += '[^]*';
    else if (char === '_') source += '[^]';
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, 'u');
}

function netmaskMatches(base: string, mask: string, address: string): boolean {
  const [baseBits, maskBits, addressBits] = [base, mask, address].map(ipv4Bits);
  if (baseBits === undefined || maskBits === undefined || addressBits === undefined) return false;
  return ((addressBits & maskBits) >>> 0) === baseBits;
}

function ipv4Bits(text: string): number | undefined {
  if (!net.isIPv4(text)) return undefined;
  return text.split('.').reduce((bits, part) => ((bits << 8) | Number(part)) >>> 0, 0);
}

function escapeRegExp(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|/]/g, (special) => `\\${special}`);
}
