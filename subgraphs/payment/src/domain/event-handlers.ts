import { z } from 'zod';
import {
  topics,
  isUuid,
  type BookingChanged,
  type FarmChanged,
  type Logger,
  type UserDeleted,
  type EventTopic,
} from '@vegshare/kit';
import type { PaymentDeps } from './deps.ts';
import { bookingChangedSchema, onBookingChanged } from './bookings.ts';
import { applyFarmChanged } from './farm-accounts.ts';
import { onUserDeleted, userDeletedSchema } from './erasure.ts';

const uuid = z.string().refine(isUuid, 'must be a UUID');
const farmChangedSchema = z.object({
  farmId: uuid,
  ownerId: uuid,
  name: z.string().max(200),
}) satisfies z.ZodType<FarmChanged>;
const userRegisteredSchema = z.object({ userId: uuid, email: z.string().email().max(320) });

export interface Subscriptions {
  /** Resolves when every event received so far has been handled (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The events the payment service consumes: bookings (farm), farms' owners (farm), customers' e-mail addresses
 * for receipts (auth) and deleted accounts (auth: erased and acknowledged, see domain/erasure.ts). Each arrives on a
 * durable consumer (`payment.<name>`), is validated, then handled; every handler is naturally idempotent (a repeated
 * or late event changes nothing: unique booking, upserts), so a redelivery is harmless. A failure is retried with
 * back-off, then dead-lettered.
 */
export async function subscribeToEvents(deps: PaymentDeps, logger: Logger): Promise<Subscriptions> {
  const running = new Set<Promise<unknown>>();
  async function on<T>(
    name: string,
    topic: EventTopic,
    schema: z.ZodType<T>,
    handle: (event: T) => Promise<void>,
  ): Promise<void> {
    await deps.events.consume(name, topic, async (payload) => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        logger.warn(
          { topic, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) },
          'dropped malformed event',
        );
        return;
      }
      const work = handle(parsed.data);
      running.add(work);
      try {
        await work;
      } finally {
        running.delete(work);
      }
    });
  }
  await on<BookingChanged>('booking-changed', topics.bookingChanged, bookingChangedSchema, (e) =>
    onBookingChanged(deps, e),
  );
  await on<FarmChanged>('farm-changed', topics.farmChanged, farmChangedSchema, (e) => applyFarmChanged(deps.db, e));
  await on('user-registered', topics.userRegistered, userRegisteredSchema, async (e) => {
    await deps.db.customerContact.upsert({
      where: { userId: e.userId },
      create: { userId: e.userId, email: e.email },
      update: { email: e.email },
    });
  });
  await on<UserDeleted>('account-erasure', topics.userDeleted, userDeletedSchema, (e) => onUserDeleted(deps, e));
  const idle = async () => {
    await deps.events.idle();
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    idle,
    async close() {
      await idle();
    },
  };
}
