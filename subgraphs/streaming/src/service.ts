import { randomBytes } from 'node:crypto';
import {
  createObjectStore,
  MEDIA_PREFIX,
  MediaSigner,
  prismaHandle,
  RedisEventBus,
  startService,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
  type Viewer,
  seedWith,
} from '@vegshare/kit';
import { loadStreamingConfig, type StreamingConfig } from './env.ts';
import { createStreamingDb, STREAMING_SCHEMA, type StreamingDb } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedStreaming } from './seed.ts';
import type { Context, StreamingRuntime } from './context.ts';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from './domain/presence.ts';
import { StreamControl } from './domain/stream-control.ts';
import { subscribeToEvents } from './domain/event-handlers.ts';
import { hlsHandler } from './adapters/http/hls.ts';
import { hlsRoute } from './adapters/http/hls-route.ts';
import { mediaHandler } from './adapters/http/media.ts';
import { HLS_PREFIX } from './domain/hls-path.ts';
import { CapacityView } from './domain/capacity-view.ts';
import { HlsProgressBoard } from './domain/hls-progress.ts';
import { watchRights } from './domain/watch-rights.ts';

export { loadStreamingConfig, type StreamingConfig } from './env.ts';

/** What the streaming service adds to a running subgraph. */
interface StreamingExtras {
  /** Stream lifecycle (tests drive the sweeps directly instead of waiting for timers). */
  readonly control: StreamControl;
  /** Resolves once every event received so far has been applied. */
  eventsIdle(): Promise<void>;
}

export interface RunningStreaming extends RunningSubgraph, StreamingExtras {}

const ms = (seconds: number): number => Math.round(seconds * 1000);

/** Loaders older than this are replaced: a graphql-ws connection keeps its context for hours, its cache must not. */
const LOADER_MAX_AGE_MS = 1000;

/**
 * One context per HTTP request or graphql-ws connection. The loaders are renewed once they are older than a second,
 * so a long-lived subscription resolves each event against fresh rows (and the cache cannot grow without bound),
 * while one HTTP request still batches everything through one set.
 */
function requestContext(viewer: Viewer | null, db: StreamingDb, runtime: StreamingRuntime): Context {
  let loaders = createLoaders(db);
  let created = Date.now();
  return {
    viewer,
    db,
    runtime,
    get loaders() {
      if (Date.now() - created > LOADER_MAX_AGE_MS) {
        loaders = createLoaders(db);
        created = Date.now();
      }
      return loaders;
    },
  };
}

/** Starts the streaming subgraph; used by main.ts, the embedded start and the tests alike. */
export function startStreamingService(config: StreamingConfig, deps: ServiceDeps = {}): Promise<RunningStreaming> {
  return startService<StreamingDb, Context, undefined, StreamingExtras>({
    name: 'streaming',
    config,
    deps,
    dbSchema: STREAMING_SCHEMA,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    openDb: () => prismaHandle(createStreamingDb(config.DATABASE_URL)),
    async wire({ db, bus: liveBus, outbox, logger, metrics, resources }) {
      // Domain code publishes after its change committed: durable topics go through the outbox, live ones to the bus.
      const bus = outbox.outboxBus(liveBus, db);
      const presence: PresenceStore = resources.add(
        'presence',
        config.REDIS_URL
          ? new RedisPresenceStore(
              config.REDIS_URL,
              ms(config.VIEWER_TTL_SECONDS),
              config.REDIS_KEY_PREFIX,
              ms(config.VIEWER_TTL_SECONDS + config.STREAM_IDLE_STOP_SECONDS + config.PRESENCE_SWEEP_SECONDS) * 2,
            )
          : new MemoryPresenceStore(ms(config.VIEWER_TTL_SECONDS)),
        (p) => p.close(),
      );
      const store = createObjectStore(config);
      const signingSecret = config.PLAYBACK_SIGNING_SECRET ?? randomBytes(32).toString('base64url');
      if (!config.PLAYBACK_SIGNING_SECRET)
        logger.warn(
          'PLAYBACK_SIGNING_SECRET not set: playback URLs are signed with a per-process key and verify on this replica only',
        );
      const signer = new MediaSigner(signingSecret, config.PLAYBACK_URL_TTL_SECONDS);
      const failures = metrics.counter('streaming_stream_failures_total', 'Streams that moved to FAILED');
      const board = new HlsProgressBoard();
      const capacity = new CapacityView();
      const blocked = metrics.gauge(
        'streaming_hls_blocking_reloads',
        'LL-HLS playlist requests held until the playlist moves on',
      );
      const control = new StreamControl({
        onFailure: () => failures.inc(),
        capacity,
        healthNotifyCooldownMs: ms(config.CAMERA_HEALTH_NOTIFY_COOLDOWN_SECONDS),
        db,
        bus,
        presence,
        logger,
        timings: {
          idleStopMs: ms(config.STREAM_IDLE_STOP_SECONDS),
          republishMs: ms(config.LIVE_REQUEST_REPUBLISH_SECONDS),
          startTimeoutMs: ms(config.STREAM_START_TIMEOUT_SECONDS),
          sweepMs: ms(config.PRESENCE_SWEEP_SECONDS),
        },
      });
      const runtime: StreamingRuntime = { bus, control, presence, signer, playbackBaseUrl: config.PLAYBACK_BASE_URL };
      const handlers = resources.add(
        'event handlers',
        await subscribeToEvents(bus, outbox, db, control, { board, capacity }, logger),
        (h) => h.close(),
      );
      return {
        events: bus,
        context: (viewer) => requestContext(viewer, db, runtime),
        readiness: () => [
          { name: 'object-store', check: async () => void (await store.client.bucketExists(store.bucket)) },
          ...(config.REDIS_URL ? [{ name: 'redis', check: () => presence.ping() }] : []),
          ...(liveBus instanceof RedisEventBus ? [{ name: 'event-bus', check: () => liveBus.ping() }] : []),
        ],
        // Players fetch playlists and segments directly (or through the gateway's origin); the signed URL, not the
        // gateway secret, authorizes them.
        publicRoutes: {
          [`${HLS_PREFIX}*`]: hlsRoute(
            hlsHandler({
              db,
              store,
              signer,
              logger,
              board,
              blockMaxMs: config.HLS_BLOCK_MAX_MS,
              noteViewer: (s, v) => control.noteViewer(s, v),
              mayWatch: watchRights(db),
            }),
          ),
          [`${MEDIA_PREFIX}*`]: hlsRoute(mediaHandler({ store, signer, logger })),
        },
        started: () => {
          control.startLoops();
          resources.onClose('stream loops', () => control.stopLoops());
          const gauge = setInterval(() => blocked.set(board.waiting), 5_000);
          gauge.unref();
          resources.onClose('blocking-reloads gauge', () => clearInterval(gauge));
          return { control, eventsIdle: () => handlers.idle() };
        },
      };
    },
  });
}

export const service: ServiceModule<StreamingConfig> = {
  name: 'streaming',
  loadConfig: loadStreamingConfig,
  start: startStreamingService,
  seed: seedWith(createStreamingDb, seedStreaming),
};
