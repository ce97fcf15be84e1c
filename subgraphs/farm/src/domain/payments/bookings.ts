import type { RawExecutor } from '@vegshare/kit';
import type { Adoption, Animal, Rental } from '../../generated/prisma/client.ts';
import type { FarmRow, PlotRow } from '../row-statements.ts';
import { toIsoDate } from '../dates.ts';
import type { FarmEvents } from '../notify.ts';

/** What the payment subgraph is told about bookings; it needs the farm's owner and the plot or animal for the price and title. */
export interface BookingLookups {
  readonly plot: { load(id: string): Promise<PlotRow | null> };
  readonly farm: { load(id: string): Promise<FarmRow | null> };
  readonly animal: { load(id: string): Promise<Animal | null> };
}

/** Whole calendar months of an adoption (at least one), the unit its monthly price is charged in. */
export function adoptionMonths(startsOn: string, endsOn: string): number {
  const [y1, m1, d1] = startsOn.split('-').map(Number) as [number, number, number];
  const [y2, m2, d2] = endsOn.split('-').map(Number) as [number, number, number];
  return Math.max(1, (y2 - y1) * 12 + (m2 - m1) + (d2 > d1 ? 1 : 0));
}

const adoptionStatus = { ACTIVE: 'ACTIVE', ENDED: 'ENDED', CANCELLED: 'CANCELLED' } as const;

/** Announces a rental's state to payments (in `tx`, the change's transaction, like RentalChanged). */
export async function publishRentalBooking(
  events: FarmEvents,
  lookups: BookingLookups,
  rental: Rental,
  tx: RawExecutor,
): Promise<void> {
  const plot = await lookups.plot.load(rental.plotId);
  const farm = plot ? await lookups.farm.load(plot.farmId) : null;
  if (!plot || !farm) return;
  const startsOn = toIsoDate(rental.startsOn);
  const endsOn = toIsoDate(rental.endsOn);
  await events.bookingChanged(
    {
      kind: 'RENTAL',
      bookingId: rental.id,
      customerId: rental.customerId,
      farmId: farm.id,
      farmerId: farm.ownerId,
      status: rental.status,
      startsOn,
      endsOn,
      priceCents: rental.priceCents,
      currency: rental.currency,
      title: `Plot ${plot.code}, ${farm.name}, ${startsOn} – ${endsOn}`.slice(0, 200),
    },
    tx,
  );
}

/** Announces an adoption's state to payments. Adoptions are confirmed when made (ACTIVE) and paid for whole months. */
export async function publishAdoptionBooking(
  events: FarmEvents,
  lookups: BookingLookups,
  adoption: Adoption,
  tx: RawExecutor,
): Promise<void> {
  const animal = await lookups.animal.load(adoption.animalId);
  const farm = animal ? await lookups.farm.load(animal.farmId) : null;
  if (!animal || !farm) return;
  const startsOn = toIsoDate(adoption.startsOn);
  const endsOn = toIsoDate(adoption.endsOn);
  const months = adoptionMonths(startsOn, endsOn);
  await events.bookingChanged(
    {
      kind: 'ADOPTION',
      bookingId: adoption.id,
      customerId: adoption.customerId,
      farmId: farm.id,
      farmerId: farm.ownerId,
      status: adoptionStatus[adoption.status],
      startsOn,
      endsOn,
      priceCents: animal.monthlyPriceCents * months,
      currency: null,
      title:
        `Adoption of ${animal.name}, ${farm.name}, ${months} month${months === 1 ? '' : 's'} from ${startsOn}`.slice(
          0,
          200,
        ),
    },
    tx,
  );
}
