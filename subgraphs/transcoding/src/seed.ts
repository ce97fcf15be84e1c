import { demo } from '@vegshare/kit';
import type { TranscodingDb } from './db.ts';

/** Idempotent demo data: the demo cameras get daily timelapses. (Jobs themselves appear when streams start.) */
export async function seedTranscoding(db: TranscodingDb): Promise<void> {
  for (const cameraId of Object.values(demo.cameras)) {
    await db.timelapseCamera.upsert({ where: { cameraId }, create: { cameraId }, update: {} });
  }
}
