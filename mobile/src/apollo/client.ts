import { ApolloClient, ApolloLink, HttpLink, Observable, split, type FetchResult } from '@apollo/client';
import { setContext } from '@apollo/client/link/context';
import { onError } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import type { SessionStore } from '../auth/session';
import { graphqlWsUrl } from '../config';
import { createCache } from './cache';

export interface AppClient {
  readonly apollo: ApolloClient<unknown>;
  readonly ws: Client;
  dispose(): Promise<void>;
}

/**
 * Apollo Client for one signed-in session (or for a signed-out visitor):
 * - auth link: `Authorization: Bearer <access token>`, refreshed ahead of expiry;
 * - error link: an UNAUTHENTICATED answer refreshes the token once and retries the operation transparently;
 * - split link: subscriptions over graphql-ws on the same path, with the token in `connection_init`.
 */
export function createAppClient(httpUrl: string, sessions: SessionStore): AppClient {
  const ws = createClient({
    url: graphqlWsUrl(httpUrl),
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** retries, 15_000)));
    },
    connectionParams: async () => {
      const token = await sessions.freshAccessToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
  });

  const authLink = setContext(async (_, context: { headers?: Record<string, string> }) => {
    const token = await sessions.freshAccessToken();
    return { headers: { ...context.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });

  const retryAfterRefresh = onError(({ graphQLErrors, networkError, operation, forward }) => {
    const unauthenticated =
      graphQLErrors?.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED') ||
      (networkError && 'statusCode' in networkError && networkError.statusCode === 401);
    const context = operation.getContext() as { retriedAfterRefresh?: boolean; headers?: Record<string, string> };
    if (!unauthenticated || context.retriedAfterRefresh || !sessions.current) return undefined;
    if (['Login', 'Register', 'RefreshSession'].includes(operation.operationName)) return undefined;
    return new Observable<FetchResult>((observer) => {
      let sub: { unsubscribe(): void } | null = null;
      sessions
        .refresh()
        .then((session) => {
          if (!session) {
            observer.error(new Error('Your session has ended; please sign in again.'));
            return;
          }
          const headers = { ...context.headers, authorization: `Bearer ${session.accessToken}` };
          operation.setContext({ retriedAfterRefresh: true, headers });
          sub = forward(operation).subscribe(observer);
        })
        .catch((error: unknown) => observer.error(error));
      return () => sub?.unsubscribe();
    });
  });

  const http = new HttpLink({ uri: httpUrl });
  const link = split(
    ({ query }) => {
      const def = getMainDefinition(query);
      return def.kind === 'OperationDefinition' && def.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    ApolloLink.from([retryAfterRefresh, authLink, http]),
  );

  const apollo = new ApolloClient({
    link,
    cache: createCache(),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-and-network', nextFetchPolicy: 'cache-first', errorPolicy: 'all' },
      query: { errorPolicy: 'all' },
    },
  });
  return {
    apollo,
    ws,
    async dispose() {
      await ws.dispose();
      apollo.stop();
    },
  };
}
