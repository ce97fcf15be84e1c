import type { IncomingMessage, ServerResponse } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`Request body exceeds ${limit} bytes`);
  }
}

/** A request whose connection closed before its body was complete (the client left, or was timed out). */
export class BodyIncompleteError extends Error {
  constructor(cause?: Error) {
    super('The request ended before its body was complete', cause ? { cause } : undefined);
  }
}

/** A body being read: what has come so far and how the read ends. */
interface BodyRead {
  readonly limit: number;
  readonly chunks: Buffer[];
  size: number;
  readonly resolve: (body: string) => void;
  readonly reject: (error: Error) => void;
}

const reading = Symbol('body read');
type Reading = IncomingMessage & { [reading]?: BodyRead | undefined };

// Listeners made once, at module level, finding their read on the request (`this`): closures made per request cost
// an allocation each, and under tsx a `__name` property definition each too.
function stopReading(req: Reading): BodyRead | undefined {
  const read = req[reading];
  req[reading] = undefined;
  req.off('data', onBodyData);
  req.off('end', onBodyEnd);
  req.off('error', onBodyError);
  req.off('close', onBodyClose);
  return read;
}
function onBodyData(this: Reading, chunk: Buffer): void {
  const read = this[reading];
  if (!read) return;
  read.size += chunk.length;
  if (read.size > read.limit) {
    stopReading(this);
    this.destroy();
    read.reject(new BodyTooLargeError(read.limit));
    return;
  }
  read.chunks.push(chunk);
}
function onBodyEnd(this: Reading): void {
  const read = stopReading(this);
  if (!read) return;
  const { chunks } = read;
  read.resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
}
// The connection failed mid-body (reset, aborted, or cut off by the server's slow-client limits).
function onBodyError(this: Reading, error: Error): void {
  stopReading(this)?.reject(new BodyIncompleteError(error));
}
// Closed without `end` (the client went away mid-body): nothing more will come.
function onBodyClose(this: Reading): void {
  stopReading(this)?.reject(new BodyIncompleteError());
}

/**
 * Reads a request body as UTF-8, refusing more than `limit` bytes without buffering the excess (the request is then
 * destroyed, as it was when this read through the stream's async iterator). Plain `data`/`end` listeners: the async
 * iterator cost an iterator, a promise per chunk and an end-of-stream watcher on every request (issue 17).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  if (req.readableEnded) return Promise.resolve('');
  if (req.destroyed) return Promise.reject(new BodyIncompleteError());
  return new Promise<string>((resolve, reject) => {
    (req as Reading)[reading] = { limit, chunks: [], size: 0, resolve, reject };
    req.on('data', onBodyData);
    req.on('end', onBodyEnd);
    req.on('error', onBodyError);
    req.on('close', onBodyClose);
  });
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
