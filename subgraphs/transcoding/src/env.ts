import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { checkSubgraphConfig, configFields, objectStoreConfigShape, parseConfig, subgraphConfigShape } from '@vegshare/kit';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Worker and media settings, shared by the service (embedded workers) and worker-main.ts. */
export const workerConfigShape = {
  ...objectStoreConfigShape,
  /** Jobs one worker process runs at once; default: number of cores. */
  WORKER_CONCURRENCY: positiveInt(availableParallelism()),
  /** Run ffmpeg workers inside the service process (the embedded default); set false when worker-main.ts processes do it. */
  RUN_WORKERS: configFields.bool.default(true),
  /** BullMQ queue name and Redis key prefix (tests use random ones). */
  QUEUE_NAME: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('transcode'),
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_:-]+$/).default('vegshare:bull'),
  JOB_ATTEMPTS: positiveInt(3),
  /** First retry delay; doubles on each further attempt. */
  JOB_BACKOFF_MS: positiveInt(2_000),
  /** BullMQ lock and stalled-check timings: a dead worker's job is taken over after about lock + interval. */
  LOCK_DURATION_MS: positiveInt(30_000),
  STALLED_INTERVAL_MS: positiveInt(30_000),
  /** How many times a job may be recovered from a dead worker before it fails. */
  MAX_STALLED_COUNT: positiveInt(5),
  /** After SIGTERM, how long ffmpeg gets before SIGKILL. */
  CANCEL_GRACE_MS: positiveInt(3_000),
  /** On shutdown, how long running VOD jobs may finish before they are handed back to the queue. */
  DRAIN_TIMEOUT_MS: positiveInt(15_000),
  HEARTBEAT_MS: positiveInt(5_000),
  /** Minimum gap between two progress events of one job. */
  PROGRESS_INTERVAL_MS: positiveInt(500),
  HLS_SEGMENT_SECONDS: positiveInt(2),
  /** Segments kept in a live playlist; older ones leave S3 one window later. */
  LIVE_WINDOW_SEGMENTS: positiveInt(6),
  THUMBNAIL_INTERVAL_SECONDS: positiveInt(10),
  LIVE_RECONNECT_BASE_MS: positiveInt(1_000),
  LIVE_RECONNECT_MAX_MS: positiveInt(30_000),
  /** A live job that cannot reconnect for this long fails. */
  LIVE_GIVE_UP_MS: positiveInt(15 * 60_000),
  /** libx264 preset (ultrafast … veryslow). */
  X264_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  /** Daily timelapse time, HH:MM in UTC (for the previous day). */
  TIMELAPSE_AT: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM').default('00:30'),
  TIMELAPSE_SECONDS: positiveInt(20),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).optional(),
  WORK_DIR: z.string().min(1).default(join(tmpdir(), 'vegshare-transcoding')),
  REDIS_URL: configFields.redisUrl.optional(),
  /** Redis channel prefix of the event bus; must match the services' (the kit's default). */
  EVENT_PREFIX: z.string().regex(/^[a-zA-Z0-9_:.-]+$/).default('vegshare:'),
  LOG_LEVEL: configFields.logLevel,
  DATABASE_URL: configFields.postgresUrl,
};

export const schema = z.object({ ...subgraphConfigShape(4005), ...workerConfigShape }).superRefine(checkSubgraphConfig);
export type TranscodingConfig = z.infer<typeof schema>;
const workerSchema = z.object(workerConfigShape);
export type WorkerConfig = z.infer<typeof workerSchema>;

/** The only reader of process.env in the transcoding service. */
export const loadTranscodingConfig = (env: Record<string, string | undefined> = process.env): TranscodingConfig => parseConfig(schema, env);
/** Config of a separate worker process (worker-main.ts); it needs REDIS_URL to share the queue. */
export const loadWorkerConfig = (env: Record<string, string | undefined> = process.env): WorkerConfig & { REDIS_URL: string } => {
  const config = parseConfig(workerSchema, env);
  if (!config.REDIS_URL) throw new Error('Invalid configuration: REDIS_URL: required for a separate worker process');
  return { ...config, REDIS_URL: config.REDIS_URL };
};
