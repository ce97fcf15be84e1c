import { demo } from '@vegshare/demo';
import type { FarmDb } from './db.ts';
import { scheduleTasks, type PlannedItem } from './domain/plans.ts';
import { toDbDate } from './domain/dates.ts';

const farms = [
  {
    id: demo.farms.greenAcres,
    ownerId: demo.users.farmer.id,
    name: 'Green Acres',
    description: 'Market garden on deep loam, certified organic since 2011.',
    locality: 'Saint-Rémy-lès-Chevreuse, France',
    latitude: 48.7054,
    longitude: 2.0713,
  },
  {
    id: demo.farms.orchardHill,
    ownerId: demo.users.farmer2.id,
    name: 'Orchard Hill',
    description: 'Hillside orchard and vegetable terraces with a small goat herd.',
    locality: 'Sintra, Portugal',
    latitude: 38.8029,
    longitude: -9.3817,
  },
  {
    id: demo.farms.riverMeadow,
    ownerId: demo.users.farmer.id,
    name: 'River Meadow',
    description: 'Flat alluvial beds by the river, ideal for summer crops.',
    locality: 'Tours, France',
    latitude: 47.3941,
    longitude: 0.6848,
  },
];
const plots = [
  {
    id: demo.plots.greenA1,
    farmId: demo.farms.greenAcres,
    code: 'A-1',
    areaM2: 25,
    soil: 'loam',
    sunExposure: 'FULL_SUN',
    pricePerSeasonCents: 18000,
  },
  {
    id: demo.plots.greenA2,
    farmId: demo.farms.greenAcres,
    code: 'A-2',
    areaM2: 25,
    soil: 'loam',
    sunExposure: 'FULL_SUN',
    pricePerSeasonCents: 18000,
  },
  {
    id: demo.plots.greenB1,
    farmId: demo.farms.greenAcres,
    code: 'B-1',
    areaM2: 50,
    soil: 'clay loam',
    sunExposure: 'PARTIAL_SHADE',
    pricePerSeasonCents: 29000,
  },
  {
    id: demo.plots.orchard1,
    farmId: demo.farms.orchardHill,
    code: 'T-1',
    areaM2: 15,
    soil: 'sandy loam',
    sunExposure: 'FULL_SUN',
    pricePerSeasonCents: 12000,
  },
  {
    id: demo.plots.orchard2,
    farmId: demo.farms.orchardHill,
    code: 'T-2',
    areaM2: 15,
    soil: 'sandy loam',
    sunExposure: 'PARTIAL_SHADE',
    pricePerSeasonCents: 11000,
  },
  {
    id: demo.plots.river1,
    farmId: demo.farms.riverMeadow,
    code: 'R-1',
    areaM2: 40,
    soil: 'silt',
    sunExposure: 'FULL_SUN',
    pricePerSeasonCents: 24000,
  },
] as const;
const crops = [
  {
    name: 'Tomato',
    variety: 'Cœur de Bœuf',
    daysToMaturity: 80,
    spacingCm: 60,
    sowingMonths: [3, 4, 5],
    expectedYieldKgPerM2: 6,
  },
  {
    name: 'Lettuce',
    variety: 'Batavia',
    daysToMaturity: 50,
    spacingCm: 25,
    sowingMonths: [3, 4, 5, 6, 7, 8],
    expectedYieldKgPerM2: 2.5,
  },
  {
    name: 'Carrot',
    variety: 'Nantaise',
    daysToMaturity: 75,
    spacingCm: 5,
    sowingMonths: [3, 4, 5, 6, 7],
    expectedYieldKgPerM2: 4,
  },
  {
    name: 'Courgette',
    variety: 'Black Beauty',
    daysToMaturity: 55,
    spacingCm: 90,
    sowingMonths: [4, 5, 6],
    expectedYieldKgPerM2: 5,
  },
  {
    name: 'Bean',
    variety: 'Coco de Paimpol',
    daysToMaturity: 70,
    spacingCm: 15,
    sowingMonths: [5, 6, 7],
    expectedYieldKgPerM2: 1.5,
  },
  {
    name: 'Leek',
    variety: 'Bleu de Solaise',
    daysToMaturity: 140,
    spacingCm: 15,
    sowingMonths: [2, 3, 4],
    expectedYieldKgPerM2: 3,
  },
];

