import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The client's address for per-IP limits and the subgraphs: X-Forwarded-For is walked from the right only while each
 * hop is a configured trusted proxy (proxy-addr, as Express does), so a client can prepend whatever it likes and
 * still be seen as itself; with no trusted proxies the TCP peer is the client.
 */
export function clientIpResolver(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  const trust = proxyaddr.compile([...trustedProxies]);
  return (req) => {
    if (!req.socket.remoteAddress) return 'unknown';
    return proxyaddr(req, trust).replace(/^::ffff:/, '');
  };
}
