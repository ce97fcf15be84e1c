import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSchema } from 'graphql';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { createLogger } from '@vegshare/kit';
import { serveGraphqlWs, type TransportExtra } from '../src/subscriptions/ws-transport.ts';

interface Extra extends TransportExtra {
  readonly userAgent: string | null;
}

const schema = buildSchema('type Query { ok: Boolean }');
const running: { server: Server; dispose(): Promise<void> }[] = [];

async function start(keepAliveMs: number, seen: Extra[] = []): Promise<string> {
  const server = createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const transport = serveGraphqlWs<Record<string, unknown>, Extra>(
    {
      schema,
      onConnect: (ctx) => {
        seen.push(ctx.extra);
        return true;
      },
    },
    {
      wss,
      extraOf: (socket, request) => ({ socket, userAgent: request.headers['user-agent'] ?? null }),
      keepAliveMs,
      logger: createLogger('gateway', 'silent'),
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push({ server, dispose: () => transport.dispose() });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** A raw graphql-transport-ws client, acknowledged; `autoPong: false` makes it a peer that stopped answering pings. */
async function open(url: string, autoPong: boolean): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  const socket = new WebSocket(url, GRAPHQL_TRANSPORT_WS_PROTOCOL, { autoPong, headers: { 'user-agent': 'tab/1' } });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.once('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'connection_ack') resolve();
      else reject(new Error(`unexpected ${message.type}`));
    });
    socket.once('error', reject);
  });
  return { socket, closed };
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.dispose();
    r.server.close();
  }
});

describe('graphql-ws transport', () => {
  it('keeps a socket that answers pings and terminates one that stopped answering, with one timer for all', async () => {
    const url = await start(100);
    const alive = await open(url, true);
    const silent = await open(url, false);
    // Pinged at 100 ms, found without a pong at 200 ms: terminated (no close frame: 1006 on the client).
    expect(await silent.closed).toBe(1006);
    await new Promise((r) => setTimeout(r, 300));
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    alive.socket.close();
  });

  it('gives the connection what extraOf read from the upgrade request, not the request itself', async () => {
    const seen: Extra[] = [];
    const url = await start(0, seen);
    const client = await open(url, true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.userAgent).toBe('tab/1');
    expect(Object.keys(seen[0] ?? {}).sort()).toEqual(['socket', 'userAgent']);
    client.socket.close();
  });
});
