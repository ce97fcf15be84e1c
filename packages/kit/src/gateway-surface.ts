// The kit's second entry point, `@vegshare/kit/gateway`: only what the gateway imports. The gateway runs no
// subgraph: it needs neither storage (MinIO), media, Prisma/pg, the outbox and JetStream (NATS), DataLoader helpers nor
// @apollo/subgraph, and the main entry point ('@vegshare/kit') loads all of them, which held ~20 MB more module source
// in every gateway process (issue 17). Everything here is also exported by index.ts under the same names; a module
// listed here must not import one of those subgraph-side modules (see gateway-surface.test.ts).

// First, before any module of the kit loads @apollo/server (node-create-hash.ts says why).
export { hashModulesLoadedFirst } from './node-create-hash.ts';

// Lifecycle and configuration.
export { runAsProcess } from './launch.ts';
export { Resources } from './lifecycle.ts';
export { GATEWAY_SECRET_HEADER } from './gateway-secret.ts';
export { configFields, parseConfig } from './config.ts';
export { checkSubgraphConfig, verifierFromConfig, NODE_ENVS } from './service-config.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type ServiceMetrics } from './metrics.ts';
export { RateLimitFallback, sharedRateLimiter } from './rate-limit-fallback.ts';
export { initTracing } from './tracing.ts';

// Errors and the HTTP pipeline's Apollo plugins.
export { ErrorCode, subscriptionAccessEnded } from './errors.ts';
export { createErrorFormatter, metricsPlugin, operationLabeler } from './apollo-plugins.ts';
export {
  documentHasIllFormedText,
  illFormedInputError,
  illFormedPath,
  wellFormedInputPlugin,
} from './well-formed-input.ts';
export { DateScalar, DateTimeScalar } from './scalars.ts';

// Identity and access.
export { viewerFromHeaders, withAccessView, type TokenVerifier, type Viewer } from './auth.ts';
export { RevocationView, accessNarrowed } from './revocation/revocation-view.ts';
export { RevocationSync, type RevocationSource } from './revocation/revocation-sync.ts';
export { httpRevocationSource } from './revocation/http-revocation-source.ts';

// HTTP and GraphQL transport.
export {
  startServiceServer,
  type ReadinessCheck,
  type RouteHandler,
  type RunningServer,
} from './http/service-server.ts';
export { apolloHandler } from './http/apollo-handler.ts';
export { BodyTooLargeError, readBody, sendJson } from './http/body.ts';
export { isLoopbackAddress } from './http/loopback.ts';
export { asGraphQLError, wsErrorHooks, type ErrorFormatter } from './http/operation-stream.ts';

// Events: the bus revocations arrive on.
export { type EventBus } from './events/event-bus.ts';
export { eventBusFromConfig } from './events/event-bus-from-config.ts';
