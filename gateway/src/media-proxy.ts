import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Agent, request } from 'undici';
import type { Logger, RouteHandler } from '@vegshare/kit/gateway';

/** Request headers a player's media request may carry upstream (never cookies or credentials: the URL's grant decides). */
const FORWARDED_REQUEST = [
  'range',
  'if-none-match',
  'if-modified-since',
  'accept-encoding',
  'origin',
  'access-control-request-method',
  'access-control-request-headers',
] as const;
/** Response headers passed back to the player. */
const FORWARDED_RESPONSE = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'cache-control',
  'etag',
  'last-modified',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
  'vary',
] as const;

export interface MediaProxy {
  readonly routes: Record<string, RouteHandler>;
  close(): Promise<void>;
}

/**
 * `/hls/*` (live) and `/media/*` (recordings, VOD, timelapses) on the gateway's public origin, passed to the
 * streaming service: players (a phone on the LAN, a browser) reach one origin, and the streaming service need not be
 * public. Only GET/HEAD/OPTIONS; the signed grant in the URL authorizes, so no credential is forwarded. LL-HLS
 * blocking playlist reloads are held upstream for a few seconds, hence the generous timeout.
 */
export function createMediaProxy(options: {
  upstream: () => string | null;
  logger: Logger;
  timeoutMs?: number;
}): MediaProxy {
  const agent = new Agent({
    connections: 256,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs ?? 20_000,
    bodyTimeout: options.timeoutMs ?? 20_000,
  });
  const handle: RouteHandler = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'method not allowed' }));
      return;
    }
    const base = options.upstream();
    if (!base) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify({ error: 'media service unavailable' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
      const upstream = await request(new URL(req.url ?? '/', base).toString(), {
        method: req.method,
        headers,
        dispatcher: agent,
        signal: abort.signal,
      });
      const out: Record<string, string | string[]> = {};
      for (const name of FORWARDED_RESPONSE) {
        const value = upstream.headers[name];
        if (value !== undefined) out[name] = value;
      }
      res.writeHead(upstream.statusCode, out);
      await pipeline(upstream.body, res);
    } catch (error) {
      if (abort.signal.aborted) return; // the player went away
      options.logger.warn({ err: error, path: req.url?.split('?')[0] }, 'media proxy failed');
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'media service unavailable' }));
      } else {
        res.destroy();
      }
    }
  };
  return { routes: { '/hls/*': handle, '/media/*': handle }, close: () => agent.close() };
}

/** The streaming subgraph's origin from its routing URL (…/graphql). */
export const mediaOrigin = (streamingUrl: string | undefined): string | null =>
  streamingUrl ? new URL(streamingUrl).origin : null;
