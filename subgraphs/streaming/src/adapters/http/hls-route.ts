import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '@vegshare/kit';

/** Adapts the HLS handler (path and query string without `?`) to a kit route handler (query string with `?`). */
export function hlsRoute(
  handler: (req: IncomingMessage, res: ServerResponse, path: string, search: string) => Promise<void>,
): RouteHandler {
  return (req, res, search) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    return handler(req, res, q === -1 ? raw : raw.slice(0, q), search.replace(/^\?/, ''));
  };
}
