import { demo } from '@vegshare/kit';
import type { StreamingDb } from './db.ts';
import { applyFarmChanged, applyRentalChanged } from './projections.ts';

/** Fixed id of the demo rental of plot greenA1 (the farm seed should publish RentalChanged with the same id). */
export const DEMO_RENTAL_ID = '40000000-0000-4000-8000-000000000001';

const farms = [
  { farmId: demo.farms.greenAcres, ownerId: demo.users.farmer.id, name: 'Green Acres' },
  { farmId: demo.farms.riverMeadow, ownerId: demo.users.farmer.id, name: 'River Meadow' },
  { farmId: demo.farms.orchardHill, ownerId: demo.users.farmer2.id, name: 'Orchard Hill' },
];

const cameras = [
  { id: demo.cameras.greenA1, farmId: demo.farms.greenAcres, plotId: demo.plots.greenA1, name: 'Plot A-1', sourceUrl: 'rtsp://cameras.demo.vegshare.local/green-acres/a1', isPublic: false },
  { id: demo.cameras.greenOverview, farmId: demo.farms.greenAcres, plotId: null, name: 'Green Acres overview', sourceUrl: 'rtsp://cameras.demo.vegshare.local/green-acres/overview', isPublic: true },
  { id: demo.cameras.orchard1, farmId: demo.farms.orchardHill, plotId: demo.plots.orchard1, name: 'Terrace T-1', sourceUrl: 'rtsp://cameras.demo.vegshare.local/orchard-hill/t1', isPublic: false },
];

/** The season a demo rental covers: this calendar year (so the demo customer can watch whenever the demo runs). */
function currentSeason(now = new Date()): { startsOn: string; endsOn: string } {
  const year = now.getUTCFullYear();
  return { startsOn: `${year}-01-01`, endsOn: `${year + 1}-01-01` };
}

/**
 * Idempotent demo data: the projections the farm subgraph's events would build (farm owners, the demo customer's
 * active rental of plot greenA1) and the demo cameras, each with its (idle) stream.
 */
export async function seedStreaming(db: StreamingDb, now = new Date()): Promise<void> {
  for (const farm of farms) await applyFarmChanged(db, farm);
  await applyRentalChanged(db, {
    rentalId: DEMO_RENTAL_ID,
    plotId: demo.plots.greenA1,
    farmId: demo.farms.greenAcres,
    customerId: demo.users.customer.id,
    status: 'ACTIVE',
    ...currentSeason(now),
  });
  for (const camera of cameras) {
    await db.camera.upsert({ where: { id: camera.id }, create: camera, update: camera });
    await db.stream.upsert({ where: { cameraId: camera.id }, create: { cameraId: camera.id }, update: {} });
  }
}
