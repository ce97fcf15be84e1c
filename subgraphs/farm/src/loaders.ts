import { rowLoader, groupLoader } from '@vegshare/kit';
import type { FarmDb, FarmSql } from './db.ts';
import { PagedLoaders } from './domain/paged-children.ts';
import { LiveRentals } from './domain/live-rentals.ts';
import { farmsById, plotsByFarm, plotsById } from './domain/row-statements.ts';

const byIds = (ids: readonly string[]) => ({ where: { id: { in: [...ids] } } });

/**
 * Batched per-request loaders: every entity and list field goes through one of these (no N+1). Those that every list
 * request runs (farms, plots, plots by farm, live rentals by plot) are prepared statements on `sql`
 * (row-statements.ts); the rest are Prisma queries.
 */
export function createLoaders(db: FarmDb, sql: FarmSql) {
  const liveRentals = new LiveRentals(sql);
  return {
    farm: rowLoader(
      (ids: readonly string[]) => farmsById(sql, ids),
      (f) => f.id,
    ),
    plot: rowLoader(
      (ids: readonly string[]) => plotsById(sql, ids),
      (p) => p.id,
    ),
    crop: rowLoader(
      (ids: readonly string[]) => db.crop.findMany(byIds(ids)),
      (c) => c.id,
    ),
    rental: rowLoader(
      (ids: readonly string[]) => db.rental.findMany(byIds(ids)),
      (r) => r.id,
    ),
    task: rowLoader(
      (ids: readonly string[]) => db.task.findMany(byIds(ids)),
      (t) => t.id,
    ),
    harvest: rowLoader(
      (ids: readonly string[]) => db.harvest.findMany(byIds(ids)),
      (h) => h.id,
    ),
    delivery: rowLoader(
      (ids: readonly string[]) => db.delivery.findMany(byIds(ids)),
      (d) => d.id,
    ),
    animal: rowLoader(
      (ids: readonly string[]) => db.animal.findMany(byIds(ids)),
      (a) => a.id,
    ),
    adoption: rowLoader(
      (ids: readonly string[]) => db.adoption.findMany(byIds(ids)),
      (a) => a.id,
    ),
    /** A farm's plots by code; their live rentals come with them (liveRentals). */
    plotsByFarm: groupLoader(
      (farmIds: readonly string[]) => plotsByFarm(sql, farmIds, (id, live) => liveRentals.remember(id, live)),
      (p) => p.farmId,
    ),
    plan: rowLoader(
      (ids: readonly string[]) => db.plantingPlan.findMany(byIds(ids)),
      (p) => p.id,
    ),
    planByRental: rowLoader(
      (ids: readonly string[]) => db.plantingPlan.findMany({ where: { rentalId: { in: [...ids] } } }),
      (p) => p.rentalId,
    ),
    planItemsByPlan: groupLoader(
      (ids: readonly string[]) =>
        db.planItem.findMany({ where: { planId: { in: [...ids] } }, orderBy: { position: 'asc' } }),
      (i) => i.planId,
    ),
    harvestsByDelivery: groupLoader(
      (ids: readonly string[]) =>
        db.harvest.findMany({
          where: { deliveryId: { in: [...ids] } },
          orderBy: [{ harvestedOn: 'asc' }, { id: 'asc' }],
        }),
      (h) => h.deliveryId ?? '',
    ),
    liveRentals,
    activeAdoptionsByAnimal: groupLoader(
      (ids: readonly string[]) => db.adoption.findMany({ where: { animalId: { in: [...ids] }, status: 'ACTIVE' } }),
      (a) => a.animalId,
    ),
    paged: new PagedLoaders(db, sql),
  };
}
export type FarmLoaders = ReturnType<typeof createLoaders>;
