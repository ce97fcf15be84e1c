import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GATEWAY_SECRET_HEADER } from '@vegshare/kit';
import type { GatewayContext } from './context.ts';

/**
 * How the gateway calls a subgraph: Node's fetch (undici, pooled keep-alive connections) instead of the
 * default cache-aware fetcher, the caller's token forwarded, the gateway secret attached, client IP passed on.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly gatewaySecret: string | undefined) {
    super({ url, fetcher: fetch as unknown as Fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (this.gatewaySecret) headers.set(GATEWAY_SECRET_HEADER, this.gatewaySecret);
    // Entity fetches during health checks or subscriptions may run without a request context.
    if (!('clientIp' in context)) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    headers.set('x-forwarded-for', context.clientIp);
    if (context.userAgent) headers.set('user-agent', context.userAgent);
  }
}
