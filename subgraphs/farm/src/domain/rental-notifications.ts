import type { NotificationRequested } from '@vegshare/kit';
import type { Farm, Plot, Rental, RentalStatus } from '../generated/prisma/client.ts';
import { toIsoDate } from './dates.ts';

/** A rental's step: its new state and the state it left (null when it was just requested), and who took it. */
export interface RentalStep {
  readonly rental: Pick<Rental, 'id' | 'customerId' | 'status' | 'startsOn' | 'endsOn'>;
  readonly from: RentalStatus | null;
  readonly plot: Pick<Plot, 'id' | 'code'>;
  readonly farm: Pick<Farm, 'name' | 'ownerId'>;
  readonly actorId: string;
}

/**
 * Who is told what at each step of a rental (kind `rental`): the farmer of a new request and of a request its renter
 * withdrew; the renter when the farm confirms, declines (cancels a request), cancels or ends it. Nobody is told of
 * their own action. One deterministic eventId per step, so a re-publication is delivered once.
 */
export function rentalNotifications(step: RentalStep): NotificationRequested[] {
  const { rental, from, plot, farm, actorId } = step;
  const dates = `from ${toIsoDate(rental.startsOn)} until ${toIsoDate(rental.endsOn)}`;
  const note = (userId: string, title: string, body: string): NotificationRequested[] =>
    userId === actorId
      ? []
      : [
          {
            eventId: `farm:rental:${rental.id}:${rental.status.toLowerCase()}`,
            userId,
            kind: 'rental',
            title,
            body,
            link: `/rentals/${rental.id}`,
          },
        ];
  switch (rental.status) {
    case 'REQUESTED':
      return note(
        farm.ownerId,
        `New rental request: plot ${plot.code}`,
        `A customer asks for plot ${plot.code} on ${farm.name} ${dates}. Confirm or decline the request.`,
      );
    case 'ACTIVE':
      return note(
        rental.customerId,
        `Rental confirmed: plot ${plot.code}`,
        `${farm.name} confirmed your rental of plot ${plot.code} ${dates}. Time to plan your crops!`,
      );
    case 'ENDED':
      return note(
        rental.customerId,
        `Rental ended: plot ${plot.code}`,
        `Your rental of plot ${plot.code} on ${farm.name} has ended. Thank you for growing with ${farm.name}.`,
      );
    case 'CANCELLED':
      if (actorId === rental.customerId)
        return note(
          farm.ownerId,
          `Rental request withdrawn: plot ${plot.code}`,
          `The customer withdrew their request for plot ${plot.code} ${dates}; the dates are free again.`,
        );
      if (from === 'REQUESTED')
        return note(
          rental.customerId,
          `Rental request declined: plot ${plot.code}`,
          `${farm.name} declined your request for plot ${plot.code} ${dates}. The dates are free again; another plot may suit you.`,
        );
      return note(
        rental.customerId,
        `Rental cancelled: plot ${plot.code}`,
        `${farm.name} cancelled your rental of plot ${plot.code} ${dates}.`,
      );
  }
}
