import { z } from 'zod';
import type { FarmChanged, RentalChanged } from '@vegshare/kit';
import type { StreamingDb } from '../db.ts';

/**
 * Local projections of the farm subgraph's events. Handlers are idempotent upserts keyed by the farm's own ids,
 * so a re-delivered or re-published event changes nothing; malformed payloads are refused by the schemas.
 */
const uuid = z.string().uuid();
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a date');

export const farmChangedSchema = z.object({
  farmId: uuid,
  ownerId: uuid,
  name: z.string().max(200),
}) satisfies z.ZodType<FarmChanged>;

export const rentalChangedSchema = z.object({
  rentalId: uuid,
  plotId: uuid,
  farmId: uuid,
  customerId: uuid,
  status: z.enum(['REQUESTED', 'ACTIVE', 'ENDED', 'CANCELLED']),
  startsOn: isoDate,
  endsOn: isoDate,
}) satisfies z.ZodType<RentalChanged>;

export async function applyFarmChanged(db: StreamingDb, event: FarmChanged): Promise<void> {
  const data = { ownerId: event.ownerId, name: event.name };
  await db.farmOwner.upsert({
    where: { farmId: event.farmId },
    create: { farmId: event.farmId, ...data },
    update: data,
  });
}

export async function applyRentalChanged(db: StreamingDb, event: RentalChanged): Promise<void> {
  const data = {
    plotId: event.plotId,
    farmId: event.farmId,
    customerId: event.customerId,
    status: event.status,
    startsOn: new Date(`${event.startsOn}T00:00:00Z`),
    endsOn: new Date(`${event.endsOn}T00:00:00Z`),
  };
  await db.plotRental.upsert({
    where: { rentalId: event.rentalId },
    create: { rentalId: event.rentalId, ...data },
    update: data,
  });
}
