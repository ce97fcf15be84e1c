import { eventTopics, type EventBus, type FarmChanged, type Logger, type NotificationRequested, type RentalChanged } from '@vegshare/kit';
import type { Farm, Rental } from '../generated/prisma/client.ts';
import { toIsoDate } from './dates.ts';

/**
 * Events the farm subgraph publishes after its transactions commit. Publishing is best effort (the fact is in
 * Postgres already); eventIds are deterministic per fact, so re-publishing the same fact is idempotent downstream.
 */
export class FarmEvents {
  constructor(private readonly bus: EventBus, private readonly logger: Logger) {}

  async #publish<T>(topic: string, payload: T): Promise<void> {
    try {
      await this.bus.publish(topic, payload);
    } catch (err) {
      this.logger.warn({ err, topic }, 'could not publish event');
    }
  }

  farmChanged(farm: Farm): Promise<void> {
    return this.#publish<FarmChanged>(eventTopics.farmChanged, { farmId: farm.id, ownerId: farm.ownerId, name: farm.name });
  }

  rentalChanged(rental: Rental, farmId: string): Promise<void> {
    return this.#publish<RentalChanged>(eventTopics.rentalChanged, {
      rentalId: rental.id,
      plotId: rental.plotId,
      farmId,
      customerId: rental.customerId,
      status: rental.status,
      startsOn: toIsoDate(rental.startsOn),
      endsOn: toIsoDate(rental.endsOn),
    });
  }

  notify(request: NotificationRequested): Promise<void> {
    return this.#publish<NotificationRequested>(eventTopics.notificationRequested, request);
  }
}
