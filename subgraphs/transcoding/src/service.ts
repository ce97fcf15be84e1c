import { mkdir } from 'node:fs/promises';
import {
  createLogger,
  createMetrics,
  createObjectStore,
  eventBusFromConfig,
  eventTopics,
  launchSubgraph,
  type LiveTranscodeRequested,
  type LiveTranscodeStopRequested,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule, seedWith } from '@vegshare/kit';
import { z } from 'zod';
import { loadTranscodingConfig, type TranscodingConfig } from './env.ts';
import { createTranscodingDb } from './db.ts';
import { registerQueueDepthMetric } from './queue-depth-metric.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { seedTranscoding } from './seed.ts';
import type { Context } from './context.ts';
import { resolveFfmpeg } from './media/ffmpeg-binary.ts';
import { jobQueueFromConfig } from './queue/queue-from-config.ts';
import type { JobQueue } from './queue/job-queue.ts';
import { MemoryJobQueue } from './queue/memory-queue.ts';
import { ensureLiveJob, requeueUnfinished, stopLiveJob, type JobCommandDeps } from './jobs/job-commands.ts';
import { startWorkerPool, TIMELAPSE_TICK, type WorkerPool } from './workers/worker-pool.ts';

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
  sourceUrl: z.string().regex(/^(rtsps?|rtmps?|https?|tcp|udp|srt):\/\/[^\s]+$/, 'unsupported live source'),
  profile: z.string().max(64),
});
const stopRequest = z.object({ streamId: z.string().uuid() });

/** Starts the transcoding subgraph (and, by default, its ffmpeg workers); used by main.ts, the embedded start and tests. */
export async function startTranscodingService(config: TranscodingConfig, deps: TranscodingDeps = {}): Promise<RunningTranscoding> {
  const logger = deps.logger ?? createLogger('transcoding', config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics('transcoding');
  const db = createTranscodingDb(config.DATABASE_URL);
  if (!metrics.registry.getSingleMetric('transcoding_queue_jobs')) registerQueueDepthMetric(metrics, db);
  const ownBus = !deps.events;
  const bus = deps.events ?? eventBusFromConfig(config.REDIS_URL, logger);
  const ownQueue = !deps.queue;
  const queue = deps.queue ?? jobQueueFromConfig(config, logger);
  const store = createObjectStore(config);
  const commands: JobCommandDeps = { db, bus, queue, config, logger };
  const cleanups: (() => Promise<unknown>)[] = [];
  let workers: WorkerPool | null = null;
  const release = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => logger.warn({ err }, 'cleanup failed'));
    if (ownQueue) await queue.close();
    if (ownBus) await bus.close();
    await db.$disconnect();
  };
  try {
    await store.ensureBucket();
    await mkdir(config.WORK_DIR, { recursive: true });
    await queue.scheduleDaily(TIMELAPSE_TICK, config.TIMELAPSE_AT);
    if (queue instanceof MemoryJobQueue) {
      const requeued = await requeueUnfinished(commands);
      if (requeued) logger.info({ requeued }, 'requeued unfinished jobs from Postgres');
    }
    const handle = <T>(schema: z.ZodType<T>, what: string, run: (payload: T) => Promise<unknown>) => (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return logger.warn({ what, problem: parsed.error.issues[0]?.message }, 'dropped malformed event');
      run(parsed.data).catch((err: unknown) => logger.error({ err, what }, 'event handler failed'));
    };
    cleanups.push(await bus.subscribe<LiveTranscodeRequested>(eventTopics.liveTranscodeRequested, handle(liveRequest, 'live request', (r) => ensureLiveJob(commands, r))));
    cleanups.push(await bus.subscribe<LiveTranscodeStopRequested>(eventTopics.liveTranscodeStopRequested, handle(stopRequest, 'live stop', (r) => stopLiveJob(commands, r.streamId))));
    if (config.RUN_WORKERS) {
      const binaries = await resolveFfmpeg({ ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH });
      const pool = await startWorkerPool({ config, db, bus, store, queue, binaries, logger, metrics });
      workers = pool;
      cleanups.push(() => pool.close());
    }
  } catch (error) {
    await release();
    throw error;
  }
  const running = await launchSubgraph<Context>({
    name: 'transcoding',
    config,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    events: bus,
    resolvers,
    deps: { ...deps, logger, metrics, events: bus },
    context: (viewer, log) => ({ viewer, db, loaders: createLoaders(db), bus, queue, store, config, logger: log }),
    readiness: () => [
      { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
      { name: 'queue', check: () => queue.ping() },
      { name: 's3', check: async () => void (await store.client.bucketExists(store.bucket)) },
    ],
    onStop: release,
  });
  return { ...running, workers };
}

export const service: ServiceModule<TranscodingConfig> = {
  name: 'transcoding',
  loadConfig: loadTranscodingConfig,
  start: startTranscodingService,
  seed: seedWith(createTranscodingDb, seedTranscoding),
};
