import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { isLoopbackAddress, type ServiceMetrics } from '@vegshare/kit/gateway';

/**
 * A cap on the graphql-ws connections one client address holds open on this replica. Each connection is a socket
 * (a file descriptor) and a ping timer for as long as it lasts; without a cap one host could open them until the
 * process has no descriptors left for its subgraph calls. Past the cap the upgrade is refused with 429 before any
 * WebSocket exists. Loopback clients are not counted: they are this machine (local tools, `bench:subscriptions`, a
 * load test on the embedded start); behind an ingress every client has its own address (TRUSTED_PROXIES).
 *
 * `verify` (ws's `verifyClient`) and `opened` (its `connection` event) run in the same upgrade event, one after the
 * other, so concurrent upgrades from one address cannot slip past the count between them.
 */
export function connectionsPerClient(options: {
  readonly maxConnectionsPerClient?: number | undefined;
  readonly clientOf: (request: IncomingMessage) => { readonly clientIp: string };
  readonly metrics: ServiceMetrics;
}): {
  verify(
    info: { req: IncomingMessage },
    done: (verified: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
  ): void;
  opened(socket: WebSocket, request: IncomingMessage): void;
} {
  const max = options.maxConnectionsPerClient ?? 0;
  const open = new Map<string, number>();
  const refused = options.metrics.counter(
    'gateway_ws_connections_refused_total',
    'graphql-ws upgrades refused because the client address already held WS_MAX_CONNECTIONS_PER_IP connections',
  );
  return {
    verify({ req }, done) {
      const ip = options.clientOf(req).clientIp;
      if (max > 0 && !isLoopbackAddress(ip) && (open.get(ip) ?? 0) >= max) {
        refused.inc();
        done(false, 429, 'Too many connections from this address', { 'retry-after': '10' });
        return;
      }
      done(true);
    },
    opened(socket, request) {
      const ip = options.clientOf(request).clientIp;
      if (max === 0 || isLoopbackAddress(ip)) return;
      open.set(ip, (open.get(ip) ?? 0) + 1);
      socket.once('close', () => {
        const left = (open.get(ip) ?? 1) - 1;
        if (left > 0) open.set(ip, left);
        else open.delete(ip);
      });
    },
  };
}
