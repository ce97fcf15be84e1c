// graphql-ws client helpers for subscription tests, speaking directly to a subgraph like the gateway does.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningSubgraph } from '@vegshare/kit';

export interface Subscription<T> {
  readonly received: T[];
  readonly errors: unknown[];
  /** Set when the server closed the socket (code) or the operation completed. */
  readonly closed: { code: number | null; completed: boolean };
  close(): Promise<void>;
}

export function subscribe<T>(service: RunningSubgraph, query: string, token?: string): Subscription<T> {
  const closed = { code: null as number | null, completed: false };
  const client = createClient({
    url: `${service.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: {
      closed: (event) => {
        closed.code = (event as { code?: number }).code ?? null;
      },
    },
  });
  const received: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors);
        if (value.data) received.push(value.data as T);
      },
      error: (error) => errors.push(error),
      complete: () => {
        closed.completed = true;
      },
    },
  );
  return {
    received,
    errors,
    closed,
    async close() {
      dispose();
      await client.dispose();
    },
  };
}
