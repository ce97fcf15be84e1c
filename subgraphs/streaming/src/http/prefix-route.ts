import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger, ServiceMetrics } from '@vegshare/kit';

export type PrefixHandler = (req: IncomingMessage, res: ServerResponse, path: string, search: string) => Promise<void>;

/**
 * Stopgap until the kit's service server supports prefix routes: puts `handler` in front of the server's own
 * request listener for every path under `prefix`. Such routes are public (not behind the gateway-secret guard):
 * HLS players fetch them directly and are authorized by the signed URL instead. Other paths go to the kit as before.
 */
export function mountPrefixRoute(server: Server, prefix: string, handler: PrefixHandler, logger: Logger, metrics: ServiceMetrics): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    if (!path.startsWith(prefix)) {
      for (const listener of listeners) listener.call(server, req, res);
      return;
    }
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ route: prefix, method: req.method ?? 'GET', status: String(res.statusCode) }, seconds);
    });
    handler(req, res, path, q === -1 ? '' : raw.slice(q + 1)).catch((err: unknown) => {
      logger.error({ err, path }, 'request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"internal error"}');
      } else res.destroy();
    });
  });
}
