import type { Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import {
  asGraphQLError,
  endableStream,
  wsErrorHooks,
  type EndableStream,
  type ErrorFormatter,
} from './operation-stream.ts';
import { subscriptionAccessEnded } from '../errors.ts';

export interface SubgraphSubscriptionOptions<TContext> {
  readonly server: Server;
  readonly schema: GraphQLSchema;
  readonly logger: Logger;
  /** Verifies connection_init's payload (gateway secret, bearer token) and builds the context once per connection. */
  readonly context: (connectionParams: Readonly<Record<string, unknown>>) => Promise<TContext>;
  /** The HTTP error formatter (masking, stable codes), applied to every error sent over the socket. */
  readonly formatError: ErrorFormatter;
  /**
   * Called once a connection is accepted: `narrowed` is to be called when the caller's access shrank (session or key
   * revoked, a role removed); every open subscription of the connection then ends with FORBIDDEN. Returns the function
   * that stops watching.
   */
  readonly watchAccess?: (
    connectionParams: Readonly<Record<string, unknown>>,
    narrowed: () => void,
  ) => Promise<() => void>;
  /** Refuses an operation for this caller (e.g. an API key whose scopes do not cover it), as over HTTP; null: allowed. */
  readonly refuse?: (context: TContext, document: DocumentNode) => GraphQLError | null;
  readonly path?: string;
}

interface Connection {
  readonly params: Readonly<Record<string, unknown>>;
  readonly streams: Set<EndableStream>;
  unwatch: (() => void) | null;
}

/** graphql-ws on the subgraph's own /graphql path: the gateway subscribes here for root Subscription fields. */
export function serveSubscriptions<TContext>(options: SubgraphSubscriptionOptions<TContext>): {
  close(): Promise<void>;
} {
  const wss = new WebSocketServer({ server: options.server, path: options.path ?? '/graphql', maxPayload: 64 * 1024 });
  const connections = new WeakMap<object, Connection>();
  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      ...wsErrorHooks(options.formatError),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          // Refuse bad connections at once; each operation still gets its own fresh context (and loaders).
          await options.context(params);
        } catch (error) {
          options.logger.info(
            { reason: error instanceof Error ? error.message : String(error) },
            'subscription connection refused',
          );
          return false;
        }
        const connection: Connection = { params, streams: new Set(), unwatch: null };
        connections.set(ctx, connection);
        connection.unwatch =
          (await options.watchAccess?.(params, () => {
            for (const stream of connection.streams) stream.end(subscriptionAccessEnded());
          })) ?? null;
        return true;
      },
      onClose: (ctx) => {
        connections.get(ctx)?.unwatch?.();
      },
      context: async (ctx) => (await options.context(connections.get(ctx)?.params ?? {})) as object,
      // Parsed and validated here (graphql-ws would otherwise), then refused or run with the context checked.
      onSubscribe: async (ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: 5000 });
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const invalid = validate(options.schema, document);
        if (invalid.length) return [...invalid];
        const contextValue = await options.context(connections.get(ctx)?.params ?? {});
        const refusal = options.refuse?.(contextValue, document);
        if (refusal) return [refusal];
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        };
      },
      // Every subscription's stream: an exception in it ends that operation with an error, never the socket.
      onOperation: (ctx, _id, _payload, _args, result) => {
        const connection = connections.get(ctx);
        if (!connection || !(Symbol.asyncIterator in Object(result))) return undefined;
        const stream = endableStream(
          result as AsyncIterable<ExecutionResult>,
          (error) => {
            if (!(error instanceof GraphQLError)) options.logger.error({ err: error }, 'subscription stream failed');
            return asGraphQLError(error);
          },
          () => connection.streams.delete(stream),
        );
        connection.streams.add(stream);
        return stream;
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
