import type { RawExecutor } from '@vegshare/kit';
import type { Adoption, Animal, Rental } from '../../generated/prisma/client.ts';
import type { FarmRow, PlotRow } from '../row-statements.ts';
import { toIsoDate } from '../dates.ts';
import type { FarmEvents } from '../notify.ts';

/*
 * What payments is told of a booking needs its plot or animal (price, title) and their farm (farmer): rows the caller
 * loads BEFORE the booking's transaction and passes in. Read inside it, through the loaders or the pool, they would
 * need a second connection while the transaction holds one — and the requests waiting for its locks hold the rest of
 * the pool: a deadlock until the transaction times out.
 */

/** A rental's plot and the plot's farm. */
export interface RentalBookingRows {
  readonly plot: Pick<PlotRow, 'code'>;
  readonly farm: Pick<FarmRow, 'id' | 'ownerId' | 'name'>;
}

/** An adoption's animal and the animal's farm. */
export interface AdoptionBookingRows {
  readonly animal: Pick<Animal, 'name' | 'monthlyPriceCents'>;
  readonly farm: Pick<FarmRow, 'id' | 'ownerId' | 'name'>;
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
  { plot, farm }: RentalBookingRows,
  rental: Rental,
  tx: RawExecutor,
): Promise<void> {
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
  { animal, farm }: AdoptionBookingRows,
  adoption: Adoption,
  tx: RawExecutor,
): Promise<void> {
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
