import { demo } from '@vegshare/kit';
import type { FarmDb } from './db.ts';

const farms = [
  { id: demo.farms.greenAcres, ownerId: demo.users.farmer.id, name: 'Green Acres', description: 'Market garden on deep loam, certified organic since 2011.', locality: 'Saint-Rémy-lès-Chevreuse, France', latitude: 48.7054, longitude: 2.0713 },
  { id: demo.farms.orchardHill, ownerId: demo.users.farmer2.id, name: 'Orchard Hill', description: 'Hillside orchard and vegetable terraces with a small goat herd.', locality: 'Sintra, Portugal', latitude: 38.8029, longitude: -9.3817 },
  { id: demo.farms.riverMeadow, ownerId: demo.users.farmer.id, name: 'River Meadow', description: 'Flat alluvial beds by the river, ideal for summer crops.', locality: 'Tours, France', latitude: 47.3941, longitude: 0.6848 },
];
const plots = [
  { id: demo.plots.greenA1, farmId: demo.farms.greenAcres, code: 'A-1', areaM2: 25, soil: 'loam', sunExposure: 'FULL_SUN', pricePerSeasonCents: 18000 },
  { id: demo.plots.greenA2, farmId: demo.farms.greenAcres, code: 'A-2', areaM2: 25, soil: 'loam', sunExposure: 'FULL_SUN', pricePerSeasonCents: 18000 },
  { id: demo.plots.greenB1, farmId: demo.farms.greenAcres, code: 'B-1', areaM2: 50, soil: 'clay loam', sunExposure: 'PARTIAL_SHADE', pricePerSeasonCents: 29000 },
  { id: demo.plots.orchard1, farmId: demo.farms.orchardHill, code: 'T-1', areaM2: 15, soil: 'sandy loam', sunExposure: 'FULL_SUN', pricePerSeasonCents: 12000 },
  { id: demo.plots.orchard2, farmId: demo.farms.orchardHill, code: 'T-2', areaM2: 15, soil: 'sandy loam', sunExposure: 'PARTIAL_SHADE', pricePerSeasonCents: 11000 },
  { id: demo.plots.river1, farmId: demo.farms.riverMeadow, code: 'R-1', areaM2: 40, soil: 'silt', sunExposure: 'FULL_SUN', pricePerSeasonCents: 24000 },
] as const;
const crops = [
  { name: 'Tomato', variety: 'Cœur de Bœuf', daysToMaturity: 80, spacingCm: 60, sowingMonths: [3, 4, 5], expectedYieldKgPerM2: 6 },
  { name: 'Lettuce', variety: 'Batavia', daysToMaturity: 50, spacingCm: 25, sowingMonths: [3, 4, 5, 6, 7, 8], expectedYieldKgPerM2: 2.5 },
  { name: 'Carrot', variety: 'Nantaise', daysToMaturity: 75, spacingCm: 5, sowingMonths: [3, 4, 5, 6, 7], expectedYieldKgPerM2: 4 },
  { name: 'Courgette', variety: 'Black Beauty', daysToMaturity: 55, spacingCm: 90, sowingMonths: [4, 5, 6], expectedYieldKgPerM2: 5 },
  { name: 'Bean', variety: 'Coco de Paimpol', daysToMaturity: 70, spacingCm: 15, sowingMonths: [5, 6, 7], expectedYieldKgPerM2: 1.5 },
  { name: 'Leek', variety: 'Bleu de Solaise', daysToMaturity: 140, spacingCm: 15, sowingMonths: [2, 3, 4], expectedYieldKgPerM2: 3 },
];

/** Idempotent demo data: a few farms, plots and the crop catalogue. */
export async function seedFarm(db: FarmDb): Promise<void> {
  for (const farm of farms) await db.farm.upsert({ where: { id: farm.id }, create: farm, update: farm });
  for (const plot of plots) await db.plot.upsert({ where: { id: plot.id }, create: plot, update: plot });
  for (const crop of crops) {
    await db.crop.upsert({ where: { name_variety: { name: crop.name, variety: crop.variety } }, create: crop, update: crop });
  }
}
