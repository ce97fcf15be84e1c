import { z } from 'zod';
import { eventTopics, isUuid, type BookingChanged, type EventBus, type FarmChanged, type Logger, type UserDeleted } from '@vegshare/kit';
import type { PaymentDeps } from './deps.ts';
import { bookingChangedSchema, onBookingChanged } from './bookings.ts';
import { applyFarmChanged } from './farm-accounts.ts';
import { onUserDeleted, userDeletedSchema } from './erasure.ts';

const uuid = z.string().refine(isUuid, 'must be a UUID');
const farmChangedSchema = z.object({ farmId: uuid, ownerId: uuid, name: z.string().max(200) }) satisfies z.ZodType<FarmChanged>;
const userRegisteredSchema = z.object({ userId: uuid, email: z.string().email().max(320) });

export interface Subscriptions {
  /** Resolves when every event received so far has been handled (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The events the payment service consumes: bookings (farm), farms' owners (farm), customers' e-mail addresses
 * for receipts (auth) and deleted accounts (auth: erased and acknowledged, see domain/erasure.ts). Each is validated, then handled; handlers are idempotent, so every replica may handle every event.
 */
export async function subscribeToEvents(bus: EventBus, deps: PaymentDeps, logger: Logger): Promise<Subscriptions> {
  const running = new Set<Promise<unknown>>();
  function on<T>(topic: string, schema: z.ZodType<T>, handle: (event: T) => Promise<void>) {
    return bus.subscribe<unknown>(topic, (payload) => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        logger.warn({ topic, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'dropped malformed event');
        return;
      }
      const work = handle(parsed.data)
        .catch((err: unknown) => logger.error({ err, topic }, 'event handler failed'))
        .finally(() => running.delete(work));
      running.add(work);
    });
  }
  const offs = await Promise.all([
    on<BookingChanged>(eventTopics.bookingChanged, bookingChangedSchema, (e) => onBookingChanged(deps, e)),
    on<FarmChanged>(eventTopics.farmChanged, farmChangedSchema, (e) => applyFarmChanged(deps.db, e)),
    on(eventTopics.userRegistered, userRegisteredSchema, async (e) => {
      await deps.db.customerContact.upsert({ where: { userId: e.userId }, create: { userId: e.userId, email: e.email }, update: { email: e.email } });
    }),
    on<UserDeleted>(eventTopics.userDeleted, userDeletedSchema, (e) => onUserDeleted(deps, e)),
  ]);
  const idle = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };
  return {
    idle,
    async close() {
      await Promise.all(offs.map((off) => off()));
      await idle();
    },
  };
}
