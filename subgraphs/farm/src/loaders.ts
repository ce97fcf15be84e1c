import { rowLoader, groupLoader } from '@vegshare/kit';
import type { FarmDb } from './db.ts';
import { PagedLoaders } from './domain/paged-children.ts';

const byIds = (ids: readonly string[]) => ({ where: { id: { in: [...ids] } } });

/** Batched per-request loaders: every entity and list field goes through one of these (no N+1). */
export function createLoaders(db: FarmDb) {
  return {
    farm: rowLoader(
      (ids: readonly string[]) => db.farm.findMany(byIds(ids)),
      (f) => f.id,
    ),
    plot: rowLoader(
      (ids: readonly string[]) => db.plot.findMany(byIds(ids)),
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
    plotsByFarm: groupLoader(
      (farmIds: readonly string[]) =>
        db.plot.findMany({ where: { farmId: { in: [...farmIds] } }, orderBy: { code: 'asc' } }),
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
    /** REQUESTED or ACTIVE rentals by plot: who the current renter is (authorization of feeds and tasks). */
    liveRentalsByPlot: groupLoader(
      (ids: readonly string[]) =>
        db.rental.findMany({ where: { plotId: { in: [...ids] }, status: { in: ['REQUESTED', 'ACTIVE'] } } }),
      (r) => r.plotId,
    ),
    activeAdoptionsByAnimal: groupLoader(
      (ids: readonly string[]) => db.adoption.findMany({ where: { animalId: { in: [...ids] }, status: 'ACTIVE' } }),
      (a) => a.animalId,
    ),
    paged: new PagedLoaders(db),
  };
}
export type FarmLoaders = ReturnType<typeof createLoaders>;