/** Fixed ids of the demo season, so the seed is idempotent and other services can point at them. */
export const demoSeason = {
  rental: '40000000-0000-4000-8000-000000000001',
  plan: '41000000-0000-4000-8000-000000000001',
  harvest: '42000000-0000-4000-8000-000000000001',
  delivery: '43000000-0000-4000-8000-000000000001',
  taskId: (i: number) => `44000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
  animals: { biscuit: '50000000-0000-4000-8000-000000000001', noisette: '50000000-0000-4000-8000-000000000002' },
  adoption: '51000000-0000-4000-8000-000000000001',
} as const;

/** Idempotent demo data: farms, plots, the crop catalogue, and the demo customer's current season on plot greenA1. */
export async function seedFarm(db: FarmDb, now: Date = new Date()): Promise<void> {
  for (const farm of farms) await db.farm.upsert({ where: { id: farm.id }, create: farm, update: farm });
  for (const plot of plots) await db.plot.upsert({ where: { id: plot.id }, create: plot, update: plot });
  for (const crop of crops) {
    await db.crop.upsert({
      where: { name_variety: { name: crop.name, variety: crop.variety } },
      create: crop,
      update: crop,
    });
  }
  await seedSeason(db, now.getUTCFullYear());
  await seedAnimals(db, now.getUTCFullYear());
}

async function seedSeason(db: FarmDb, year: number): Promise<void> {
  const { rental: rentalId, plan: planId } = demoSeason;
  const rental = {
    id: rentalId,
    plotId: demo.plots.greenA1,
    customerId: demo.users.customer.id,
    startsOn: toDbDate(`${year}-01-01`),
    endsOn: toDbDate(`${year + 1}-01-01`),
    status: 'ACTIVE' as const,
    priceCents: 18000,
  };
  const existing = await db.rental.findUnique({ where: { id: rentalId } });
  if (!existing) await db.rental.create({ data: rental });
  const catalogue = await db.crop.findMany({ where: { name: { in: ['Lettuce', 'Carrot', 'Courgette'] } } });
  const crop = (name: string) => {
    const found = catalogue.find((c) => c.name === name);
    if (!found) throw new Error(`seed: crop ${name} missing`);
    return found;
  };
  const items: PlannedItem[] = [
    { crop: crop('Lettuce'), share: 0.3, sowOn: `${year}-04-01` },
    { crop: crop('Carrot'), share: 0.3, sowOn: `${year}-04-15` },
    { crop: crop('Courgette'), share: 0.4, sowOn: `${year}-05-01` },
  ];
  await db.plantingPlan.upsert({
    where: { id: planId },
    create: { id: planId, rentalId, notes: 'Salads first, then summer courgettes.' },
    update: {},
  });
  for (const [position, item] of items.entries()) {
    const data = { planId, cropId: item.crop.id, share: item.share, sowOn: toDbDate(item.sowOn), position };
    await db.planItem.upsert({
      where: { planId_cropId: { planId, cropId: item.crop.id } },
      create: data,
      update: data,
    });
  }
  const schedule = scheduleTasks(items);
  for (const [i, task] of schedule.entries()) {
    const done = i < 4;
    const data = {
      id: demoSeason.taskId(i),
      plotId: demo.plots.greenA1,
      rentalId,
      cropId: task.cropId,
      generated: true,
      kind: task.kind,
      title: task.title,
      dueOn: toDbDate(task.dueOn),
      assigneeId: demo.users.farmer.id,
      status: done ? ('DONE' as const) : ('OPEN' as const),
      completedAt: done ? toDbDate(task.dueOn) : null,
      completedById: done ? demo.users.farmer.id : null,
    };
    await db.task.upsert({ where: { id: data.id }, create: data, update: {} });
  }
  const deliveryData = {
    id: demoSeason.delivery,
    rentalId,
    customerId: demo.users.customer.id,
    addressText: '12 rue des Lilas, 75011 Paris, France',
    status: 'DELIVERED' as const,
    version: 4,
  };
  await db.delivery.upsert({ where: { id: deliveryData.id }, create: deliveryData, update: {} });
  const harvest = {
    id: demoSeason.harvest,
    plotId: demo.plots.greenA1,
    rentalId,
    cropId: crop('Lettuce').id,
    weightKg: 3.5,
    harvestedOn: toDbDate(`${year}-05-21`),
    recordedById: demo.users.farmer.id,
    deliveryId: demoSeason.delivery,
  };
  await db.harvest.upsert({ where: { id: harvest.id }, create: harvest, update: {} });
  const feed = await db.activityEvent.count({ where: { rentalId } });
  if (feed === 0) {
    await db.activityEvent.createMany({
      data: [
        {
          kind: 'PLAN_CHANGED',
          message: 'Planting plan: Lettuce, Carrot, Courgette',
          plotId: demo.plots.greenA1,
          rentalId,
          actorId: demo.users.customer.id,
          subjectId: planId,
        },
        {
          kind: 'HARVEST_RECORDED',
          message: 'Harvested 3.5 kg of Lettuce',
          plotId: demo.plots.greenA1,
          rentalId,
          actorId: demo.users.farmer.id,
          subjectId: harvest.id,
        },
        {
          kind: 'DELIVERY_CHANGED',
          message: 'Delivery delivered',
          plotId: demo.plots.greenA1,
          rentalId,
          actorId: demo.users.farmer.id,
          subjectId: demoSeason.delivery,
        },
      ],
    });
  }
}

async function seedAnimals(db: FarmDb, year: number): Promise<void> {
  const animals = [
    {
      id: demoSeason.animals.biscuit,
      farmId: demo.farms.orchardHill,
      name: 'Biscuit',
      species: 'Goat',
      breed: 'Alpine',
      description: 'Curious, loves apple peel.',
      monthlyPriceCents: 1500,
    },
    {
      id: demoSeason.animals.noisette,
      farmId: demo.farms.orchardHill,
      name: 'Noisette',
      species: 'Goat',
      breed: 'Saanen',
      description: 'The calm one of the herd.',
      monthlyPriceCents: 1500,
    },
  ];
  for (const a of animals) await db.animal.upsert({ where: { id: a.id }, create: a, update: a });
  const adoption = {
    id: demoSeason.adoption,
    animalId: demoSeason.animals.biscuit,
    customerId: demo.users.customer.id,
    startsOn: toDbDate(`${year}-01-01`),
    endsOn: toDbDate(`${year + 1}-01-01`),
  };
  await db.adoption.upsert({ where: { id: adoption.id }, create: adoption, update: {} });
}
