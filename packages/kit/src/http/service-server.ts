import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics.ts';
import { BodyIncompleteError, sendJson } from './body.ts';
import { serverSpan } from '../tracing.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, search: string) => Promise<void> | void;

/** A named dependency probed by `/ready`: resolves when reachable, throws otherwise. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export interface ServiceServerOptions {
  readonly name: string;
  readonly port: number;
  readonly host?: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly readiness: readonly ReadinessCheck[];
  /** Extra routes by exact path (`/graphql`) or by prefix (`/hls/*` matches `/hls/` and everything below). */
  readonly routes: Readonly<Record<string, RouteHandler>>;
  /**
   * Where Prometheus scrapes `/metrics`: an internal listener apart from the service's port (0 = any free port),
   * on `metricsHost` (default loopback). The service's own port never serves metrics.
   */
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  /** How long a client may take to send a request (SLOW_CLIENT_LIMITS unless a test needs them short). */
  readonly slowClients?: SlowClientLimits;
}

export interface SlowClientLimits {
  /** The request line and headers must have arrived within this (else 408 and the connection is closed). */
  readonly headersMs: number;
  /** The whole request, body included, must have arrived within this (408). Answers may take as long as they need. */
  readonly requestMs: number;
  /** How often the server looks for connections past those limits. */
  readonly checkEveryMs: number;
}

/**
 * A client that opens connections and sends its headers or body a byte at a time (slowloris) holds a socket per
 * connection for as long as the server waits: Node's defaults wait 60 s for headers and 300 s for a request, checked
 * every 30 s. Every request here is small (bodies ≤ 1 MiB; files go to S3 directly), so 10 s for the headers and 30 s
 * for all of it leave a slow mobile link room; WebSocket connections are out of the HTTP parser once upgraded and are
 * not affected, nor are long answers (HLS, media).
 */
export const SLOW_CLIENT_LIMITS: SlowClientLimits = { headersMs: 10_000, requestMs: 30_000, checkEveryMs: 2_000 };

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Base URL of the internal metrics listener (`/metrics`). */
  readonly metricsUrl: string;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

const READY_TIMEOUT_MS = 2000;
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '']);

async function probe(check: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
      }),
    ]);
    return { name: check.name, ok: true };
  } catch (error) {
    return { name: check.name, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The HTTP shell every service runs in: `/health` (process alive), `/ready` (every dependency reachable), plus the
 * service's own routes; `/metrics` (Prometheus) on a separate internal listener. Errors become a JSON 500 without details.
 */
export async function startServiceServer(options: ServiceServerOptions): Promise<RunningServer> {
  const { logger, metrics } = options;
  let draining = false;
  const limits = options.slowClients ?? SLOW_CLIENT_LIMITS;
  const server = createServer(
    {
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      connectionsCheckingInterval: limits.checkEveryMs,
    },
    (req, res) => {
      const started = process.hrtime.bigint();
      const rawUrl = req.url ?? '/';
      const q = rawUrl.indexOf('?');
      const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
      const search = q === -1 ? '' : rawUrl.slice(q);
      const route = routeOf(path);
      res.on('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.httpDuration.observe({ route, method: req.method ?? 'GET', status: String(res.statusCode) }, seconds);
      });
      const run =
        route === '/health' || route === '/ready'
          ? handle(req, res, path, search)
          : serverSpan(`${req.method ?? 'GET'} ${route}`, req.headers, () => handle(req, res, path, search));
      void run.catch((error: unknown) => {
        // A client that left mid-body, or that the slow-client limits cut off, is nobody's error and gets no answer.
        if (error instanceof BodyIncompleteError) return logger.debug({ path }, 'request body incomplete: client gone');
        logger.error({ err: error, path }, 'request failed');
        if (!res.headersSent)
          sendJson(res, 500, {
            errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
          });
        else res.destroy();
      });
    },
  );
  server.keepAliveTimeout = 65_000;

  const prefixes = Object.keys(options.routes)
    .filter((k) => k.endsWith('/*'))
    .map((k) => ({ key: k, prefix: k.slice(0, -1) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  function routeOf(path: string): string {
    if (path in options.routes || path === '/health' || path === '/ready') return path;
    return prefixes.find((p) => path.startsWith(p.prefix))?.key ?? 'other';
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    if (path === '/health') return sendJson(res, 200, { status: 'ok', service: options.name });
    if (path === '/ready') {
      const checks = await Promise.all(options.readiness.map(probe));
      const ok = !draining && checks.every((c) => c.ok);
      return sendJson(res, ok ? 200 : 503, {
        status: ok ? 'ready' : draining ? 'draining' : 'unavailable',
        service: options.name,
        checks,
      });
    }
    const handler = options.routes[routeOf(path)];
    if (!handler) return sendJson(res, 404, { error: 'not found' });
    await handler(req, res, search);
  }

  const host = options.host ?? '0.0.0.0';
  const port = await listen(server, options.port, host);
  let metricsServer: Server;
  let metricsPort: number;
  const metricsHost = options.metricsHost ?? '127.0.0.1';
  try {
    metricsServer = metricsListener(metrics, logger);
    metricsPort = await listen(metricsServer, options.metricsPort ?? 0, metricsHost);
  } catch (error) {
    server.close();
    throw error;
  }
  logger.info({ host, port, metricsPort, metricsHost }, `${options.name} listening`);
  return {
    server,
    port,
    url: localUrl(host, port),
    metricsUrl: localUrl(metricsHost, metricsPort),
    async close(graceMs = 10_000) {
      draining = true;
      metricsServer.close();
      metricsServer.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** A wildcard address is reached locally through loopback; a specific one only through itself. */
function localUrl(host: string, port: number): string {
  return `http://${WILDCARD_ADDRESSES.has(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The internal listener: `/metrics` only, never exposed on the service's own port. */
function metricsListener(metrics: ServiceMetrics, logger: Logger): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD'))
      return sendJson(res, 404, { error: 'not found' });
    metrics.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        logger.error({ err }, 'metrics collection failed');
        sendJson(res, 500, { error: 'metrics unavailable' });
      },
    );
  });
}
