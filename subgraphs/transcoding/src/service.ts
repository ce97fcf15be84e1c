import { mkdir } from 'node:fs/promises';
import {
  createObjectStore,
  topics,
  MediaSigner,
  prismaHandle,
  startService,
  type CameraChanged,
  type FarmChanged,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
  type Viewer,
  type ServiceEvents,
  type Logger,
  seedWith,
} from '@vegshare/kit';
import type { TranscodingDb } from './db.ts';
import { z } from 'zod';
import { loadTranscodingConfig, type TranscodingConfig } from './env.ts';
import { createTranscodingDb, TRANSCODING_SCHEMA } from './db.ts';
import { registerQueueDepthMetric } from './adapters/queue/depth-metric.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedTranscoding } from './seed.ts';
import type { Context } from './context.ts';
import { prepareFfmpeg } from './domain/media/ffmpeg-capabilities.ts';
import { jobQueueFromConfig } from './adapters/queue/queue-from-config.ts';
import type { JobQueue } from './adapters/queue/job-queue.ts';
import { MemoryJobQueue } from './adapters/queue/memory-queue.ts';
import { ensureLiveJob, requeueUnfinished, stopLiveJob, type JobCommandDeps } from './domain/jobs/job-commands.ts';
import { RETENTION_TICK, startWorkerPool, TIMELAPSE_TICK, type WorkerPool } from './adapters/workers/worker-pool.ts';

export { loadTranscodingConfig, type TranscodingConfig } from './env.ts';

/** What tests and the embedded start may inject on top of the kit's deps. */
export interface TranscodingDeps extends ServiceDeps {
  readonly queue?: JobQueue;
}

/** What the transcoding service adds to a running subgraph. */
interface TranscodingExtras {
  /** The in-process worker pool, when RUN_WORKERS is on. */
  readonly workers: WorkerPool | null;
}

export interface RunningTranscoding extends RunningSubgraph, TranscodingExtras {}

const liveRequest = z.object({
  streamId: z.string().uuid(),
  cameraId: z.string().uuid(),
  farmId: z.string().uuid(),
  sourceUrl: z.string().regex(/^(rtsps?|rtmps?):\/\/[^\s]+$/, 'unsupported live source'),
  profile: z.string().max(64),
});
const stopRequest = z.object({ streamId: z.string().uuid() });
const farmChanged = z.object({ farmId: z.string().uuid(), ownerId: z.string().uuid(), name: z.string() });
const cameraChanged = z.object({
  cameraId: z.string().uuid(),
  farmId: z.string().uuid(),
  plotId: z.string().uuid().nullable(),
  removed: z.boolean(),
});

/** Farms a user owns, from the FarmChanged projection; each context looks them up at most every few seconds. */
function ownedFarmsOf(db: TranscodingDb, viewer: Viewer | null): () => Promise<ReadonlySet<string>> {
  let cached: { at: number; farms: Promise<ReadonlySet<string>> } | null = null;
  return () => {
    if (!viewer) return Promise.resolve(new Set());
    if (!cached || Date.now() - cached.at > 2_000) {
      cached = {
        at: Date.now(),
        farms: db.farmOwner
          .findMany({ where: { ownerId: viewer.userId }, select: { farmId: true } })
          .then((rows) => new Set(rows.map((r) => r.farmId))),
      };
    }
    return cached.farms;
  };
}

