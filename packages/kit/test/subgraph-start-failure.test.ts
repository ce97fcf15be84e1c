import { createServer } from 'node:net';
import { parse } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { startSubgraph } from '../src/subgraph.ts';

// The one failure this file is about: the WebSocket step, which runs after the HTTP server listens. graphql-ws over
// `ws` offers no input that makes it throw at set-up, so the step itself is made to fail; everything else is real.
vi.mock('../src/http/subscriptions.ts', () => ({
  serveSubscriptions: () => {
    throw new Error('WebSocket setup failed');
  },
}));

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Whether something can listen on `port` (the server of a failed start must have let it go). */
async function canListen(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { hello: String }
  type Subscription { ticks: Int }
`);

describe('startSubgraph', () => {
  it('closes its HTTP and metrics listeners when the WebSocket setup fails', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    await expect(
      startSubgraph({
        name: 'ws-failure',
        port,
        host: '127.0.0.1',
        metricsPort,
        typeDefs,
        resolvers: { Query: { hello: () => 'hi' } },
        logger: createLogger('ws-failure', 'silent'),
        metrics: createMetrics('ws_failure'),
        readiness: [],
        context: async () => ({}),
        connectionContext: async () => ({}),
      }),
    ).rejects.toThrow('WebSocket setup failed');
    expect(await canListen(port)).toBe(true);
    expect(await canListen(metricsPort)).toBe(true);
  });
});
