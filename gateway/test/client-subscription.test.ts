import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import WebSocket, { WebSocketServer } from 'ws';
import { ClientSubscription, type SubscriptionHost } from '../src/subscriptions/client-subscription.ts';
import type { FanoutMember, FanoutRequest } from '../src/subscriptions/fanout.ts';
import { anonymousContext } from './fixtures.ts';

const anonymous = anonymousContext;
const closers: (() => void)[] = [];

afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A real socket pair: the server side (what a subscription writes to) and the client. */
async function socketPair(): Promise<{ server: WebSocket; client: WebSocket }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  await new Promise<void>((resolve) => client.once('open', resolve));
  const server = await accepted;
  closers.push(() => {
    client.terminate();
    wss.close();
  });
  return { server, client };
}

/** A subscription on `socket` with a host that records what the subscription asked of it. */
function subscription(socket: WebSocket, maxBufferedBytes = 1024 * 1024) {
  const log = { joined: 0, left: 0, dropped: 0, finished: 0, member: null as FanoutMember | null };
  const host: SubscriptionHost = {
    join: (_request, member) => {
      log.joined += 1;
      log.member = member;
      return { leave: () => void (log.left += 1) };
    },
    dropped: () => void (log.dropped += 1),
    maxBufferedBytes,
    finished: () => void (log.finished += 1),
  };
  const connection = {
    subscriptions: { 'op-1': null } as Record<string, unknown>,
    extra: { socket, streams: new Set<ClientSubscription>() },
  };
  const stream = new ClientSubscription(host, connection, 'op-1', {} as FanoutRequest, anonymous);
  connection.extra.streams.add(stream);
  return { stream, log, connection };
}

describe('client subscription (what graphql-ws iterates, fed by the fan-out)', () => {
  it('joins the fan-out when first iterated, writes next frames to the socket, and leaves once when returned', async () => {
    const { server, client } = await socketPair();
    const frames: string[] = [];
    client.on('message', (data) => frames.push(String(data)));
    const { stream, log, connection } = subscription(server);
    const first = stream.next();
    expect(log.joined).toBe(1);
    log.member?.deliver('{"data":{"n":1}}');
    await expect.poll(() => frames).toEqual(['{"id":"op-1","type":"next","payload":{"data":{"n":1}}}']);
    await stream.return();
    await expect(first).resolves.toEqual({ value: undefined, done: true });
    await stream.return();
    expect(log).toMatchObject({ left: 1, finished: 1 });
    expect(connection.extra.streams.size).toBe(0);
  });

  it('ended before graphql-ws iterates it: yields the error, then ends, without joining the fan-out', async () => {
    const { server } = await socketPair();
    const { stream, log } = subscription(server);
    stream.end(new GraphQLError('The schema was reloaded: subscribe again'));
    const result = await stream.next();
    expect(result.done).toBe(false);
    expect(result.value?.errors?.[0]?.message).toBe('The schema was reloaded: subscribe again');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(log).toMatchObject({ joined: 0, finished: 1 });
  });

  it('a client that stops reading is closed with 1013 once too much is unsent, and its subscription ends', async () => {
    const { server, client } = await socketPair();
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    client.pause();
    const { stream, log } = subscription(server, 64 * 1024);
    const pending = stream.next();
    const payload = JSON.stringify({ data: { blob: 'x'.repeat(256 * 1024) } });
    for (let i = 0; i < 400 && log.dropped === 0; i += 1) {
      log.member?.deliver(payload);
      await new Promise((r) => setImmediate(r));
    }
    expect(log.dropped).toBe(1);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(log).toMatchObject({ left: 1, finished: 1 });
    client.resume();
    expect(await closed).toBe(1013);
  });
});
