import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningGateway } from '../src/index.ts';
import { startFixtureStack, type FixtureStack } from './fixtures.ts';

// A gateway whose client addresses may hold two graphql-ws connections each (WS_MAX_CONNECTIONS_PER_IP=2), behind a
// proxy on loopback that says who the client is (TRUSTED_PROXIES), as an ingress does.
let stack: FixtureStack;
let gateway: RunningGateway;
beforeAll(async () => {
  stack = await startFixtureStack();
  gateway = await stack.gateway({ WS_MAX_CONNECTIONS_PER_IP: '2', TRUSTED_PROXIES: '127.0.0.1/32,::1/128' });
});
afterAll(async () => {
  await stack?.stop();
});

/**
 * Opens a graphql-ws socket for a client at `from` (null: this machine itself, no proxy); resolves with it once open, or
 * with the HTTP status the upgrade was refused with.
 */
function open(
  from: string | null = '203.0.113.7',
): Promise<{ socket: WebSocket } | { refused: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/graphql`, GRAPHQL_TRANSPORT_WS_PROTOCOL, {
      headers: from ? { 'x-forwarded-for': from } : {},
    });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      res.resume();
    });
    socket.once('error', reject);
  });
}

const closed = (socket: WebSocket) =>
  new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });

describe('graphql-ws connections per client address', () => {
  it('refuses the upgrade past the cap with 429, and takes a new connection once one has closed', async () => {
    const first = await open();
    const second = await open();
    expect(first).toHaveProperty('socket');
    expect(second).toHaveProperty('socket');
    expect(await open()).toEqual({ refused: 429, retryAfter: '10' });
    await closed((first as { socket: WebSocket }).socket);
    const again = await open();
    expect(again).toHaveProperty('socket');
    // Connections that were never opened do not count: still exactly two open, a third still refused.
    expect(await open()).toEqual({ refused: 429, retryAfter: '10' });
    const metrics = await (await fetch(`${gateway.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_ws_connections_refused_total\{[^}]*\} 2$/m);
    // Another address has its own count.
    const elsewhere = await open('198.51.100.9');
    expect(elsewhere).toHaveProperty('socket');
    for (const s of [second, again, elsewhere]) await closed((s as { socket: WebSocket }).socket);
  });

  it('does not count clients on this machine (local tools, a load test on the embedded start)', async () => {
    const local = await Promise.all([open(null), open(null), open(null)]);
    for (const s of local) expect(s).toHaveProperty('socket');
    for (const s of local) await closed((s as { socket: WebSocket }).socket);
  });
});
