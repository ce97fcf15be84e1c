import { z } from 'zod';
import { topics, inTransaction, type EventBus, type PlotTimelapseReady, type TimelapseReady } from '@vegshare/kit';
import type { StreamingDb } from '../db.ts';

export const timelapseReadySchema = z.object({
  jobId: z.string().uuid(),
  cameraId: z.string().uuid(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  videoKey: z.string().min(1).max(512),
  durationSeconds: z.number().min(0).max(86_400),
  frameCount: z.number().int().min(0).max(10_000_000),
}) satisfies z.ZodType<TimelapseReady>;

/**
 * Keeps a camera's finished timelapse (one per camera and day; a remake replaces it) for those allowed to watch the
 * camera, and tells the farm subgraph when it shows a plot, so the plot's activity feed lists it.
 */
export async function applyTimelapseReady(db: StreamingDb, bus: EventBus, event: TimelapseReady): Promise<void> {
  const camera = await db.camera.findUnique({ where: { id: event.cameraId } });
  if (!camera) return; // removed since
  const data = {
    jobId: event.jobId,
    videoKey: event.videoKey,
    durationSeconds: event.durationSeconds,
    frameCount: event.frameCount,
  };
  await inTransaction(db, bus, async (tx, events) => {
    const timelapse = await tx.timelapse.upsert({
      where: { cameraId_day: { cameraId: event.cameraId, day: event.day } },
      create: { cameraId: event.cameraId, day: event.day, ...data },
      update: data,
    });
    if (!camera.plotId) return;
    const ready: PlotTimelapseReady = {
      timelapseId: timelapse.id,
      cameraId: camera.id,
      cameraName: camera.name,
      plotId: camera.plotId,
      farmId: camera.farmId,
      day: event.day,
    };
    await events.publish(topics.plotTimelapseReady, ready);
  });
}

export const recordingsExpiredSchema = z.object({ jobIds: z.array(z.string().min(1).max(200)).max(1000) });

/** The transcoder deleted these sessions' media: their recordings go too. */
export async function applyRecordingsExpired(db: StreamingDb, jobIds: readonly string[]): Promise<void> {
  await db.recording.deleteMany({ where: { jobId: { in: [...jobIds] } } });
}
