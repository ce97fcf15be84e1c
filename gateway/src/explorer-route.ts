import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Negotiator from 'negotiator';
import type { RouteHandler } from '@vegshare/kit/gateway';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly type: string;
  readonly raw: Buffer;
  readonly gzip: Buffer;
}

/**
 * Serves the prebuilt partner explorer (`npm run explorer:build`) from memory, gzip-compressed once at start,
 * under `/explorer`. Only the files of the build are served: no path is ever joined from the request.
 */
export function explorerRoutes(distDir: string): Record<string, RouteHandler> {
  const assets = new Map<string, Asset>();
  if (existsSync(distDir)) {
    for (const name of readdirSync(distDir)) {
      const raw = readFileSync(join(distDir, name));
      assets.set(name, { type: TYPES[extname(name)] ?? 'application/octet-stream', raw, gzip: gzipSync(raw) });
    }
  }
  const send = (req: IncomingMessage, res: ServerResponse, name: string): void => {
    const asset = assets.get(name);
    if (!asset) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(assets.size ? 'Not found' : 'Explorer not built: run `npm run explorer:build`');
      return;
    }
    // Sent gzipped whenever the client accepts gzip at all (negotiator reads q-values, `*` and refusals).
    const gzip = new Negotiator(req).encodings(['gzip']).length > 0;
    const body = gzip ? asset.gzip : asset.raw;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': body.length,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': name === 'index.html' ? 'no-cache' : 'public, max-age=3600',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    res.end(body);
  };
  return {
    '/explorer': (req, res) => send(req, res, 'index.html'),
    '/explorer/*': (req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      send(req, res, path.slice('/explorer/'.length) || 'index.html');
    },
  };
}
