// Serves the web export (dist/) and forwards /graphql — HTTP and the graphql-ws upgrade — to the gateway, so the
// app talks to the supergraph on its own origin (no CORS needed). Used by the browser test, the benchmark and by
// hand: `GATEWAY_URL=http://localhost:4000 node --import tsx scripts/serve-web.mts` (PORT, default 8080).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface WebServer {
  readonly url: string;
  /**
   * Cuts the app off from the gateway for `ms`, as a dead mobile network would: open WebSockets are dropped, new ones
   * and /graphql requests are refused until then (tests of reconnecting).
   */
  interrupt(ms: number): void;
  close(): Promise<void>;
}

export const defaultDist = resolve(fileURLToPath(new URL('..', import.meta.url)), 'dist');

export async function serveWeb(options: {
  gatewayUrl: string;
  dir?: string;
  port?: number;
  host?: string;
}): Promise<WebServer> {
  const dir = options.dir ?? defaultDist;
  if (!existsSync(join(dir, 'index.html')))
    throw new Error(`no web export in ${dir}: run \`npm run export:web\` in mobile/`);
  const gateway = new URL(options.gatewayUrl);
  const isGraphql = (req: IncomingMessage) => (req.url ?? '').split('?')[0] === '/graphql';
  const tunnels = new Set<{ destroy(): void }>();
  let downUntil = 0;
  const down = () => Date.now() < downUntil;

  const server: Server = createServer((req, res) => {
    if (isGraphql(req) && down()) {
      req.socket.destroy();
      return;
    }
    if (isGraphql(req)) {
      const upstream = httpRequest(
        {
          host: gateway.hostname,
          port: gateway.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: gateway.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: 'gateway unreachable' }] }));
      });
      req.pipe(upstream);
      return;
    }
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir, path);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html');
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': file.includes('/_expo/static/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(file).pipe(res);
  });

  // graphql-ws: pass the upgrade through as raw bytes.
  server.on('upgrade', (req, socket, head) => {
    if (!isGraphql(req) || down()) return socket.destroy();
    const upstream = connect(Number(gateway.port || 80), gateway.hostname, () => {
      const headers = Object.entries({ ...req.headers, host: gateway.host })
        .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : v === undefined ? [] : [`${k}: ${v}`]))
        .join('\r\n');
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      tunnels.delete(tunnel);
      upstream.destroy();
      socket.destroy();
    };
    const tunnel = { destroy: end };
    tunnels.add(tunnel);
    upstream.on('error', end);
    socket.on('error', end);
    upstream.on('close', end);
    socket.on('close', end);
  });

  await new Promise<void>((ok) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    interrupt(ms) {
      downUntil = Date.now() + ms;
      for (const tunnel of [...tunnels]) tunnel.destroy();
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const web = await serveWeb({
    gatewayUrl: process.env['GATEWAY_URL'] ?? 'http://localhost:4000',
    port: Number(process.env['PORT'] ?? 8080),
    host: process.env['HOST'] ?? '127.0.0.1',
  });
  console.log(`VegShare web app on ${web.url} (gateway ${process.env['GATEWAY_URL'] ?? 'http://localhost:4000'})`);
}
