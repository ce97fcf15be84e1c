import {
  topics,
  type BookingChanged,
  type EventPayloads,
  type EventTopic,
  type FarmChanged,
  type NotificationRequested,
  type RawExecutor,
  type RentalChanged,
  type ServiceEvents,
  type UserDataErased,
} from '@vegshare/kit';
import type { Farm, Rental } from '../generated/prisma/client.ts';
import { toIsoDate } from './dates.ts';

/**
 * Events the farm subgraph emits, written to its outbox (packages/kit/src/events/outbox.ts) in `tx`, the transaction
 * of the change they announce: each exists if and only if its change commits.
 */
export class FarmEvents {
  constructor(readonly outbox: ServiceEvents) {}

  async #enqueue<K extends EventTopic>(topic: K, payload: EventPayloads[K], tx: RawExecutor): Promise<void> {
    await this.outbox.enqueue(tx, topic, payload);
  }

  farmChanged(farm: Farm, tx: RawExecutor): Promise<void> {
    return this.#enqueue(topics.farmChanged, { farmId: farm.id, ownerId: farm.ownerId, name: farm.name }, tx);
  }

  rentalChanged(rental: Rental, farmId: string, tx: RawExecutor): Promise<void> {
    return this.#enqueue(
      topics.rentalChanged,
      {
        rentalId: rental.id,
        plotId: rental.plotId,
        farmId,
        customerId: rental.customerId,
        status: rental.status,
        startsOn: toIsoDate(rental.startsOn),
        endsOn: toIsoDate(rental.endsOn),
      },
      tx,
    );
  }

  bookingChanged(event: BookingChanged, tx: RawExecutor): Promise<void> {
    return this.#enqueue(topics.bookingChanged, event, tx);
  }

  notify(request: NotificationRequested, tx: RawExecutor): Promise<void> {
    return this.#enqueue(topics.notificationRequested, request, tx);
  }

  dataErased(userId: string, tx: RawExecutor): Promise<void> {
    return this.#enqueue(topics.userDataErased, { userId, service: 'farm' }, tx);
  }
}
