import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { GATEWAY_SECRET_HEADER, type Logger } from '@vegshare/kit/gateway';
import type { UpstreamResume } from './upstream-resume.ts';

export type UpstreamResult = FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>;
export type UpstreamListener = {
  next(result: UpstreamResult): void;
  error(error: unknown): void;
  complete(): void;
};

interface SharedSubscription {
  readonly listeners: Set<UpstreamListener>;
  dispose: () => void;
}

export interface UpstreamRequest {
  readonly serviceName: string;
  readonly url: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** Caller identity forwarded in connection_init (`Bearer …`), or null for anonymous. */
  readonly authorization: string | null;
  /** Set when the subscription can be resumed after its last event (see upstream-resume.ts). */
  readonly resume?: UpstreamResume | null;
}

const toWs = (httpUrl: string): string => httpUrl.replace(/^http/, 'ws');

/**
 * graphql-ws connections from the gateway to subgraphs. One connection per (subgraph, caller identity), reconnecting
 * with back-off when a subgraph restarts (graphql-ws re-subscribes every active subscription, resumable ones after
 * their last event). Identical upstream
 * subscriptions (same subgraph, operation, variables and identity) are shared: one upstream, many listeners.
 */
export class UpstreamPool {
  readonly #clients = new Map<string, Client>();
  readonly #shared = new Map<string, SharedSubscription>();
  #closed = false;

  constructor(
    private readonly gatewaySecret: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** Number of distinct upstream subscriptions (for metrics and tests). */
  get upstreamCount(): number {
    return this.#shared.size;
  }

  #client(url: string, authorization: string | null): Client {
    const key = `${url}\u0000${authorization ?? ''}`;
    let client = this.#clients.get(key);
    if (client) return client;
    const params: Record<string, string> = {};
    if (authorization) params['authorization'] = authorization;
    if (this.gatewaySecret) params[GATEWAY_SECRET_HEADER] = this.gatewaySecret;
    client = createClient({
      url: toWs(url),
      webSocketImpl: WebSocket,
      connectionParams: params,
      lazy: true,
      lazyCloseTimeout: 1000,
      keepAlive: 10_000,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: () => !this.#closed,
      retryWait: async (retries) => {
        const ms = Math.min(5000, 100 * 2 ** retries) * (0.5 + Math.random() / 2);
        await new Promise((r) => setTimeout(r, ms));
      },
      on: {
        closed: (event) =>
          this.logger.debug(
            { url, code: (event as { code?: number }).code },
            'upstream subscription connection closed',
          ),
        connected: () => this.logger.debug({ url }, 'upstream subscription connection open'),
      },
    });
    this.#clients.set(key, client);
    return client;
  }

  /** Adds a listener to the shared upstream subscription for `request`; returns the function that removes it. */
  subscribe(request: UpstreamRequest, listener: UpstreamListener): () => void {
    const key = JSON.stringify([request.serviceName, request.query, request.variables, request.authorization]);
    let shared = this.#shared.get(key);
    if (!shared) {
      const listeners = new Set<UpstreamListener>();
      const entry: SharedSubscription = { listeners, dispose: () => undefined };
      this.#shared.set(key, entry);
      shared = entry;
      // graphql-ws re-sends this payload, serialised again, when it re-subscribes after a reconnect: moving the
      // resume variable to each event's cursor makes that re-subscription start after the last event delivered.
      const payload = { query: request.query, variables: { ...request.variables } };
      const resume = request.resume;
      entry.dispose = this.#client(request.url, request.authorization).subscribe<
        Record<string, unknown>,
        Record<string, unknown>
      >(payload, {
        next: (result) => {
          const cursor = resume?.cursorOf(result.data);
          if (resume && cursor) payload.variables[resume.variable] = cursor;
          for (const l of [...listeners]) l.next(result);
        },
        error: (error) => {
          this.#shared.delete(key);
          for (const l of [...listeners]) l.error(error);
        },
        complete: () => {
          this.#shared.delete(key);
          for (const l of [...listeners]) l.complete();
        },
      });
    }
    shared.listeners.add(listener);
    const entry = shared;
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && this.#shared.get(key) === entry) {
        this.#shared.delete(key);
        entry.dispose();
      }
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const s of this.#shared.values()) s.dispose();
    this.#shared.clear();
    await Promise.all([...this.#clients.values()].map((c) => c.dispose()));
    this.#clients.clear();
  }
}
