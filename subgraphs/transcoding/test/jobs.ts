import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { EventBus, ObjectStore } from '@vegshare/kit';
import { createLogger } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import type { TranscodingDb } from '../src/db.ts';
import type { TranscodingConfig } from '../src/env.ts';
import { createVodJob } from '../src/domain/jobs/job-commands.ts';
import { BullJobQueue } from '../src/adapters/queue/bullmq-queue.ts';

/**
 * Creates VOD jobs as a farmer's upload does: the file lands in the farm's upload folder (what a PUT to the presigned
 * URL writes), its upload row is recorded, and the command requestVodTranscode runs queues the job on the service's
 * BullMQ queue. (The upload checks themselves are tested through GraphQL in service.int.test.ts.)
 */
export function createJobs(db: TranscodingDb, bus: EventBus, store: ObjectStore, config: TranscodingConfig) {
  return {
    async vod(file: string, profile = 'hls-360-240', farmId: string = demo.farms.greenAcres) {
      const id = randomUUID();
      const key = `uploads/${farmId}/${id}/source`;
      const { size } = await stat(file);
      await store.client.fPutObject(store.bucket, key, file, { 'Content-Type': 'video/mp4' });
      await db.vodUpload.create({
        data: {
          id,
          farmId,
          cameraId: null,
          requestedBy: demo.users.farmer.id,
          key,
          contentType: 'video/mp4',
          sizeBytes: BigInt(size),
          expiresAt: new Date(Date.now() + 900_000),
        },
      });
      const queue = new BullJobQueue(
        {
          redisUrl: config.REDIS_URL!,
          name: config.QUEUE_NAME,
          prefix: config.QUEUE_PREFIX,
          lockDurationMs: config.LOCK_DURATION_MS,
          stalledIntervalMs: config.STALLED_INTERVAL_MS,
          maxStalledCount: config.MAX_STALLED_COUNT,
        },
        createLogger('test', 'silent'),
      );
      try {
        return await createVodJob(
          { db, bus, queue, config, logger: createLogger('test', 'silent') },
          { uploadId: id, sourceKey: key, farmId, cameraId: null, profile, requestedBy: demo.users.farmer.id },
        );
      } finally {
        await queue.close();
      }
    },
  };
}
