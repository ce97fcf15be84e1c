import type { SeedOptions } from '@vegshare/kit';
import { demo, demoCameras, demoFarmOwners } from '@vegshare/demo';
import type { StreamingDb } from './db.ts';
import { applyFarmChanged, applyRentalChanged } from './domain/projections.ts';

/** Fixed id of the demo rental of plot greenA1 (the farm seed should publish RentalChanged with the same id). */
const DEMO_RENTAL_ID = '40000000-0000-4000-8000-000000000001';

/** Where the demo cameras stream from when no local demo camera server runs (not reachable: they stay offline). */
const UNREACHABLE_DEMO_CAMERAS = 'rtsp://cameras.demo.vegshare.local';

/** The season a demo rental covers: this calendar year (so the demo customer can watch whenever the demo runs). */
function currentSeason(now = new Date()): { startsOn: string; endsOn: string } {
  const year = now.getUTCFullYear();
  return { startsOn: `${year}-01-01`, endsOn: `${year + 1}-01-01` };
}

/**
 * Idempotent demo data: the projections the farm subgraph's events would build (farm owners, the demo customer's
 * active rental of plot greenA1) and the demo cameras, each with its (idle) stream. With a demo camera server
 * (the embedded start runs one) the cameras stream its test pictures; a re-seed points them at it again.
 */
export async function seedStreaming(db: StreamingDb, options: SeedOptions = {}, now = new Date()): Promise<void> {
  for (const farm of demoFarmOwners) await applyFarmChanged(db, farm);
  await applyRentalChanged(db, {
    rentalId: DEMO_RENTAL_ID,
    plotId: demo.plots.greenA1,
    farmId: demo.farms.greenAcres,
    customerId: demo.users.customer.id,
    status: 'ACTIVE',
    ...currentSeason(now),
  });
  const base = options.demoCameraBaseUrl ?? UNREACHABLE_DEMO_CAMERAS;
  for (const { path, ...camera } of demoCameras) {
    const row = { ...camera, sourceUrl: `${base}/${path}` };
    await db.camera.upsert({ where: { id: camera.id }, create: row, update: row });
    await db.stream.upsert({ where: { cameraId: camera.id }, create: { cameraId: camera.id }, update: {} });
  }
}
