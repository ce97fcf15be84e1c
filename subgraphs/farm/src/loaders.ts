import { rowLoader, groupLoader } from '@vegshare/kit';
import type { FarmDb } from './db.ts';

/** Batched per-request loaders: every entity and list field goes through one of these (no N+1). */
export function createLoaders(db: FarmDb) {
  return {
    farm: rowLoader((ids: readonly string[]) => db.farm.findMany({ where: { id: { in: [...ids] } } }), (f) => f.id),
    plot: rowLoader((ids: readonly string[]) => db.plot.findMany({ where: { id: { in: [...ids] } } }), (p) => p.id),
    crop: rowLoader((ids: readonly string[]) => db.crop.findMany({ where: { id: { in: [...ids] } } }), (c) => c.id),
    plotsByFarm: groupLoader(
      (farmIds: readonly string[]) => db.plot.findMany({ where: { farmId: { in: [...farmIds] } }, orderBy: { code: 'asc' } }),
      (p) => p.farmId,
    ),
  };
}
export type FarmLoaders = ReturnType<typeof createLoaders>;
