import type { EventBus } from '@vegshare/kit';
import { createLogger } from '@vegshare/kit';
import type { TranscodingDb } from '../src/db.ts';
import type { TranscodingConfig } from '../src/env.ts';
import { createVodJob } from '../src/jobs/job-commands.ts';
import { BullJobQueue } from '../src/queue/bullmq-queue.ts';

/** Creates jobs through the same command the GraphQL mutation uses, on the service's BullMQ queue. */
export function createJobs(db: TranscodingDb, bus: EventBus, config: TranscodingConfig) {
  return {
    async vod(sourceKey: string, profile = 'hls-360-240') {
      const queue = new BullJobQueue({ redisUrl: config.REDIS_URL!, name: config.QUEUE_NAME, prefix: config.QUEUE_PREFIX, lockDurationMs: config.LOCK_DURATION_MS, stalledIntervalMs: config.STALLED_INTERVAL_MS, maxStalledCount: config.MAX_STALLED_COUNT }, createLogger('test', 'silent'));
      try {
        return await createVodJob({ db, bus, queue, config, logger: createLogger('test', 'silent') }, { sourceKey, cameraId: null, profile, requestedBy: null });
      } finally {
        await queue.close();
      }
    },
  };
}
