import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Who is calling, as far as the network can tell: used for sessions, rate limits and the audit log. */
export interface RequestMeta {
  readonly ip: string;
  readonly userAgent: string;
}

const MAX_USER_AGENT = 512;

/**
 * The client address: with `trustedHops` proxies in front (the gateway appends the address it saw), the entry
 * `trustedHops` from the right of x-forwarded-for; entries further left are client-supplied and ignored.
 */
export function requestMeta(req: IncomingMessage, trustedHops: number): RequestMeta {
  const socketIp = req.socket.remoteAddress ?? '';
  let ip = socketIp;
  const header = req.headers['x-forwarded-for'];
  if (trustedHops > 0 && header) {
    const entries = (Array.isArray(header) ? header.join(',') : header).split(',').map((s) => s.trim()).filter(Boolean);
    const candidate = entries[entries.length - trustedHops];
    if (candidate && isIP(candidate)) ip = candidate;
  }
  const ua = req.headers['user-agent'];
  return { ip: ip.replace(/^::ffff:/, '') || 'unknown', userAgent: (typeof ua === 'string' ? ua : '').slice(0, MAX_USER_AGENT) };
}
