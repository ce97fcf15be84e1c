import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, ServerError } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { Observable } from 'rxjs';
import type { SessionStore } from '../auth/session';
import { graphqlWsUrl } from '../config';
import { createCache } from './cache';
import { ConnectionState } from './connection';
import { persistCache, type CacheStorage, type CachePersistence } from './persist';
import { ResumingWsLink } from './resume-link';

export interface AppClient {
  readonly apollo: ApolloClient;
  readonly ws: Client;
  readonly connection: ConnectionState;
  /** The saved cache of this user, or null (signed out, or the web where nothing is kept on disk). */
  readonly persistence: CachePersistence | null;
  /** Refetches every active query: after a reconnect, on return to the foreground, on pull-to-refresh of the app. */
  refetchActive(): Promise<void>;
  dispose(): Promise<void>;
}

export interface AppClientOptions {
  readonly httpUrl: string;
  readonly sessions: SessionStore;
  /** Signed-in user whose cache is persisted in `cacheStorage`. */
  readonly userId: string | null;
  readonly cacheStorage: CacheStorage | null;
  /** Keep-alive ping interval; a pong missing for `pongTimeoutMs` closes the socket so it reconnects. */
  readonly keepAliveMs?: number;
  readonly pongTimeoutMs?: number;
}

const SKIP_REFRESH = new Set([
  'Login',
  'SignUp',
  'CompleteSignUp',
  'RefreshSession',
  'RequestPasswordReset',
  'ResetPassword',
]);

/**
 * Apollo Client for one signed-in session (or for a signed-out visitor):
 * - auth link: `Authorization: Bearer <access token>`, refreshed ahead of expiry;
 * - error link: an UNAUTHENTICATED answer refreshes the token once and retries the operation transparently;
 * - split link: subscriptions over graphql-ws on the same path, with the token in `connection_init`; keep-alive pings
 *   with a pong deadline detect dead sockets; every reconnect refetches the active queries, so what happened while the
 *   connection was down (a task completed, a notification) shows up without the user doing anything; live
 *   subscriptions resume from the cursor of their last event (ResumingWsLink), so their missed events arrive too.
 */
export function createAppClient(options: AppClientOptions): AppClient {
  const { httpUrl, sessions } = options;
  const connection = new ConnectionState();
  let activeSocket: { readyState: number; close(code: number, reason: string): void } | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | null = null;
  let apollo: ApolloClient | null = null;
  const refetchActive = async (): Promise<void> => {
    await apollo?.refetchQueries({ include: 'active' }).catch(() => undefined);
  };

  const ws = createClient({
    url: graphqlWsUrl(httpUrl),
    lazy: true,
    keepAlive: options.keepAliveMs ?? 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** retries, 10_000) * (0.75 + Math.random() / 2)));
    },
    connectionParams: async () => {
      const token = await sessions.freshAccessToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: (isRetry) => connection.set(isRetry ? 'offline' : 'connecting'),
      connected: (socket, _payload, wasRetry) => {
        activeSocket = socket as typeof activeSocket;
        connection.set('online');
        // Events sent while we were away are gone from pub/sub: ask for the current state of everything on screen.
        if (wasRetry) void refetchActive();
      },
      closed: () => {
        activeSocket = null;
        if (pongTimer) clearTimeout(pongTimer);
        if (connection.everConnected) connection.set('offline');
      },
      ping: (received) => {
        if (received) return;
        if (pongTimer) clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          if (activeSocket?.readyState === 1) activeSocket.close(4408, 'Request Timeout');
        }, options.pongTimeoutMs ?? 5_000);
      },
      pong: (received) => {
        if (received && pongTimer) clearTimeout(pongTimer);
      },
    },
  });

  const authLink = new SetContextLink(async (context) => {
    const token = await sessions.freshAccessToken();
    const headers = (context['headers'] ?? {}) as Record<string, string>;
    return { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });

  const retryAfterRefresh = new ErrorLink(({ error, operation, forward }) => {
    const unauthenticated =
      (CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED')) ||
      (ServerError.is(error) && error.statusCode === 401);
    const context = operation.getContext() as { retriedAfterRefresh?: boolean; headers?: Record<string, string> };
    if (!unauthenticated || context.retriedAfterRefresh || !sessions.current) return undefined;
    if (operation.operationName && SKIP_REFRESH.has(operation.operationName)) return undefined;
    return new Observable<ApolloLink.Result>((observer) => {
      let sub: { unsubscribe(): void } | null = null;
      sessions
        .refresh()
        .then((session) => {
          if (!session) {
            observer.error(new Error('SESSION_ENDED'));
            return;
          }
          operation.setContext({
            retriedAfterRefresh: true,
            headers: { ...context.headers, authorization: `Bearer ${session.accessToken}` },
          });
          sub = forward(operation).subscribe(observer);
        })
        .catch((e: unknown) => observer.error(e));
      return () => sub?.unsubscribe();
    });
  });

  const http = new HttpLink({ uri: httpUrl });
  const link = ApolloLink.split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new ResumingWsLink(ws, () => void refetchActive()),
    ApolloLink.from([retryAfterRefresh, authLink, http]),
  );

  const cache = createCache();
  const persistence =
    options.userId && options.cacheStorage ? persistCache(cache, options.cacheStorage, options.userId) : null;
  apollo = new ApolloClient({
    link,
    cache,
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-and-network', nextFetchPolicy: 'cache-first', errorPolicy: 'all' },
      query: { errorPolicy: 'all' },
    },
  });
  const client = apollo;
  return {
    apollo: client,
    ws,
    connection,
    persistence,
    refetchActive,
    async dispose() {
      if (pongTimer) clearTimeout(pongTimer);
      await ws.dispose();
      client.stop();
    },
  };
}
