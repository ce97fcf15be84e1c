import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GATEWAY_SECRET_HEADER } from '@vegshare/kit';
import type { GatewayContext } from './context.ts';

type Response = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

/** Counts subgraph fetches: sent over the network, or answered by an identical fetch already in flight. */
export interface FetchCounter {
  sent(subgraph: string): void;
  deduplicated(subgraph: string): void;
}

const isReadOperation = (query: string): boolean => query.startsWith('query') || query.startsWith('{');

/** A waiter's own copy of a shared answer: the data the executor merges into is copied, the HTTP response is not. */
const copyOf = (response: Response): Response => ({
  ...response,
  ...(response.data !== undefined ? { data: structuredClone(response.data) } : {}),
  ...(response.errors !== undefined ? { errors: structuredClone(response.errors) } : {}),
});

/**
 * How the gateway calls a subgraph: Node's fetch (undici, pooled keep-alive connections) instead of the
 * default cache-aware fetcher, the caller's token forwarded, the gateway secret attached, client IP passed on.
 * Identical read fetches in flight at the same time (same subgraph, operation, variables and caller identity) are
 * sent once; every waiter gets its own copy of the answer, since the executor merges into what it receives.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #inflight = new Map<string, Promise<Response>>();

  constructor(
    url: string,
    private readonly gatewaySecret: string | undefined,
    private readonly subgraph = '',
    private readonly counter?: FetchCounter,
    private readonly dedup = true,
    fetcher: Fetcher = fetch as unknown as Fetcher,
  ) {
    super({ url, fetcher });
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const query = options.request.query ?? '';
    if (!this.dedup || !isReadOperation(query)) {
      this.counter?.sent(this.subgraph);
      return super.process(options);
    }
    const context = options.context as Partial<GatewayContext>;
    const key = `${context.authorization ?? ''}\u0000${query}\u0000${JSON.stringify(options.request.variables ?? {})}`;
    const pending = this.#inflight.get(key);
    if (pending) {
      this.counter?.deduplicated(this.subgraph);
      return copyOf(await pending);
    }
    this.counter?.sent(this.subgraph);
    const request = super.process(options).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, request);
    return copyOf(await request);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (this.gatewaySecret) headers.set(GATEWAY_SECRET_HEADER, this.gatewaySecret);
    // Entity fetches during health checks or subscriptions may run without a request context.
    if (!('clientIp' in context)) return;
    if (context.authorization) headers.set('authorization', context.authorization);
    // The shared subscription class runs as nobody in particular: no client address to pass on.
    if (context.clientIp) headers.set('x-forwarded-for', context.clientIp);
    if (context.userAgent) headers.set('user-agent', context.userAgent);
  }
}
