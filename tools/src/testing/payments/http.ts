import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fault the next matching request meets: an HTTP status, a delay before acting (a timeout for a client with a
 * shorter one), a dropped connection before or after the request was acted on, or an answer that never comes after
 * it was acted on (the caller hangs until its own timeout — or its crash).
 */
export type Fault =
  | { readonly status: number }
  | { readonly delayMs: number }
  | { readonly drop: 'before' | 'after' }
  | { readonly hang: 'after' };

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  handle(req: IncomingMessage, body: string, match: RegExpExecArray): Promise<Reply> | Reply;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Work to run after the reply was sent (webhook deliveries). */
  readonly after?: () => void;
}

export interface FaultPlan {
  /** The next `count` requests whose "METHOD path" matches `match` meet `fault`. */
  inject(match: RegExp, fault: Fault, count?: number): void;
  clear(): void;
}

export interface LocalHttp extends FaultPlan {
  readonly url: string;
  readonly server: Server;
  /** Requests seen, as "METHOD path". */
  readonly requests: string[];
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_000_000) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The small HTTP shell of the local provider servers: routing, JSON replies and injected faults. */
export async function serveLocal(routes: readonly Route[], port = 0): Promise<LocalHttp> {
  const faults: { match: RegExp; fault: Fault; left: number }[] = [];
  const requests: string[] = [];
  const takeFault = (line: string): Fault | null => {
    const f = faults.find((x) => x.left > 0 && x.match.test(line));
    if (!f) return null;
    f.left -= 1;
    return f.fault;
  };
  const server = createServer((req, res: ServerResponse) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const line = `${req.method ?? 'GET'} ${path}`;
      requests.push(line);
      const body = await readAll(req);
      const fault = takeFault(line);
      if (fault && 'drop' in fault && fault.drop === 'before') return void req.socket.destroy();
      if (fault && 'status' in fault) {
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        return void res.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'api_error', message: 'injected failure' },
            code: 'internal_server_error',
            description: 'injected failure',
          }),
        );
      }
      if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
      const route = routes.find((r) => r.method === req.method && r.pattern.test(path));
      const match = route ? route.pattern.exec(path) : null;
      const reply: Reply =
        route && match
          ? await route.handle(req, body, match)
          : { status: 404, body: { error: { type: 'invalid_request_error', message: `no route ${line}` } } };
      if (fault && 'hang' in fault) {
        reply.after?.();
        return;
      }
      if (fault && 'drop' in fault && fault.drop === 'after') {
        req.socket.destroy();
        reply.after?.();
        return;
      }
      if (res.destroyed) return;
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': typeof reply.body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
        ...reply.headers,
      });
      res.end(text);
      reply.after?.();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    requests,
    inject: (match, fault, count = 1) => void faults.push({ match, fault, left: count }),
    clear: () => void faults.splice(0),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Posts a webhook with bounded retries (providers retry deliveries that were not answered with 2xx). */
export async function deliver(
  url: string,
  body: string,
  headers: Record<string, string>,
  attempts = 5,
): Promise<number> {
  let status = 0;
  for (let i = 0; i < attempts; i++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
      if (res.ok) return status;
    } catch {
      status = 0;
    }
    await new Promise((r) => setTimeout(r, 100 * 2 ** i));
  }
  return status;
}
