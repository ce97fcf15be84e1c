import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createMetrics } from '../src/metrics.ts';
import { readBody, sendJson } from '../src/http/body.ts';
import { SLOW_CLIENT_LIMITS, startServiceServer, type RunningServer } from '../src/http/service-server.ts';

// The service shell with short limits (the defaults are 10 s and 30 s), and a route that reads the body and answers late.
let running: RunningServer;
/** Levels of what the server logged (pino: 20 debug, 50 error). */
const logged: number[] = [];
beforeAll(async () => {
  running = await startServiceServer({
    name: 'slow-clients-test',
    port: 0,
    host: '127.0.0.1',
    logger: pino(
      { level: 'debug' },
      { write: (line: string) => void logged.push((JSON.parse(line) as { level: number }).level) },
    ),
    metrics: createMetrics('slow-clients-test'),
    readiness: [],
    routes: {
      '/echo': async (req, res) => {
        const body = await readBody(req, 1024);
        await new Promise((resolve) => setTimeout(resolve, 1_500)); // answering may take longer than the limits
        sendJson(res, 200, { bytes: body.length });
      },
    },
    slowClients: { headersMs: 400, requestMs: 800, checkEveryMs: 100 },
  });
});
afterAll(async () => {
  await running?.close(100);
});

/** Opens a raw connection; resolves with everything the server sent once it closed the connection, and when. */
function rawClient(): Promise<{ socket: Socket; closed: Promise<{ text: string; afterMs: number }> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(running.port, '127.0.0.1', () => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<{ text: string; afterMs: number }>((done) =>
        socket.on('close', () =>
          done({ text: Buffer.concat(chunks).toString('latin1'), afterMs: Date.now() - started }),
        ),
      );
      resolve({ socket, closed });
    });
    socket.on('error', reject);
  });
}

describe('slow clients', () => {
  it('has production limits that leave a slow link room and end a slowloris connection within seconds', () => {
    expect(SLOW_CLIENT_LIMITS.headersMs).toBeLessThanOrEqual(10_000);
    expect(SLOW_CLIENT_LIMITS.requestMs).toBeGreaterThanOrEqual(SLOW_CLIENT_LIMITS.headersMs);
    expect(SLOW_CLIENT_LIMITS.requestMs).toBeLessThanOrEqual(30_000);
  });

  it('closes a connection whose headers never end, with 408', async () => {
    const { socket, closed } = await rawClient();
    socket.write('POST /echo HTTP/1.1\r\nHost: test\r\nX-Slow: ');
    const timer = setInterval(() => socket.write('a'), 50); // a byte at a time, never the end of the headers
    const { text, afterMs } = await closed;
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeLessThan(3_000);
  });

  it('closes a connection whose body trickles past the request limit, with 408', async () => {
    const { socket, closed } = await rawClient();
    socket.write('POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n');
    const timer = setInterval(() => socket.write(' '), 100); // 10 bytes a second: 100 bytes would take 10 s
    const { text, afterMs } = await closed;
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeLessThan(3_000);
    // The route's body read ended with the connection: no error logged for it (an attacker cannot fill the logs).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logged).not.toContain(50);
    expect(logged).toContain(20);
  });

  it('serves a keep-alive connection idle for longer than the limits (the gateway’s subgraph pools keep them)', async () => {
    const { socket, closed } = await rawClient();
    const answers: string[] = [];
    socket.on('data', (chunk: Buffer) => answers.push(chunk.toString('latin1')));
    const ask = () => socket.write('GET /health HTTP/1.1\r\nHost: test\r\n\r\n');
    ask();
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // idle past both limits, within keep-alive
    ask();
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.end();
    await closed;
    // Answers follow one another on the socket (a JSON body has no line end): status lines anywhere.
    const statuses = answers.join('').match(/HTTP\/1\.1 \d{3}/g);
    expect(statuses).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
  });

  it('lets a request that arrived in time be answered however long the answer takes', async () => {
    const res = await fetch(`${running.url}/echo`, { method: 'POST', body: '{"x":1}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 7 });
  });
});
