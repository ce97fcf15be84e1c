import { demoCameras, demoFarmOwners } from '@vegshare/demo';
import type { TranscodingDb } from './db.ts';

/**
 * Idempotent demo data: the projections of the demo farms' owners and cameras (what FarmChanged and CameraChanged
 * events would build), and daily timelapses for the demo cameras. Jobs appear when streams start.
 */
export async function seedTranscoding(db: TranscodingDb): Promise<void> {
  for (const farm of demoFarmOwners)
    await db.farmOwner.upsert({
      where: { farmId: farm.farmId },
      create: { farmId: farm.farmId, ownerId: farm.ownerId },
      update: { ownerId: farm.ownerId },
    });
  for (const camera of demoCameras) {
    await db.cameraFarm.upsert({
      where: { cameraId: camera.id },
      create: { cameraId: camera.id, farmId: camera.farmId },
      update: { farmId: camera.farmId },
    });
    await db.timelapseCamera.upsert({ where: { cameraId: camera.id }, create: { cameraId: camera.id }, update: {} });
  }
}
