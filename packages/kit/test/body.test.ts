import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BodyIncompleteError, BodyTooLargeError, readBody } from '../src/http/body.ts';

// A server that reads each request's body with a 64-byte limit and reports what readBody gave.
let server: Server;
let port = 0;
const outcomes: Promise<string | Error>[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const outcome = readBody(req, 64).then(
      (body) => body,
      (error: unknown) => error as Error,
    );
    outcomes.push(outcome);
    void outcome.then((result) => {
      if (res.destroyed) return;
      res.end(typeof result === 'string' ? `ok:${result}` : `error:${result.constructor.name}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends `pieces` as a chunked body, a few ms apart; `abort` destroys the request after them instead of ending it. */
function send(pieces: readonly Buffer[], options: { abort?: boolean; length?: number } = {}): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      agent: false,
      method: 'POST',
      path: '/',
      headers: options.length !== undefined ? { 'content-length': options.length } : {},
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', () => resolve(null));
    let i = 0;
    const next = (): void => {
      const piece = pieces[i++];
      if (piece) req.write(piece, () => setTimeout(next, 5));
      else if (options.abort) req.destroy();
      else req.end();
    };
    next();
  });
}

describe('readBody', () => {
  it('reads a body that arrives in pieces as one UTF-8 text, a character split between pieces included', async () => {
    const text = Buffer.from('{"query":"{ farm(name: \\"Ромашка\\") { id } }"}', 'utf8');
    expect(await send([text.subarray(0, 30), text.subarray(30)])).toBe(`ok:${text.toString('utf8')}`);
  });

  it('reads an empty body', async () => {
    expect(await send([])).toBe('ok:');
  });

  it('refuses a body declared larger than the limit before reading it', async () => {
    outcomes.length = 0;
    await send([Buffer.alloc(10)], { length: 100 });
    expect(await outcomes[0]).toBeInstanceOf(BodyTooLargeError);
  });

  it('refuses a body that grows past the limit while it arrives', async () => {
    outcomes.length = 0;
    await send([Buffer.alloc(40, 97), Buffer.alloc(40, 97)]);
    expect(await outcomes[0]).toBeInstanceOf(BodyTooLargeError);
  });

  it('fails, and does not hang, when the client goes away mid-body', async () => {
    outcomes.length = 0;
    await send([Buffer.from('{"query":')], { abort: true });
    await vi.waitFor(() => expect(outcomes).toHaveLength(1));
    await expect(outcomes[0]).resolves.toBeInstanceOf(BodyIncompleteError);
  });
});
