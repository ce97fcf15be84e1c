import { rowLoader } from '@vegshare/kit';
import type { TranscodingDb } from './db.ts';

/** Batched per-request loaders: every entity and list field goes through one of these (no N+1). */
export function createLoaders(db: TranscodingDb) {
  return {
    job: rowLoader(
      (ids: readonly string[]) => db.transcodeJob.findMany({ where: { id: { in: [...ids] } } }),
      (j) => j.id,
    ),
    worker: rowLoader(
      (ids: readonly string[]) => db.workerNode.findMany({ where: { id: { in: [...ids] } } }),
      (w) => w.id,
    ),
  };
}
export type TranscodingLoaders = ReturnType<typeof createLoaders>;
