import type { Logger } from 'pino';
import type { WorkerConfig } from '../../env.ts';
import { BullJobQueue } from './bullmq-queue.ts';
import type { JobQueue } from './job-queue.ts';
import { MemoryJobQueue } from './memory-queue.ts';

/** BullMQ when REDIS_URL is set, else the in-process queue of the embedded default. */
export function jobQueueFromConfig(config: WorkerConfig, logger: Logger): JobQueue {
  if (!config.REDIS_URL) return new MemoryJobQueue(logger);
  return new BullJobQueue(
    {
      redisUrl: config.REDIS_URL,
      name: config.QUEUE_NAME,
      prefix: config.QUEUE_PREFIX,
      lockDurationMs: config.LOCK_DURATION_MS,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
      maxStalledCount: config.MAX_STALLED_COUNT,
    },
    logger,
  );
}
