import { z } from 'zod';
import {
  topics,
  isUuid,
  type EventBus,
  type ObjectStore,
  type ServiceEvents,
  type ServiceMetrics,
} from '@vegshare/kit';
import type { Logger } from 'pino';
import type { UserDb } from '../db.ts';
import { deliverNotification, type PushChannel } from './notifications.ts';
import { onUserDeleted } from './erasure.ts';
import { createRegisteredProfile } from './profiles.ts';

const userRegisteredSchema = z.object({ userId: z.string().refine(isUuid, 'must be a UUID'), displayName: z.string() });

/**
 * Starts the durable consumers of the events the user service acts on (before it accepts traffic). Every handler is
 * naturally idempotent — a profile is created once (upsert), a notification is stored once per (user, eventId) and
 * only the delivery that inserted it publishes it live, erasure is repeatable — so a redelivery changes nothing. A
 * failing handler is retried with back-off, then dead-lettered. Returns a function that waits for handlers running.
 */
export async function subscribeToEvents(
  db: UserDb,
  bus: EventBus,
  outbox: ServiceEvents,
  logger: Logger,
  metrics: ServiceMetrics,
  deps: { objects: ObjectStore; push: PushChannel },
): Promise<() => Promise<void>> {
  const notificationRequests = metrics.counter(
    'user_notification_requests_total',
    'NotificationRequested events by outcome (delivered, duplicate, muted, invalid)',
    ['outcome'],
  );
  const profilesCreated = metrics.counter('user_profiles_created_total', 'Profiles created from UserRegistered events');
  const accountsErased = metrics.counter(
    'user_accounts_erased_total',
    'Deleted accounts whose data was erased (UserDeleted events, re-deliveries included)',
  );
  const running = new Set<Promise<unknown>>();
  const track = async <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    try {
      return await work;
    } finally {
      running.delete(work);
    }
  };

  await outbox.consume('profile', topics.userRegistered, async (payload) => {
    const event = userRegisteredSchema.safeParse(payload);
    if (!event.success) return logger.warn('dropped invalid UserRegistered event');
    const created = await track(createRegisteredProfile(db, event.data));
    if (created) profilesCreated.inc();
    logger.debug({ userId: event.data.userId, created }, 'profile for registered user');
  });
  await outbox.consume('notifications', topics.notificationRequested, async (payload) => {
    const outcome = await track(deliverNotification(db, bus, payload, logger, deps.push));
    notificationRequests.inc({ outcome });
    logger.debug({ outcome }, 'notification requested');
  });
  await outbox.consume('account-erasure', topics.userDeleted, async (payload) => {
    if (await track(onUserDeleted(db, deps.objects, outbox, payload, logger))) accountsErased.inc();
  });

  return async () => {
    await Promise.allSettled([...running]);
  };
}
