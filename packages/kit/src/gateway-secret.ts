import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { sendJson } from './http/body.ts';

/** Header (HTTP) and connection_init field (graphql-ws) carrying the secret the gateway shares with the subgraphs. */
export const GATEWAY_SECRET_HEADER = 'x-gateway-secret';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Compares a presented gateway secret with the configured one in constant time, whatever the lengths. */
export function gatewaySecretMatcher(secret: string | undefined): (given: unknown) => boolean {
  if (!secret) return () => false;
  const expected = digest(secret);
  return (given) => typeof given === 'string' && timingSafeEqual(digest(given), expected);
}

/** True when the request carries the gateway secret (never without a configured one). */
function fromGateway(req: IncomingMessage, matches: (given: unknown) => boolean): boolean {
  return matches(req.headers[GATEWAY_SECRET_HEADER]);
}

/** Requests that proved they come from the gateway: only their x-forwarded-for is believed. */
const gatewayRequests = new WeakSet<IncomingMessage>();

/**
 * The client's address as this service may believe it: the address the gateway put in x-forwarded-for (one entry,
 * the client it saw, after its own trusted-proxy check) on requests that carry the gateway secret; otherwise the TCP
 * peer. A subgraph never takes a client's word for its address.
 */
export function clientAddress(req: IncomingMessage): string {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (!gatewayRequests.has(req)) return peer || 'unknown';
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const forwarded = entries.at(-1)?.replace(/^::ffff:/, '');
  return forwarded && isIP(forwarded) ? forwarded : peer || 'unknown';
}

/** Guard that admits only the gateway (shared secret, compared in constant time); undefined when no secret is set. */
export function gatewaySecretGuard(secret: string | undefined) {
  if (!secret) return undefined;
  const matches = gatewaySecretMatcher(secret);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (fromGateway(req, matches)) {
      gatewayRequests.add(req);
      return true;
    }
    sendJson(res, 403, {
      errors: [{ message: 'Subgraphs accept traffic only from the gateway', extensions: { code: 'FORBIDDEN' } }],
    });
    return false;
  };
}
