import type { IncomingMessage } from 'node:http';
import { clientAddress } from '@vegshare/kit';

/** Who is calling, as far as the network can tell: used for sessions, rate limits and the audit log. */
export interface RequestMeta {
  readonly ip: string;
  readonly userAgent: string;
}

const MAX_USER_AGENT = 512;

/**
 * The client address is the one the gateway vouched for (x-forwarded-for on a request carrying the gateway secret,
 * see the kit's clientAddress), else the TCP peer: a caller of this subgraph cannot choose its address.
 */
export function requestMeta(req: IncomingMessage): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: clientAddress(req), userAgent: (typeof ua === 'string' ? ua : '').slice(0, MAX_USER_AGENT) };
}
