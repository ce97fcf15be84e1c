import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '@vegshare/kit';
import type { UserDb } from '../../db.ts';
import type { UserConfig } from '../../env.ts';
import type { PushChannel } from '../../domain/notifications.ts';
import { createExpoClient } from './expo-client.ts';
import { memoryPresence, redisPresence } from './presence.ts';
import { PushWorker } from './worker.ts';

export interface RunningPush {
  readonly channel: PushChannel;
  readonly worker: PushWorker | null;
  stop(): Promise<void>;
}

/** Presence (Redis when REDIS_URL is set, so every replica sees every live session) and the push worker. */
export function startPush(config: UserConfig, db: UserDb, logger: Logger, metrics: ServiceMetrics): RunningPush {
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 }) : null;
  redis?.on('error', (err: Error) => logger.warn({ err }, 'presence redis connection error'));
  const presence = redis ? redisPresence(redis, logger) : memoryPresence();
  const client = config.PUSH_WORKER
    ? createExpoClient({ baseUrl: config.PUSH_API_URL, accessToken: config.EXPO_ACCESS_TOKEN })
    : null;
  const worker = client
    ? new PushWorker(db, client.expo, logger, metrics, {
        pollMs: config.PUSH_POLL_MS,
        receiptDelayMs: config.PUSH_RECEIPT_DELAY_MS,
        retryBaseMs: config.PUSH_RETRY_BASE_MS,
        retryMaxMs: config.PUSH_RETRY_MAX_MS,
        maxAttempts: config.PUSH_MAX_ATTEMPTS,
      })
    : null;
  worker?.start();
  return {
    channel: { presence, queued: () => worker?.wake() },
    worker,
    async stop() {
      await worker?.stop();
      await client?.close();
      await presence.close();
      redis?.disconnect();
    },
  };
}
