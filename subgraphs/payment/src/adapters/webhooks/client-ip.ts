import ipaddr from 'ipaddr.js';
import type { IncomingMessage } from 'node:http';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses CIDR ranges (or single addresses) once; an invalid entry is a configuration error. */
export function parseRanges(entries: readonly string[]): Range[] {
  return entries.map((entry) => {
    try {
      if (entry.includes('/')) return ipaddr.parseCIDR(entry);
      const addr = ipaddr.parse(entry);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128];
    } catch {
      throw new Error(`not an IP address or CIDR range: ${entry}`);
    }
  });
}

/** An address in canonical form (IPv4-mapped IPv6 as IPv4), or null if it is not one. */
function normalise(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
}

export function inRanges(address: ipaddr.IPv4 | ipaddr.IPv6, ranges: readonly Range[]): boolean {
  return ranges.some(([net, bits]) => net.kind() === address.kind() && address.match([net, bits] as never));
}

/**
 * The caller's address: the TCP peer, or — only when the peer is a trusted proxy — the right-most address of
 * `X-Forwarded-For` that is not itself a trusted proxy (a client cannot forge its way past the proxies).
 */
export function clientAddress(
  req: IncomingMessage,
  trustedProxies: readonly Range[],
): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let current = normalise(req.socket.remoteAddress ?? '');
  if (!current) return null;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(-20);
  while (inRanges(current, trustedProxies) && hops.length > 0) {
    const next = normalise(hops.pop() ?? '');
    if (!next) return null;
    current = next;
  }
  return current;
}
