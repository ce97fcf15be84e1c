import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_SECRET_HEADER } from '@vegshare/kit/gateway';
import type { GatewayContext } from './context.ts';
import { subgraphTarget, type SubgraphFetcher, type SubgraphTarget } from './subgraph-fetcher.ts';
import { cacheHintOf, subgraphBody, subgraphFailure } from './subgraph-response.ts';

type Response = Awaited<ReturnType<GraphQLDataSource<GatewayContext>['process']>>;

/** Counts subgraph fetches: sent over the network, or answered by an identical fetch already in flight. */
export interface FetchCounter {
  sent(subgraph: string): void;
  deduplicated(subgraph: string): void;
}

const isReadOperation = (query: string): boolean => query.startsWith('query') || query.startsWith('{');

/** `GraphQLDataSourceRequestKind.INCOMING_OPERATION` (the enum is not exported at run time). */
const INCOMING_OPERATION = 'incoming operation';

/** A waiter's own copy of a shared answer: the data the executor merges into is copied, the rest is not. */
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
 * How the gateway calls a subgraph. It is Apollo's `GraphQLDataSource` written directly on the pooled undici fetcher:
 * `RemoteGraphQLDataSource` built a node-fetch `Headers` and `Request` (with a legacy `url.parse`) for every fetch and
 * copied the headers three times, which cost more of the gateway's CPU than the request itself. What it did that a
 * client or subgraph can see is kept: the same request body and headers (the caller's token, the gateway secret, the
 * client's address and user agent), the same errors for a non-2xx answer, a non-JSON body or a network failure
 * (`subgraph-response.ts`), and the subgraph's `Cache-Control` restricting the client response's cache policy.
 *
 * Identical read fetches in flight at the same time (same subgraph, operation, variables and caller identity) are
 * sent once. The executor merges into what it receives, so every joiner gets its own copy, made when the answer
 * arrives and before anyone can touch it; the fetch that was sent keeps the original. A fetch nobody joined (every
 * fetch of distinct callers) is therefore never copied: copying each answer cost as much heap as the answers.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  readonly #inflight = new Map<string, Flight>();
  /** Split at the first fetch: a subgraph without a valid URL fails its fetches, not the gateway's start. */
  #target: SubgraphTarget | undefined;

  constructor(
    private readonly url: string,
    private readonly gatewaySecret: string | undefined,
    private readonly subgraph: string,
    private readonly fetcher: SubgraphFetcher,
    private readonly counter?: FetchCounter,
    private readonly dedup = true,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const query = options.request.query ?? '';
    if (!this.dedup || !isReadOperation(query)) {
      this.counter?.sent(this.subgraph);
      return this.#send(options);
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
      answer: this.#send(options).then(
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

  /** One POST to the subgraph, as `RemoteGraphQLDataSource.process` sends it (no APQ), and its answer. */
  async #send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const { request } = options;
    const headers = this.#headers(options);
    if (!request.query) throw new Error('Missing query');
    // Apollo's field order (query first, then what the executor put in the request); `http` is not part of the body.
    const { query, http: _http, ...rest } = request;
    this.#target ??= subgraphTarget(this.url);
    const reply = await this.fetcher.post(this.#target, headers, JSON.stringify({ query, ...rest }));
    if (reply.status < 200 || reply.status > 299) throw subgraphFailure(this.url, reply);
    const body = subgraphBody(reply);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    // The client response's cache policy: what the subgraph says, or not cacheable when it says nothing.
    if (options.kind === INCOMING_OPERATION) {
      const policy = options.incomingRequestContext.overallCachePolicy as unknown;
      if (typeof policy === 'object' && policy !== null && 'restrict' in policy)
        (policy as { restrict(hint: object): void }).restrict(cacheHintOf(reply.headers['cache-control']));
    }
    return body as Response;
  }

  /** Headers of a subgraph request: any the executor set, JSON, the gateway secret, and who the caller is. */
  #headers({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Record<string, string> {
    const headers: Record<string, string> = {};
    const given = request.http?.headers;
    if (given) for (const [name, value] of given) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    if (this.gatewaySecret) headers[GATEWAY_SECRET_HEADER] = this.gatewaySecret;
    // Entity fetches during health checks or subscriptions may run without a request context.
    if (!('clientIp' in context)) return headers;
    const caller = context as GatewayContext;
    if (caller.authorization) headers['authorization'] = caller.authorization;
    // The shared subscription class runs as nobody in particular: no client address to pass on.
    if (caller.clientIp) headers['x-forwarded-for'] = caller.clientIp;
    if (caller.userAgent) headers['user-agent'] = caller.userAgent;
    return headers;
  }
}
