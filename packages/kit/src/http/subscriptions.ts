import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';

export interface SubgraphSubscriptionOptions<TContext> {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  /** Verifies connection_init's payload (gateway secret, bearer token) and builds the context once per connection. */
  readonly context: (connectionParams: Readonly<Record<string, unknown>>) => Promise<TContext>;
  readonly path?: string;
}

/** graphql-ws on the subgraph's own /graphql path: the gateway subscribes here for root Subscription fields. */
export function serveSubscriptions<TContext>(options: SubgraphSubscriptionOptions<TContext>): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.server, path: options.path ?? '/graphql', maxPayload: 64 * 1024 });
  const params = new WeakMap<object, Readonly<Record<string, unknown>>>();
  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        try {
          // Refuse bad connections at once; each operation still gets its own fresh context (and loaders).
          await options.context(ctx.connectionParams ?? {});
          params.set(ctx, ctx.connectionParams ?? {});
          return true;
        } catch (error) {
          options.logger.info({ reason: error instanceof Error ? error.message : String(error) }, 'subscription connection refused');
          return false;
        }
      },
      context: async (ctx) => (await options.context(params.get(ctx) ?? {})) as object,
      onError: (_ctx, _id, _payload, errors) => {
        options.logger.warn({ errors: errors.map((e) => e.message) }, 'subscription error');
      },
    },
    wss,
  );
  return {
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export const subscriptionForbidden = (): GraphQLError =>
  new GraphQLError('Subscriptions on subgraphs accept only the gateway', { extensions: { code: 'FORBIDDEN' } });
