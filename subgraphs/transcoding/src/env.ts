import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import {
  checkSubgraphConfig,
  configFields,
  objectStoreConfigShape,
  parseConfig,
  subgraphConfigShape,
} from '@vegshare/kit';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const seconds = (fallback: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(fallback);

/** Worker and media settings, shared by the service (embedded workers) and worker-main.ts. */
export const workerConfigShape = {
  ...objectStoreConfigShape,
  /** Jobs one worker process runs at most at once; within that, the CPU budget decides what it admits. */
  WORKER_CONCURRENCY: positiveInt(32),
  /** CPU (in cores) this worker's ffmpeg processes may use together; default: 90 % of the cores. */
  CPU_BUDGET_CORES: z.coerce
    .number()
    .positive()
    .max(1024)
    .default(Math.max(0.5, availableParallelism() * 0.9)),
  /** A live job no worker can admit within this long fails with CAPACITY_EXHAUSTED (instead of waiting for minutes). */
  LIVE_ADMISSION_WAIT_MS: positiveInt(8_000),
  /** VOD, thumbnail and timelapse ffmpeg runs get this niceness, so live streams keep real time. */
  BATCH_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  /** Run ffmpeg workers inside the service process (the embedded default); set false when worker-main.ts processes do it. */
  RUN_WORKERS: configFields.bool.default(true),
  /** BullMQ queue name and Redis key prefix (tests use random ones). */
  QUEUE_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/)
    .default('transcode'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_:-]+$/)
    .default('vegshare:bull'),
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
  /** VOD: keyframe (and segment) interval of the HLS ladder. */
  HLS_SEGMENT_SECONDS: positiveInt(2),
  /** Live: segments close at the first keyframe after this many seconds. */
  LIVE_SEGMENT_SECONDS: seconds(2, 0.5, 10),
  /** Live: LL-HLS part length (one fMP4 fragment); players hold back three parts from the live edge. */
  LIVE_PART_SECONDS: seconds(0.5, 0.1, 2),
  /** Finished segments kept in a live playlist (all of them stay in S3 for the recording). */
  LIVE_WINDOW_SEGMENTS: positiveInt(6),
  /** Live: no video for this long means the camera dropped (RECONNECTING). */
  LIVE_STALL_MS: positiveInt(3_000),
  /** Live: the first video of an encoder run must arrive within this long. */
  LIVE_START_TIMEOUT_MS: positiveInt(10_000),
  /** Live: pass an H.264 camera through as the top rung (remux only). */
  LIVE_PASSTHROUGH: configFields.bool.default(true),
  /** libx264 preset of live rungs (they must keep real time on a shared machine). */
  LIVE_X264_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('superfast'),
  /** Live: a JPEG still every this many seconds to snapshots/<camera>/<day>/ (the daily timelapse's frames). */
  SNAPSHOT_INTERVAL_SECONDS: positiveInt(60),
  /** How long recordings (finished live sessions) and snapshots stay in S3. */
  RECORDING_RETENTION_HOURS: positiveInt(72),
  SNAPSHOT_RETENTION_DAYS: positiveInt(7),
  THUMBNAIL_INTERVAL_SECONDS: positiveInt(10),
  LIVE_RECONNECT_BASE_MS: positiveInt(300),
  LIVE_RECONNECT_MAX_MS: positiveInt(2_000),
  /** A live job that cannot reconnect for this long fails. */
  LIVE_GIVE_UP_MS: positiveInt(15 * 60_000),
  /** libx264 preset of VOD and timelapse encodes. */
  X264_PRESET: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  /** Daily timelapse time, HH:MM in UTC (for the previous day). */
  TIMELAPSE_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
    .default('00:30'),
  TIMELAPSE_SECONDS: positiveInt(20),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).optional(),
  WORK_DIR: z.string().min(1).default(join(tmpdir(), 'vegshare-transcoding')),
  REDIS_URL: configFields.redisUrl.optional(),
  /** Redis channel prefix of the event bus; must match the services' (EVENT_PREFIX everywhere). */
  EVENT_PREFIX: configFields.eventPrefix,
  LOG_LEVEL: configFields.logLevel,
  DATABASE_URL: configFields.postgresUrl,
};

/** What only the GraphQL service needs (VOD uploads, playback URLs of VOD outputs). */
const serviceShape = {
  /** Signs playback URLs of VOD outputs; must be the streaming service's key (it serves /media/). Unset: no URLs. */
  PLAYBACK_SIGNING_SECRET: configFields.secret.optional(),
  /** Public origin of /media/ (the gateway's, a CDN's): VOD playback URLs start with it. */
  PLAYBACK_BASE_URL: configFields.url.default('http://localhost:4000'),
  PLAYBACK_URL_TTL_SECONDS: z.coerce.number().int().positive().max(300).default(120),
  /** Largest VOD source a farmer may upload. */
  VOD_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 ** 3),
  /** Lifetime of a presigned VOD upload URL. */
  VOD_UPLOAD_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(900),
};

export const schema = z
  .object({ ...subgraphConfigShape(4005), ...workerConfigShape, ...serviceShape })
  .superRefine(checkSubgraphConfig);
export type TranscodingConfig = z.infer<typeof schema>;
const workerSchema = z.object(workerConfigShape);
export type WorkerConfig = z.infer<typeof workerSchema>;

/** The only reader of process.env in the transcoding service. */
export const loadTranscodingConfig = (env: Record<string, string | undefined> = process.env): TranscodingConfig =>
  parseConfig(schema, env);
/** Config of a separate worker process (worker-main.ts); it needs REDIS_URL to share the queue. */
export const loadWorkerConfig = (
  env: Record<string, string | undefined> = process.env,
): WorkerConfig & { REDIS_URL: string } => {
  const config = parseConfig(workerSchema, env);
  if (!config.REDIS_URL) throw new Error('Invalid configuration: REDIS_URL: required for a separate worker process');
  return { ...config, REDIS_URL: config.REDIS_URL };
};
