// The kit's public surface: what services, the gateway, tools and tests may import from '@vegshare/kit'. Everything
// else under src/ is the kit's own business (package.json exports only this file), so it can change without a search
// through every workspace. Add a name here when another workspace needs it; remove it when the last user goes.

// First, before any module of the kit loads @apollo/server (node-create-hash.ts says why).
export { hashModulesLoadedFirst } from './node-create-hash.ts';

// Service lifecycle: start, run as a process, close what was opened.
export {
  launchSubgraph,
  runAsProcess,
  isServiceModule,
  seedWith,
  type ServiceDeps,
  type ServiceModule,
  type SeedOptions,
} from './launch.ts';
export { prismaHandle, startService, type DbHandle, type ServiceKit, type ServiceWiring } from './start-service.ts';
export { Resources, type ResourceOptions } from './lifecycle.ts';
export { startSubgraph, GATEWAY_SECRET_HEADER, type RunningSubgraph } from './subgraph.ts';

// Configuration, logging, metrics, tracing.
export { ConfigError, configFields, parseConfig } from './config.ts';
export { checkSubgraphConfig, subgraphConfigShape, verifierFromConfig, NODE_ENVS } from './service-config.ts';
export { createLogger, type Logger } from './logger.ts';
export { createMetrics, type ServiceMetrics } from './metrics.ts';
export { RateLimitFallback, sharedRateLimiter } from './rate-limit-fallback.ts';
export { initTracing, traceCarrier, withCarrier } from './tracing.ts';

// Errors: one registry of client-facing codes, and the masking that enforces it.
export {
  ErrorCode,
  isExposedErrorCode,
  domainError,
  badInput,
  unauthenticated,
  forbidden,
  subscriptionAccessEnded,
  notFound,
  conflict,
  capacityExhausted,
} from './errors.ts';
export { createErrorFormatter, metricsPlugin, operationLabeler } from './apollo-plugins.ts';
export {
  documentHasIllFormedText,
  illFormedInputError,
  illFormedPath,
  wellFormedInputPlugin,
} from './well-formed-input.ts';
export { DateScalar, DateTimeScalar } from './scalars.ts';

// Identity and access.
export {
  createJwtVerifier,
  viewerFromHeaders,
  withAccessView,
  hasRole,
  requireRole,
  requireViewer,
  ROLES,
  type Role,
  type TokenVerifier,
  type Viewer,
} from './auth.ts';
export { clientAddress } from './gateway-secret.ts';
export { RevocationView, accessNarrowed } from './revocation/revocation-view.ts';
export { RevocationSync, type RevocationSource } from './revocation/revocation-sync.ts';
export { httpRevocationSource, REVOCATIONS_PATH } from './revocation/http-revocation-source.ts';

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
export {
  asGraphQLError,
  endableStream,
  wsErrorHooks,
  type EndableStream,
  type ErrorFormatter,
} from './http/operation-stream.ts';

// Data access.
export {
  pgAdapter,
  pgPool,
  openPrismaOnPool,
  prismaLikeTypes,
  preparedRows,
  type PgPool,
  type PgStatement,
  type PgSql,
  type PrismaOnPool,
  type PrismaOnPoolOptions,
} from './db/pg-adapter.ts';
export { applyMigrations } from './db/migrations.ts';
export { isUniqueViolation, isExclusionViolation, isTransientDbError } from './db/db-errors.ts';
export { groupLoader, rowLoader, isUuid } from './loaders.ts';
export {
  connectionOf,
  createdAtKey,
  createdBefore,
  decodeCursor,
  encodeCursor,
  pageInfoOf,
  pageSize,
  timeKey,
  type Connection,
  type Cursor,
  type Edge,
} from './pagination.ts';
export { createObjectStore, objectStoreConfigShape, type ObjectStore } from './storage/object-store.ts';

// Media: signed playback URLs and the media path scheme.
export { MediaSigner, MAX_GRANT_SECONDS } from './media/media-signer.ts';
export { MEDIA_CONTENT_TYPES, MEDIA_PREFIX, mediaScopeOf, mediaUrl, parseMediaPath } from './media/media-paths.ts';

// Events: the bus, its topics and payload contracts.
export { untypedBus, type EventBus, type RawEventBus, type AnyTopics } from './events/event-bus.ts';
export { MemoryEventBus } from './events/memory-event-bus.ts';
export { RedisEventBus } from './events/redis-event-bus.ts';
export { eventBusFromConfig } from './events/event-bus-from-config.ts';
export { eventIterator } from './events/event-iterator.ts';
export {
  RESUME_WINDOW,
  cursorExpired,
  decodeFeedCursor,
  decodeStateCursor,
  encodeFeedCursor,
  encodeStateCursor,
  feedPositionOf,
  resumeLog,
  resumeState,
  type FeedPosition,
} from './events/live-resume.ts';
export { whileAllowed } from './events/access-guard.ts';

// Durable events: the transactional outbox, its relay to JetStream (or to the bus in-process), durable consumers.
export { inTransaction, ServiceEvents } from './events/service-events.ts';
export { enqueueEvent, firstDelivery, OutboxRelay, type RawExecutor } from './events/outbox.ts';
export { type EventStream } from './events/event-stream.ts';
export { BusEventStream } from './events/bus-event-stream.ts';
export { JetStreamEventStream } from './events/jetstream-event-stream.ts';
export {
  topics,
  NOTIFICATION_KINDS,
  type AccessRevoked,
  type BookingChanged,
  type BookingReleaseRequested,
  type CameraChanged,
  type CameraHealthChanged,
  type CameraWatchersChanged,
  type EventPayloads,
  type EventTopic,
  type FarmChanged,
  type LiveHlsProgress,
  type LiveTranscodeRequested,
  type LiveTranscodeStatus,
  type LiveTranscodeStopRequested,
  type NotificationAdded,
  type NotificationKind,
  type NotificationRequested,
  type PaymentChanged,
  type PlotActivity,
  type PlotTimelapseReady,
  type PlotWatchersChanged,
  type RecordingsExpired,
  type RentalChanged,
  type StreamSnapshot,
  type TimelapseReady,
  type TranscodeControl,
  type TranscodeJobEvent,
  type TranscoderCapacity,
  type UserDataErased,
  type UserDeleted,
  type UserRegistered,
  type ViewerCountEvent,
} from './events/contracts.ts';