/** Starts the transcoding subgraph (and, by default, its ffmpeg workers); used by main.ts, the embedded start and tests. */
export function startTranscodingService(
  config: TranscodingConfig,
  deps: TranscodingDeps = {},
): Promise<RunningTranscoding> {
  return startService<TranscodingDb, Context, JobQueue, TranscodingExtras>({
    name: 'transcoding',
    config,
    deps,
    dbSchema: TRANSCODING_SCHEMA,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    openDb: () => prismaHandle(createTranscodingDb(config.DATABASE_URL)),
    // The queue is used by the event consumers: opened before the outbox, so it closes after it.
    beforeEvents: ({ db, logger, metrics, resources }) => {
      if (!metrics.registry.getSingleMetric('transcoding_queue_jobs')) registerQueueDepthMetric(metrics, db);
      return deps.queue ?? resources.add('job queue', jobQueueFromConfig(config, logger), (q) => q.close());
    },
    async wire({ db, bus: liveBus, outbox, logger, metrics, resources, before: queue }) {
      // Status, timelapse and retention events are published after their change committed: through the outbox.
      const bus = outbox.outboxBus(liveBus, db);
      const store = createObjectStore(config);
      const signer = config.PLAYBACK_SIGNING_SECRET
        ? new MediaSigner(config.PLAYBACK_SIGNING_SECRET, config.PLAYBACK_URL_TTL_SECONDS)
        : null;
      if (!signer) logger.warn('PLAYBACK_SIGNING_SECRET not set: VOD outputs get no playback URLs');
      const commands: JobCommandDeps = { db, bus, queue, config, logger };
      let workers: WorkerPool | null = null;
      await store.ensureBucket();
      await mkdir(config.WORK_DIR, { recursive: true });
      await queue.scheduleDaily(TIMELAPSE_TICK, config.TIMELAPSE_AT);
      await queue.scheduleEvery(RETENTION_TICK, 3_600_000);
      if (queue instanceof MemoryJobQueue) {
        const requeued = await requeueUnfinished(commands);
        if (requeued) logger.info({ requeued }, 'requeued unfinished jobs from Postgres');
      }
      await consumeEvents(outbox, db, commands, logger);
      // Before the workers start: what they publish is relayed from their first job on.
      outbox.start();
      if (config.RUN_WORKERS) {
        const binaries = await prepareFfmpeg({ ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH });
        workers = resources.add(
          'worker pool',
          await startWorkerPool({ config, db, bus, store, queue, binaries, logger, metrics }),
          (pool) => pool.close(),
        );
      }
      return {
        events: bus,
        context: (viewer, log) => ({
          viewer,
          db,
          loaders: createLoaders(db),
          bus,
          queue,
          store,
          config,
          logger: log,
          ownedFarms: ownedFarmsOf(db, viewer),
          signer,
        }),
        readiness: () => [
          { name: 'queue', check: () => queue.ping() },
          { name: 's3', check: async () => void (await store.client.bucketExists(store.bucket)) },
        ],
        started: () => ({ workers }),
      };
    },
  });
}

/**
 * Durable consumers (`transcoding.<name>`); every handler is naturally idempotent: a live request ensures one job per
 * stream, a stop of a stopped stream does nothing, the projections are upserts and deletes.
 */
async function consumeEvents(
  outbox: ServiceEvents,
  db: TranscodingDb,
  commands: JobCommandDeps,
  logger: Logger,
): Promise<void> {
  const handle =
    <T>(schema: z.ZodType<T>, what: string, run: (payload: T) => Promise<unknown>) =>
    async (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success)
        return logger.warn({ what, problem: parsed.error.issues[0]?.message }, 'dropped malformed event');
      await run(parsed.data);
    };
  await outbox.consume(
    'live-requests',
    topics.liveTranscodeRequested,
    handle(liveRequest, 'live request', (r) => ensureLiveJob(commands, r)),
  );
  await outbox.consume(
    'live-stops',
    topics.liveTranscodeStopRequested,
    handle(stopRequest, 'live stop', (r) => stopLiveJob(commands, r.streamId)),
  );
  await outbox.consume(
    'farm-owners',
    topics.farmChanged,
    handle(farmChanged, 'farm changed', (f) =>
      db.farmOwner.upsert({
        where: { farmId: f.farmId },
        create: { farmId: f.farmId, ownerId: f.ownerId },
        update: { ownerId: f.ownerId },
      }),
    ),
  );
  await outbox.consume(
    'camera-farms',
    topics.cameraChanged,
    handle(cameraChanged, 'camera changed', (c) =>
      c.removed
        ? db.cameraFarm.deleteMany({ where: { cameraId: c.cameraId } })
        : db.cameraFarm.upsert({
            where: { cameraId: c.cameraId },
            create: { cameraId: c.cameraId, farmId: c.farmId },
            update: { farmId: c.farmId },
          }),
    ),
  );
}

export const service: ServiceModule<TranscodingConfig> = {
  name: 'transcoding',
  loadConfig: loadTranscodingConfig,
  start: startTranscodingService,
  seed: seedWith(createTranscodingDb, seedTranscoding),
};
