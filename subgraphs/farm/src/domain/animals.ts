import { z } from 'zod';
import { conflict, forbidden, isUniqueViolation, notFound, requireRole, requireViewer } from '@vegshare/kit';
import type { Adoption, Animal } from '../generated/prisma/client.ts';
import type { AnimalInput } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { farmOf, managesFarm, requireFarmManager } from './access.ts';
import { daysBetween, toDbDate, todayIso } from './dates.ts';
import { cents, isoDate, parseInput, photoList, text } from './validation.ts';
import { writeActivity, type ActivityRecord } from './activity.ts';
import { publishAdoptionBooking } from './payments/bookings.ts';

const animalInput = z.object({
  name: text(80, 1),
  species: text(60, 1),
  breed: text(80).nullish(),
  description: text(4000).nullish(),
  bornOn: isoDate.nullish(),
  photos: photoList.nullish(),
  monthlyPriceCents: cents,
});

export async function createAnimal(ctx: Context, farmId: string, input: AnimalInput): Promise<Animal> {
  await requireFarmManager(ctx, farmId);
  const data = parseInput(animalInput, input, 'input');
  return ctx.db.animal.create({
    data: {
      farmId,
      name: data.name,
      species: data.species,
      breed: data.breed ?? '',
      description: data.description ?? '',
      bornOn: data.bornOn ? toDbDate(data.bornOn) : null,
      photos: data.photos ?? [],
      monthlyPriceCents: data.monthlyPriceCents,
    },
  });
}

async function animalOrFail(ctx: Context, id: string): Promise<Animal> {
  const animal = await ctx.loaders.animal.load(id);
  if (!animal) throw notFound('Animal', id);
  return animal;
}

const adoptionPeriod = z
  .object({ startsOn: isoDate, endsOn: isoDate })
  .refine((p) => p.endsOn > p.startsOn, { message: 'must be after startsOn', path: ['endsOn'] })
  .refine((p) => daysBetween(p.startsOn, p.endsOn) <= 731, {
    message: 'an adoption lasts at most two years',
    path: ['endsOn'],
  })
  .refine((p) => p.endsOn > todayIso(), { message: 'the adoption would be over already', path: ['endsOn'] });

/** A customer adopts an animal for a period (several customers may share an animal; one live adoption each). */
export async function adoptAnimal(ctx: Context, animalId: string, startsOn: string, endsOn: string): Promise<Adoption> {
  const viewer = requireRole(ctx.viewer, 'CUSTOMER');
  const period = parseInput(adoptionPeriod, { startsOn, endsOn });
  const animal = await animalOrFail(ctx, animalId);
  const existing = (await ctx.loaders.activeAdoptionsByAnimal.load(animal.id)).some(
    (a) => a.customerId === viewer.userId,
  );
  if (existing) throw conflict(`You already adopt ${animal.name}`);
  // The booking event's rows (the animal, above, and its farm) are loaded before the transaction and passed into it: a
  // read inside it would wait for a second pool connection while holding one (see requestRental).
  const farm = await farmOf(ctx, animal.farmId);
  let adoption: Adoption;
  try {
    // The booking event is written in the same transaction (outbox): payments hear of every adoption that exists.
    adoption = await ctx.db.$transaction(async (tx) => {
      const created = await tx.adoption.create({
        data: {
          animalId: animal.id,
          customerId: viewer.userId,
          startsOn: toDbDate(period.startsOn),
          endsOn: toDbDate(period.endsOn),
        },
      });
      await publishAdoptionBooking(ctx.events, { animal, farm }, created, tx);
      return created;
    });
  } catch (error) {
    // Concurrent calls all pass the check above; Postgres lets exactly one in (adoption_one_live_per_customer).
    if (isUniqueViolation(error)) throw conflict(`You already adopt ${animal.name}`);
    throw error;
  }
  return adoption;
}

export async function cancelAdoption(ctx: Context, id: string): Promise<Adoption> {
  const viewer = requireViewer(ctx.viewer);
  const adoption = await ctx.loaders.adoption.load(id);
  if (!adoption) throw notFound('Adoption', id);
  const animal = await animalOrFail(ctx, adoption.animalId);
  const farm = await farmOf(ctx, animal.farmId);
  if (adoption.customerId !== viewer.userId && !managesFarm(viewer, farm))
    throw forbidden('This adoption is not yours');
  const cancelled = await ctx.db.$transaction(async (tx) => {
    const { count } = await tx.adoption.updateMany({ where: { id, status: 'ACTIVE' }, data: { status: 'CANCELLED' } });
    if (count === 0) return null;
    const row = await tx.adoption.findUniqueOrThrow({ where: { id } });
    await publishAdoptionBooking(ctx.events, { animal, farm }, row, tx);
    return row;
  });
  if (!cancelled) throw conflict(`A ${adoption.status} adoption cannot be cancelled`);
  return cancelled;
}

const updateInput = z.object({ message: text(2000, 1), photos: photoList.nullish() });

/** The farm posts news and photos of an animal to its feed (adopters read it). */
export async function postAnimalUpdate(
  ctx: Context,
  animalId: string,
  message: string,
  photos: readonly string[] | null | undefined,
): Promise<ActivityRecord> {
  const data = parseInput(updateInput, { message, photos });
  const animal = await animalOrFail(ctx, animalId);
  await requireFarmManager(ctx, animal.farmId);
  return writeActivity(ctx.db, {
    kind: 'ANIMAL_UPDATE',
    message: data.message,
    animalId: animal.id,
    actorId: ctx.viewer?.userId ?? null,
    subjectId: animal.id,
    photos: data.photos ?? [],
  });
}
