import { z } from 'zod';
import {
  checkSubgraphConfig,
  configFields,
  objectStoreConfigShape,
  parseConfig,
  subgraphConfigShape,
} from '@vegshare/kit';

const seconds = (fallback: number, max = 86_400) => z.coerce.number().positive().max(max).default(fallback);

export const schema = z
  .object({
    ...subgraphConfigShape(4004),
    ...objectStoreConfigShape,
    /** HMAC key of playback URLs; every replica must share it. Absent: a random key per process (embedded default, one replica). */
    PLAYBACK_SIGNING_SECRET: configFields.secret.optional(),
    /**
     * Public origin players reach /hls/ and /media/ on: the gateway (which passes them here), a CDN, or this service
     * directly. Every playback, recording and timelapse URL handed to clients starts with it.
     */
    PLAYBACK_BASE_URL: configFields.url.default('http://localhost:4000'),
    /** Lifetime of a playback URL; at most 5 minutes. */
    PLAYBACK_URL_TTL_SECONDS: seconds(120, 300),
    /** An on-demand stream with no viewer for this long is stopped. */
    STREAM_IDLE_STOP_SECONDS: seconds(60),
    /** A viewer counts as watching for this long after their last heartbeat or playlist request. */
    VIEWER_TTL_SECONDS: seconds(30, 3600),
    /** LiveTranscodeRequested is re-published this often while a stream is STARTING (pub/sub is at-most-once). */
    LIVE_REQUEST_REPUBLISH_SECONDS: seconds(3, 60),
    /** A stream still STARTING after this long is marked FAILED. */
    STREAM_START_TIMEOUT_SECONDS: seconds(60, 3600),
    /** How often viewer counts and idle streams are checked. */
    PRESENCE_SWEEP_SECONDS: seconds(5, 60),
    /** Longest an LL-HLS blocking playlist reload is held before the current playlist is served. */
    HLS_BLOCK_MAX_MS: z.coerce.number().int().min(500).max(30_000).default(6_000),
    /** A camera's offline / back-online notification to its farmer is sent at most once per this long. */
    CAMERA_HEALTH_NOTIFY_COOLDOWN_SECONDS: seconds(300, 86_400),
    /** Prefix of this service's Redis keys (viewer presence). */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,64}$/)
      .default('vegshare:streaming:'),
  })
  .superRefine(checkSubgraphConfig);
export type StreamingConfig = z.infer<typeof schema>;

/** The only reader of process.env in the streaming service. */
export const loadStreamingConfig = (env: Record<string, string | undefined> = process.env): StreamingConfig =>
  parseConfig(schema, env);
