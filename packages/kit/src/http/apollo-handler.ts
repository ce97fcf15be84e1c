import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { readBody, BodyTooLargeError, sendJson } from './body.ts';

export interface ApolloHandlerOptions<TContext extends BaseContext> {
  readonly server: ApolloServer<TContext>;
  readonly context: (req: IncomingMessage) => Promise<TContext>;
  /** Largest accepted request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /**
   * Identical requests in flight at the same time share one execution when this returns the same key for them
   * (null: never shared). Only for operations whose answer depends on nothing but the key (reads of one caller).
   */
  readonly sharedExecutionKey?: (req: IncomingMessage, body: unknown) => string | null;
  /** Told each time a request joins an execution already in flight. */
  readonly onShared?: () => void;
}

interface BufferedResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
}

/** Serves an Apollo Server on plain node:http: no framework on the hot path. */
export function apolloHandler<TContext extends BaseContext>(options: ApolloHandlerOptions<TContext>) {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const inflight = new Map<string, Promise<BufferedResponse>>();

  async function execute(req: IncomingMessage, method: string, headers: HeaderMap, search: string, body: unknown): Promise<BufferedResponse> {
    const response = await options.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search, body },
      context: () => options.context(req),
    });
    let text: string;
    if (response.body.kind === 'complete') text = response.body.string;
    else {
      text = '';
      for await (const chunk of response.body.asyncIterator) text += chunk;
    }
    return { status: response.status ?? 200, headers: [...response.headers], body: text };
  }

  return async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    let raw: string;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, { errors: [{ message: error.message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
        return;
      }
      throw error;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    if (req.method === 'POST' && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = raw.length ? JSON.parse(raw) : undefined;
      } catch {
        sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
    }
    const method = req.method ?? 'GET';
    const key = options.sharedExecutionKey?.(req, body) ?? null;
    let result: BufferedResponse;
    if (key === null) result = await execute(req, method, headers, search, body);
    else {
      let pending = inflight.get(key);
      if (pending) options.onShared?.();
      else {
        pending = execute(req, method, headers, search, body).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      result = await pending;
    }
    res.statusCode = result.status;
    for (const [name, value] of result.headers) res.setHeader(name, value);
    res.end(result.body);
  };
}
