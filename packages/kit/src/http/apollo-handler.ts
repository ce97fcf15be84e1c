import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { readBody, BodyTooLargeError, sendJson } from './body.ts';
import {
  compress,
  DEFAULT_COMPRESSION_MIN_BYTES,
  isCompressible,
  negotiateEncoding,
  varyWith,
  type CompressedCoding,
} from './compression.ts';

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
  /**
   * Brotli or gzip per the request's Accept-Encoding for bodies of at least `minBytes` (default: on, 1024 bytes);
   * `false` sends every body as is, without `Vary: Accept-Encoding`.
   */
  readonly compression?: { readonly minBytes: number } | false;
}

interface BufferedResponse {
  readonly status: number;
  /** Apollo's headers, with `Vary: Accept-Encoding` when compression is on. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body, encoded to UTF-8 once however many requests share this response. */
  readonly body: Buffer;
  /**
   * Compressed bodies by coding, each computed at most once for all the requests sharing this response (null: not
   * smaller, or failed; the body goes as is). Null when the response is not compressed at all.
   */
  readonly encoded: Map<CompressedCoding, Promise<Buffer | null>> | null;
}

/** Serves an Apollo Server on plain node:http: no framework on the hot path. */
export function apolloHandler<TContext extends BaseContext>(options: ApolloHandlerOptions<TContext>) {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const minBytes =
    options.compression === false ? null : (options.compression?.minBytes ?? DEFAULT_COMPRESSION_MIN_BYTES);
  const inflight = new Map<string, Promise<BufferedResponse>>();

  async function execute(
    req: IncomingMessage,
    method: string,
    headers: HeaderMap,
    search: string,
    body: unknown,
  ): Promise<BufferedResponse> {
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
    const status = response.status ?? 200;
    const bytes = Buffer.from(text, 'utf8');
    if (minBytes === null) return { status, headers: [...response.headers], body: bytes, encoded: null };
    const vary = varyWith(response.headers.get('vary'), 'Accept-Encoding');
    const sent: (readonly [string, string])[] = [...response.headers].filter(([name]) => name !== 'vary');
    sent.push(['vary', vary]);
    const compressible = isCompressible(status, response.headers.get('content-encoding'), bytes.length, minBytes);
    return { status, headers: sent, body: bytes, encoded: compressible ? new Map() : null };
  }

  /** The body compressed with `coding`, computed once per response; null when that would not make it smaller. */
  function encodedBody(
    body: Buffer,
    encoded: Map<CompressedCoding, Promise<Buffer | null>>,
    coding: CompressedCoding,
  ): Promise<Buffer | null> {
    let pending = encoded.get(coding);
    if (!pending) {
      pending = compress(body, coding).then(
        (compressed) => (compressed.length < body.length ? compressed : null),
        () => null,
      );
      encoded.set(coding, pending);
    }
    return pending;
  }

  /** Writes a buffered response, compressed when it may be and the request accepts a coding. */
  async function send(req: IncomingMessage, res: ServerResponse, result: BufferedResponse): Promise<void> {
    let body = result.body;
    let coding: CompressedCoding | null = null;
    if (result.encoded && req.method !== 'HEAD') {
      const negotiated = negotiateEncoding(req.headers['accept-encoding']);
      if (negotiated !== 'identity') {
        const compressed = await encodedBody(result.body, result.encoded, negotiated);
        if (compressed) {
          body = compressed;
          coding = negotiated;
        }
      }
    }
    res.statusCode = result.status;
    for (const [name, value] of result.headers) res.setHeader(name, value);
    if (coding) res.setHeader('content-encoding', coding);
    if (result.status === 204 || result.status === 304) {
      res.end();
      return;
    }
    res.setHeader('content-length', body.length);
    res.end(body);
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
        sendJson(res, 400, {
          errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
        });
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
    await send(req, res, result);
  };
}
