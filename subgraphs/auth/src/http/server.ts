import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import { gatewaySecretGuard, startServiceServer, viewerFromHeaders, type ReadinessCheck, type RouteHandler, type RunningSubgraph, type ServiceMetrics, type TokenVerifier, type Viewer } from '@vegshare/kit';
import { apolloHandler } from '@vegshare/kit/http/apollo-handler';
import { createErrorFormatter, metricsPlugin } from '@vegshare/kit/apollo-plugins';

/*
 * The auth service's variant of the kit's startSubgraph (the auth schema has no subscriptions). It differs in two
 * ways the kit does not offer yet (reported to the lead): the context factory receives the request (client IP and
 * user agent for sessions, rate limits and the audit log), and some routes are public, outside the gateway-secret
 * guard (the JWKS, which every subgraph fetches directly, and the dev mailbox).
 */

export interface AuthServerOptions<TContext extends BaseContext> {
  readonly name: string;
  readonly port: number;
  readonly schemaFile: URL;
  readonly resolvers: object;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly verifier: TokenVerifier;
  readonly readiness: readonly ReadinessCheck[];
  readonly gatewaySecret: string | undefined;
  readonly context: (viewer: Viewer | null, req: IncomingMessage) => TContext;
  /** Routes behind the gateway-secret guard, like /graphql. */
  readonly routes: Readonly<Record<string, RouteHandler>>;
  /** Routes anyone may call. */
  readonly publicRoutes: Readonly<Record<string, RouteHandler>>;
}

export async function startAuthServer<TContext extends BaseContext>(options: AuthServerOptions<TContext>): Promise<RunningSubgraph> {
  const typeDefs = parse(readFileSync(options.schemaFile, 'utf8'));
  const schema = buildSubgraphSchema({ typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(options.logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), metricsPlugin<TContext>(options.metrics)],
    csrfPrevention: true,
  });
  await apollo.start();
  const guard = gatewaySecretGuard(options.gatewaySecret);
  const guarded = (handler: RouteHandler): RouteHandler =>
    guard ? (req: IncomingMessage, res: ServerResponse, search: string) => (guard(req, res) ? handler(req, res, search) : undefined) : handler;
  const routes: Record<string, RouteHandler> = { ...options.publicRoutes };
  for (const [path, handler] of Object.entries(options.routes)) routes[path] = guarded(handler);
  routes['/graphql'] = guarded(
    apolloHandler<TContext>({ server: apollo, context: async (req) => options.context(await viewerFromHeaders(req.headers, options.verifier), req) }),
  );
  const server = await startServiceServer({ name: options.name, port: options.port, logger: options.logger, metrics: options.metrics, readiness: options.readiness, routes });
  return {
    ...server,
    apollo: apollo as unknown as ApolloServer<BaseContext>,
    async stop(graceMs) {
      await server.close(graceMs);
      await apollo.stop();
    },
  };
}
