import { rowLoader, groupLoader } from '@vegshare/kit';
import type { TranscodingDb } from './db.ts';
import type { Timelapse } from './generated/prisma/client.ts';

/** Timelapses kept per camera in one batched load (newest first); `Camera.timelapses(first)` slices it. */
export const TIMELAPSES_PER_CAMERA = 60;

/** Batched per-request loaders: every entity and list field goes through one of these (no N+1). */
export function createLoaders(db: TranscodingDb) {
  return {
    job: rowLoader((ids: readonly string[]) => db.transcodeJob.findMany({ where: { id: { in: [...ids] } } }), (j) => j.id),
    worker: rowLoader((ids: readonly string[]) => db.workerNode.findMany({ where: { id: { in: [...ids] } } }), (w) => w.id),
    timelapsesByCamera: groupLoader(
      (cameraIds: readonly string[]) =>
        db.$queryRaw<Timelapse[]>`
          SELECT id, camera_id AS "cameraId", day, job_id AS "jobId", video_key AS "videoKey", duration_seconds AS "durationSeconds",
                 frame_count AS "frameCount", created_at AS "createdAt"
          FROM (SELECT t.*, row_number() OVER (PARTITION BY camera_id ORDER BY day DESC) AS n FROM "transcoding"."timelapse" t WHERE camera_id = ANY(${[...cameraIds]}::uuid[])) ranked
          WHERE n <= ${TIMELAPSES_PER_CAMERA}
          ORDER BY day DESC`,
      (t) => t.cameraId,
    ),
  };
}
export type TranscodingLoaders = ReturnType<typeof createLoaders>;
