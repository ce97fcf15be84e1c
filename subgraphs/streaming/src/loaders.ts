import { groupLoader, rowLoader } from '@vegshare/kit';
import type { StreamingDb } from './db.ts';

/** Most recordings any list field returns per camera. */
export const MAX_RECORDINGS = 100;
/** Most timelapses any list field returns per camera. */
export const MAX_TIMELAPSES = 60;

/** Today as a UTC date, the unit rentals are expressed in (inclusive start, exclusive end). */
export function utcToday(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Batched per-request loaders: every entity and list field goes through one of these (no N+1). */
export function createLoaders(db: StreamingDb) {
  return {
    camera: rowLoader(
      (ids: readonly string[]) => db.camera.findMany({ where: { id: { in: [...ids] } } }),
      (c) => c.id,
    ),
    stream: rowLoader(
      (ids: readonly string[]) => db.stream.findMany({ where: { id: { in: [...ids] } } }),
      (s) => s.id,
    ),
    streamByCamera: rowLoader(
      (ids: readonly string[]) => db.stream.findMany({ where: { cameraId: { in: [...ids] } } }),
      (s) => s.cameraId,
    ),
    recording: rowLoader(
      (ids: readonly string[]) => db.recording.findMany({ where: { id: { in: [...ids] } } }),
      (r) => r.id,
    ),
    timelapse: rowLoader(
      (ids: readonly string[]) => db.timelapse.findMany({ where: { id: { in: [...ids] } } }),
      (t) => t.id,
    ),
    /** The newest MAX_TIMELAPSES timelapses of each camera, newest day first. */
    timelapsesByCamera: groupLoader(
      async (cameraIds: readonly string[]) => {
        const ids = await db.$queryRaw<{ id: string }[]>`
        SELECT id::text AS id FROM (
          SELECT id, row_number() OVER (PARTITION BY camera_id ORDER BY day DESC) AS n
          FROM streaming.timelapse WHERE camera_id = ANY(${[...cameraIds]}::uuid[])
        ) ranked WHERE n <= ${MAX_TIMELAPSES}`;
        return db.timelapse.findMany({
          where: { id: { in: ids.map((r) => r.id) } },
          orderBy: [{ day: 'desc' }, { id: 'asc' }],
        });
      },
      (t) => t.cameraId,
    ),
    camerasByPlot: groupLoader(
      (plotIds: readonly string[]) =>
        db.camera.findMany({ where: { plotId: { in: [...plotIds] } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      (c) => c.plotId ?? '',
    ),
    camerasByFarm: groupLoader(
      (farmIds: readonly string[]) =>
        db.camera.findMany({ where: { farmId: { in: [...farmIds] } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      (c) => c.farmId,
    ),
    /** The newest MAX_RECORDINGS recordings of each camera, newest first (one query for all cameras; raw SQL names the schema). */
    recordingsByCamera: groupLoader(
      async (cameraIds: readonly string[]) => {
        const ids = await db.$queryRaw<{ id: string }[]>`
        SELECT id::text AS id FROM (
          SELECT id, row_number() OVER (PARTITION BY camera_id ORDER BY started_at DESC, id) AS n
          FROM streaming.recording WHERE camera_id = ANY(${[...cameraIds]}::uuid[])
        ) ranked WHERE n <= ${MAX_RECORDINGS}`;
        return db.recording.findMany({
          where: { id: { in: ids.map((r) => r.id) } },
          orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
        });
      },
      (r) => r.cameraId,
    ),
    /** Projection of farm ownership. */
    farmOwner: rowLoader(
      (ids: readonly string[]) => db.farmOwner.findMany({ where: { farmId: { in: [...ids] } } }),
      (f) => f.farmId,
    ),
    /** Customers whose rental of the plot is ACTIVE today. */
    activeRentersByPlot: groupLoader(
      (plotIds: readonly string[]) => {
        const today = utcToday();
        return db.plotRental.findMany({
          where: { plotId: { in: [...plotIds] }, status: 'ACTIVE', startsOn: { lte: today }, endsOn: { gt: today } },
        });
      },
      (r) => r.plotId,
    ),
  };
}
export type StreamingLoaders = ReturnType<typeof createLoaders>;
