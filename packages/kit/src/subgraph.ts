import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { apolloHandler } from './http/apollo-handler.ts';
import { sendJson } from './http/body.ts';
import { startServiceServer, type ReadinessCheck, type RouteHandler, type RunningServer } from './http/service-server.ts';
import type { ServiceMetrics } from './metrics.ts';
import { metricsPlugin, createErrorFormatter } from './apollo-plugins.ts';
import { serveSubscriptions } from './http/subscriptions.ts';

export const GATEWAY_SECRET_HEADER = 'x-gateway-secret';

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
}

export interface RunningSubgraph extends RunningServer {
  readonly apollo: ApolloServer<BaseContext>;
  /** Stops HTTP then Apollo. */
  stop(graceMs?: number): Promise<void>;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** True when `given` is the gateway secret (compared in constant time, whatever the lengths). */
const isGatewaySecret = (given: unknown, expected: Buffer): boolean => typeof given === 'string' && timingSafeEqual(digest(given), expected);

/** Guard that admits only the gateway (shared secret, compared in constant time). */
export function gatewaySecretGuard(secret: string | undefined) {
  if (!secret) return undefined;
  const expected = digest(secret);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (isGatewaySecret(req.headers[GATEWAY_SECRET_HEADER], expected)) return true;
    sendJson(res, 403, { errors: [{ message: 'Subgraphs accept traffic only from the gateway', extensions: { code: 'FORBIDDEN' } }] });
    return false;
  };
}

/** Builds and serves one federated subgraph with health, readiness, metrics and masked errors. */
export async function startSubgraph<TContext extends BaseContext>(options: SubgraphOptions<TContext>): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(options.logger),
    // No cache-control hints are used: without the default cache-control plugin no field resolver is wrapped per call
    // (it was a sixth of a list query's CPU).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), metricsPlugin<TContext>(options.metrics)],
    // The gateway sends JSON with the right content type; the CSRF check protects against browsers.
    csrfPrevention: true,
  });
  await apollo.start();
  const guard = gatewaySecretGuard(options.gatewaySecret);
  const guarded = (handler: RouteHandler): RouteHandler => (guard ? (req, res, search) => (guard(req, res) ? handler(req, res, search) : undefined) : handler);
  const routes: Record<string, RouteHandler> = { ...options.publicRoutes };
  for (const [path, handler] of Object.entries(options.routes ?? {})) routes[path] = guarded(handler);
  // Only the gateway calls /graphql, on the local network: compressing there would cost CPU on both sides for nothing.
  routes['/graphql'] = guarded(apolloHandler({ server: apollo, context: options.context, compression: false }));
  const server = await startServiceServer({
    name: options.name,
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    logger: options.logger,
    metrics: options.metrics,
    readiness: options.readiness,
    routes,
  });
  const connectionContext = options.connectionContext;
  const subscriptions =
    schema.getSubscriptionType() && connectionContext
      ? serveSubscriptions<TContext>({
          server: server.server,
          schema,
          logger: options.logger,
          context: async (params) => {
            if (options.gatewaySecret && !isGatewaySecret(params[GATEWAY_SECRET_HEADER], digest(options.gatewaySecret))) throw new Error('missing or wrong gateway secret');
            return connectionContext(params);
          },
        })
      : null;
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
