import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** A JSON error body with the right status; nothing here ever answers 500 for a client's input. */
export function refuse(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Reads an object stream into text, refusing more than `limit` bytes. */
export async function readLimited(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new Error('object too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const isMissing = (error: unknown): boolean =>
  ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes((error as { code?: string }).code ?? '');

/** CORS for players on other origins (the grant in the URL, not a cookie, authorizes). */
export function allowCors(res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', 'content-length, content-range, accept-ranges');
}

/** Header names a preflight may ask for: tokens only, a bounded list (players add their own, proxies and extensions too). */
const REQUESTED_HEADERS = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+){0,19}$/;

/**
 * Answers a CORS preflight. The headers a player asks for are allowed as asked (a signed URL, not a header or a
 * cookie, authorizes, and no credentials are allowed), so a player or a browser extension that adds its own header
 * does not lose the picture; a malformed list gets `range` only.
 */
export function preflight(req: IncomingMessage, res: ServerResponse): void {
  const asked = req.headers['access-control-request-headers'];
  const allowed =
    typeof asked === 'string' && asked.length <= 1000 && REQUESTED_HEADERS.test(asked.trim()) ? asked.trim() : 'range';
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD',
    'access-control-allow-headers': allowed,
    'access-control-max-age': '600',
    vary: 'access-control-request-headers',
  });
  res.end();
}
