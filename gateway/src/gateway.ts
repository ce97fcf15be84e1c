import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  createErrorFormatter,
  createLogger,
  createMetrics,
  metricsPlugin,
  startServiceServer,
  verifierFromConfig,
  viewerFromHeaders,
  type Logger,
  type ServiceMetrics,
  type TokenVerifier,
  type RunningServer,
} from '@vegshare/kit';
import { apolloHandler } from '@vegshare/kit/http/apollo-handler';
import type { GatewayConfig } from './env.ts';
import type { GatewayContext } from './context.ts';
import { fileSupergraph } from './supergraph-source.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';
import { subgraphUrls } from './subgraph-urls.ts';

export interface GatewayDeps {
  readonly logger?: Logger;
  readonly metrics?: ServiceMetrics;
  readonly verifier?: TokenVerifier;
}

export interface RunningGateway extends RunningServer {
  stop(graceMs?: number): Promise<void>;
}

const clientIpOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** Starts the gateway: Apollo Gateway on Apollo Server, served by the kit's HTTP shell on one /graphql endpoint. */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<RunningGateway> {
  const logger = deps.logger ?? createLogger('gateway', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('gateway');
  const verifier = deps.verifier ?? verifierFromConfig(config);
  const gateway = new ApolloGateway({
    supergraphSdl: fileSupergraph(config.SUPERGRAPH_PATH, logger),
    buildService: ({ name, url }) => new SubgraphDataSource(config.SUBGRAPH_URLS[name] ?? url ?? '', config.GATEWAY_SECRET),
    logger,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter(logger),
    plugins: [ApolloServerPluginLandingPageDisabled(), metricsPlugin<GatewayContext>(metrics)],
  });
  await apollo.start();

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const viewer = await viewerFromHeaders(req.headers, verifier);
    return {
      viewer,
      authorization: viewer ? (req.headers.authorization ?? null) : null,
      clientIp: clientIpOf(req),
      userAgent: req.headers['user-agent'] ?? null,
    };
  };

  const server = await startServiceServer({
    name: 'gateway',
    port: config.PORT,
    logger,
    metrics,
    readiness: [
      {
        name: 'subgraphs',
        check: async () => {
          const urls = subgraphUrls(readFileSync(config.SUPERGRAPH_PATH, 'utf8'), config.SUBGRAPH_URLS);
          const down: string[] = [];
          await Promise.all(
            [...urls].map(async ([name, url]) => {
              const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(1500) }).catch(() => null);
              if (!res?.ok) down.push(name);
            }),
          );
          if (down.length) throw new Error(`unreachable: ${down.sort().join(', ')}`);
        },
      },
    ],
    routes: { '/graphql': apolloHandler({ server: apollo, context }) },
  });
  return {
    ...server,
    async stop(graceMs) {
      await server.close(graceMs);
      await apollo.stop();
    },
  };
}
