/**
 * Hive Gateway's runtime (@graphql-hive/gateway, the engine its CLI serves) on node:http in one process, defaults
 * except the gateway secret and the caller's token propagated to subgraphs. HIVE_DEDUP chooses deduplication:
 * `default` (Hive's defaults: identical in-flight subgraph queries share one upstream request), `none` (that off too),
 * `inbound` (defaults plus inbound in-flight deduplication of identical client requests, off by default in Hive).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { announce, fail, required } from './child.ts';

const secret = required('GATEWAY_SECRET');
const dedup = process.env['HIVE_DEDUP'] ?? 'default';
try {
  const gateway = createGatewayRuntime({
    supergraph: required('SUPERGRAPH_PATH'),
    logging: 'warn',
    inboundInflightRequestDeduplication: dedup === 'inbound',
    ...(dedup === 'none' ? { transportEntries: { '*': { options: { deduplicateInflightRequests: false } } } } : {}),
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({
        'x-gateway-secret': secret,
        authorization: request.headers.get('authorization') ?? undefined,
      }),
    },
  });
  // The runtime's Node listener answers errors itself (its fetch handler returns a promise a Node listener would drop).
  const server = createServer(gateway.requestListener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  announce(base, `${base}/graphql`, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gateway.dispose();
  });
} catch (error) {
  fail('gateway hive', error);
}
