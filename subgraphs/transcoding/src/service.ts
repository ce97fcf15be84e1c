import { mkdir } from 'node:fs/promises';
import {
  createLogger,
  createMetrics,
  createObjectStore,
  eventBusFromConfig,
  ServiceEvents,
  topics,
  launchSubgraph,
  MediaSigner,
  Resources,
  type FarmChanged,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
  type Viewer,
  seedWith,
} from '@vegshare/kit';
import type { TranscodingDb } from './db.ts';
import { z } from 'zod';
import { loadTranscodingConfig, type TranscodingConfig } from './env.ts';
import { createTranscodingDb, TRANSCODING_SCHEMA } from './db.ts';
import { registerQueueDepthMetric } from './queue-depth-metric.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedTranscoding } from './seed.ts';
import type { Context } from './context.ts';
import { prepareFfmpeg } from './media/ffmpeg-capabilities.ts';
import { jobQueueFromConfig } from './queue/queue-from-config.ts';
import type { JobQueue } from './queue/job-queue.ts';
import { MemoryJobQueue } from './queue/memory-queue.ts';
import { ensureLiveJob, requeueUnfinished, stopLiveJob, type JobCommandDeps } from './jobs/job-commands.ts';
import { RETENTION_TICK, startWorkerPool, TIMELAPSE_TICK, type WorkerPool } from './workers/worker-pool.ts';

export { loadTranscodingConfig, type TranscodingConfig } from './env.ts';

/** What tests and the embedded start may inject on top of the kit's deps. */
export interface TranscodingDeps extends ServiceDeps {
  readonly queue?: JobQueue;
}

export interface RunningTranscoding extends RunningSubgraph {
  /** The in-process worker pool, when RUN_WORKERS is on. */
  readonly workers: WorkerPool | null;
}

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
export async function startTranscodingService(
  config: TranscodingConfig,
  deps: TranscodingDeps = {},
): Promise<RunningTranscoding> {
  const logger = deps.logger ?? createLogger('transcoding', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('transcoding');
  const resources = new Resources(logger);
  return resources.build(async () => {
    const db = resources.add('postgres', createTranscodingDb(config.DATABASE_URL), (d) => d.$disconnect());
    if (!metrics.registry.getSingleMetric('transcoding_queue_jobs')) registerQueueDepthMetric(metrics, db);
    const liveBus =
      deps.events ?? resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger), (b) => b.close());
    const queue = deps.queue ?? resources.add('job queue', jobQueueFromConfig(config, logger), (q) => q.close());
    // Registered after the bus, the queue and the database, so its relay and consumers stop before they close (newest first).
    const outbox = resources.add(
      'service events',
      await ServiceEvents.open({
        service: 'transcoding',
        schema: TRANSCODING_SCHEMA,
        databaseUrl: config.DATABASE_URL,
        logger,
        metrics,
        natsUrl: config.NATS_URL,
        bus: liveBus,
      }),
      (o) => o.stop(),
    );
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
    // Durable consumers (`transcoding.<name>`); every handler is naturally idempotent: a live request ensures one job
    // per stream, a stop of a stopped stream does nothing, the projections are upserts and deletes.
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
    outbox.start();
    if (config.RUN_WORKERS) {
      const binaries = await prepareFfmpeg({ ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH });
      workers = resources.add(
        'worker pool',
        await startWorkerPool({ config, db, bus, store, queue, binaries, logger, metrics }),
        (pool) => pool.close(),
      );
    }
    const running = await launchSubgraph<Context>({
      name: 'transcoding',
      config,
      schemaFile: new URL('../schema.graphql', import.meta.url),
      events: bus,
      resolvers,
      deps: { ...deps, logger, metrics, events: bus },
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
        { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
        { name: 'queue', check: () => queue.ping() },
        { name: 's3', check: async () => void (await store.client.bucketExists(store.bucket)) },
      ],
      resources,
    });
    return { ...running, workers };
  });
}

export const service: ServiceModule<TranscodingConfig> = {
  name: 'transcoding',
  loadConfig: loadTranscodingConfig,
  start: startTranscodingService,
  seed: seedWith(createTranscodingDb, seedTranscoding),
};
