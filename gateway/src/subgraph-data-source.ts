import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GATEWAY_SECRET_HEADER } from '@vegshare/kit/gateway';
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

/** One subgraph fetch in flight that identical fetches join: each joiner takes its own copy of the answer by index. */
interface Flight {
  joined: number;
  readonly answer: Promise<{ readonly response: Response; readonly copies: readonly Response[] }>;
}

/**
 * How the gateway calls a subgraph: Node's fetch (undici, pooled keep-alive connections) instead of the
 * default cache-aware fetcher, the caller's token forwarded, the gateway secret attached, client IP passed on.
 * Identical read fetches in flight at the same time (same subgraph, operation, variables and caller identity) are
 * sent once. The executor merges into what it receives, so every joiner gets its own copy, made when the answer
 * arrives and before anyone can touch it; the fetch that was sent keeps the original. A fetch nobody joined (every
 * fetch of distinct callers) is therefore never copied: copying each answer cost as much heap as the answers.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly #inflight = new Map<string, Flight>();

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
      const index = pending.joined;
      pending.joined += 1;
      const { copies } = await pending.answer;
      return copies[index] as Response;
    }
    this.counter?.sent(this.subgraph);
    const flight: Flight = {
      joined: 0,
      // Runs as the answer arrives, before any awaiting code: no one joins after it, no one has merged into it yet.
      answer: super.process(options).then(
        (response) => {
          this.#inflight.delete(key);
          return { response, copies: Array.from({ length: flight.joined }, () => copyOf(response)) };
        },
        (error: unknown) => {
          this.#inflight.delete(key);
          throw error;
        },
      ),
    };
    this.#inflight.set(key, flight);
    return (await flight.answer).response;
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
