import type { IncomingMessage } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginCacheControlDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { apolloHandler } from './http/apollo-handler.ts';
import {
  startServiceServer,
  type ReadinessCheck,
  type RouteHandler,
  type RunningServer,
} from './http/service-server.ts';
import type { ServiceMetrics } from './metrics.ts';
import { metricsPlugin, createErrorFormatter } from './apollo-plugins.ts';
import { serveSubscriptions } from './http/subscriptions.ts';
import { wellFormedInputPlugin } from './well-formed-input.ts';
import { ScopePolicy, scopeRefusal, scopesPlugin } from './scopes.ts';

import { GATEWAY_SECRET_HEADER, gatewaySecretGuard, gatewaySecretMatcher } from './gateway-secret.ts';

export { GATEWAY_SECRET_HEADER } from './gateway-secret.ts';

export interface SubgraphOptions<TContext extends BaseContext> {
  readonly name: string;
  readonly port: number;
  /** Listen address (default every interface). */
  readonly host?: string;
  readonly typeDefs: DocumentNode;
  /** Generated resolver map (codegen `Resolvers`); checked against the SDL by buildSubgraphSchema at start. */
  readonly resolvers: object;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly readiness: readonly ReadinessCheck[];
  readonly context: (req: IncomingMessage) => Promise<TContext>;
  /** Context for graphql-ws connections from connection_init's payload; required when the schema has a Subscription type. */
  readonly connectionContext?: (params: Readonly<Record<string, unknown>>) => Promise<TContext>;
  /** When set, /graphql answers only requests carrying this secret in `x-gateway-secret`. */
  readonly gatewaySecret?: string | undefined;
  /** Routes behind the gateway-secret guard, like /graphql. */
  readonly routes?: Readonly<Record<string, RouteHandler>>;
  /** Routes anyone may call, outside the gateway-secret guard (a JWKS, signed media, a dev mailbox). */
  readonly publicRoutes?: Readonly<Record<string, RouteHandler>>;
  /** Internal metrics listener (see ServiceServerOptions). */
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  /** Ends a graphql-ws connection's subscriptions when the caller's access shrinks (see serveSubscriptions). */
  readonly watchAccess?: (
    connectionParams: Readonly<Record<string, unknown>>,
    narrowed: () => void,
  ) => Promise<() => void>;
  /** Apollo plugins added to the kit's own (metrics, masking). */
  readonly plugins?: readonly ApolloServerPlugin<TContext>[];
}

export interface RunningSubgraph extends RunningServer {
  readonly apollo: ApolloServer<BaseContext>;
  /** Stops HTTP then Apollo. */
  stop(graceMs?: number): Promise<void>;
}

/** Builds and serves one federated subgraph with health, readiness, metrics and masked errors. */
export async function startSubgraph<TContext extends BaseContext>(
  options: SubgraphOptions<TContext>,
): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({
    typeDefs: options.typeDefs,
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  const formatError = createErrorFormatter(options.logger);
  // Partner API keys: the scopes the schema declares (@apiScopes) are enforced here, for HTTP and graphql-ws alike.
  const scopes = new ScopePolicy(schema);
  const apollo = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError,
    // No cache-control hints are used: without the default cache-control plugin no field resolver is wrapped per call
    // (it was a sixth of a list query's CPU).
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      metricsPlugin<TContext>(options.metrics),
      wellFormedInputPlugin<TContext>(),
      scopesPlugin<TContext>(scopes),
      ...(options.plugins ?? []),
    ],
    // The gateway sends JSON with the right content type; the CSRF check protects against browsers.
    csrfPrevention: true,
  });
  await apollo.start();
  const guard = gatewaySecretGuard(options.gatewaySecret);
  const guarded = (handler: RouteHandler): RouteHandler =>
    guard ? (req, res, search) => (guard(req, res) ? handler(req, res, search) : undefined) : handler;
  const routes: Record<string, RouteHandler> = { ...options.publicRoutes };
  for (const [path, handler] of Object.entries(options.routes ?? {})) routes[path] = guarded(handler);
  // Only the gateway calls /graphql, on the local network: compressing there would cost CPU on both sides for nothing.
  routes['/graphql'] = guarded(apolloHandler({ server: apollo, context: options.context, compression: false }));
  let server: RunningServer;
  try {
    server = await startServiceServer({
      name: options.name,
      port: options.port,
      ...(options.host ? { host: options.host } : {}),
      logger: options.logger,
      metrics: options.metrics,
      readiness: options.readiness,
      routes,
      ...(options.metricsPort !== undefined ? { metricsPort: options.metricsPort } : {}),
      ...(options.metricsHost !== undefined ? { metricsHost: options.metricsHost } : {}),
    });
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  let subscriptions: { close(): Promise<void> } | null;
  try {
    subscriptions = serveWebSockets(options, schema, server, formatError, scopes);
  } catch (error) {
    // The HTTP server is listening already: a failed WebSocket setup must not leave it (and its port) open.
    await server.close(0);
    await apollo.stop();
    throw error;
  }
  return {
    ...server,
    apollo: apollo as unknown as ApolloServer<BaseContext>,
    async stop(graceMs) {
      await subscriptions?.close();
      await server.close(graceMs);
      await apollo.stop();
    },
  };
}

/** graphql-ws on the subgraph's HTTP server, when the schema has subscriptions and connections get a context. */
function serveWebSockets<TContext extends BaseContext>(
  options: SubgraphOptions<TContext>,
  schema: GraphQLSchema,
  server: RunningServer,
  formatError: ReturnType<typeof createErrorFormatter>,
  scopes: ScopePolicy,
): { close(): Promise<void> } | null {
  const connectionContext = options.connectionContext;
  if (!schema.getSubscriptionType() || !connectionContext) return null;
  const isGatewaySecret = gatewaySecretMatcher(options.gatewaySecret);
  return serveSubscriptions<TContext>({
    server: server.server,
    schema,
    logger: options.logger,
    formatError,
    ...(options.watchAccess ? { watchAccess: options.watchAccess } : {}),
    refuse: (context: TContext, document: DocumentNode) => scopeRefusal(scopes, context, document),
    context: async (params) => {
      if (options.gatewaySecret && !isGatewaySecret(params[GATEWAY_SECRET_HEADER]))
        throw new Error('missing or wrong gateway secret');
      return connectionContext(params);
    },
  });
}
