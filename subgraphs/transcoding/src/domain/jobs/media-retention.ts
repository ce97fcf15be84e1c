import { topics, inTransaction, type EventBus, type ObjectStore, type RecordingsExpired } from '@vegshare/kit';
import type { Logger } from 'pino';
import type { TranscodingDb } from '../../db.ts';
import type { WorkerConfig } from '../../env.ts';
import { listKeys } from './s3-objects.ts';

export interface RetentionDeps {
  readonly db: TranscodingDb;
  readonly bus: EventBus;
  readonly store: ObjectStore;
  readonly config: Pick<WorkerConfig, 'RECORDING_RETENTION_HOURS' | 'SNAPSHOT_RETENTION_DAYS'>;
  readonly logger: Logger;
}

const DAY = 86_400_000;

async function removePrefix(store: ObjectStore, prefix: string): Promise<number> {
  const keys = await listKeys(store, prefix);
  for (let i = 0; i < keys.length; i += 1000) await store.client.removeObjects(store.bucket, keys.slice(i, i + 1000));
  return keys.length;
}

/**
 * Deletes what outlived its retention: finished live sessions (their recordings) after RECORDING_RETENTION_HOURS,
 * camera snapshots after SNAPSHOT_RETENTION_DAYS; tells streaming which recordings are gone. The media go first (S3,
 * outside any transaction), then the rows and RecordingsExpired commit together: a crash in between leaves the jobs
 * with their prefix, so the next sweep finds them again (nothing left to delete) and announces them.
 */
export async function sweepExpiredMedia(
  deps: RetentionDeps,
  now = new Date(),
): Promise<{ recordings: number; snapshotDays: number }> {
  const cutoff = new Date(now.getTime() - deps.config.RECORDING_RETENTION_HOURS * 3_600_000);
  const jobs = await deps.db.transcodeJob.findMany({
    where: { kind: 'LIVE', finishedAt: { lt: cutoff }, outputPrefix: { not: null } },
    select: { id: true, outputPrefix: true },
    take: 500,
  });
  const expired: string[] = [];
  for (const job of jobs) {
    if (!job.outputPrefix?.startsWith('live/')) continue;
    await removePrefix(deps.store, job.outputPrefix);
    expired.push(job.id);
  }
  if (expired.length)
    await inTransaction(deps.db, deps.bus, async (tx, bus) => {
      await tx.liveSegment.deleteMany({ where: { jobId: { in: expired } } });
      await tx.transcodeJob.updateMany({
        where: { id: { in: expired } },
        data: { outputPrefix: null, masterPlaylistKey: null },
      });
      await bus.publish(topics.recordingsExpired, { jobIds: expired });
    });
  let snapshotDays = 0;
  const cameras = await deps.db.timelapseCamera.findMany({ select: { cameraId: true } });
  for (const { cameraId } of cameras) {
    // The week before the retention edge: a sweep that was missed for a few days catches up.
    for (let age = deps.config.SNAPSHOT_RETENTION_DAYS + 1; age <= deps.config.SNAPSHOT_RETENTION_DAYS + 7; age += 1) {
      const day = new Date(now.getTime() - age * DAY).toISOString().slice(0, 10);
      if ((await removePrefix(deps.store, `snapshots/${cameraId}/${day}/`)) > 0) snapshotDays += 1;
    }
  }
  if (expired.length || snapshotDays)
    deps.logger.info({ recordings: expired.length, snapshotDays }, 'expired media deleted');
  return { recordings: expired.length, snapshotDays };
}
