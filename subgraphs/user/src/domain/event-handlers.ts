import { z } from 'zod';
import { eventTopics, isUuid, type EventBus, type ObjectStore, type ServiceMetrics } from '@vegshare/kit';
import type { Logger } from 'pino';
import type { UserDb } from '../db.ts';
import { deliverNotification, type PushChannel } from './notifications.ts';
import { onUserDeleted } from './erasure.ts';
import { createRegisteredProfile } from './profiles.ts';

const userRegisteredSchema = z.object({ userId: z.string().refine(isUuid, 'must be a UUID'), displayName: z.string() });

/**
 * Subscribes to the events the user service acts on (before it accepts traffic). Handlers are idempotent, so every
 * replica handles every event and the database decides which one wins. Returns a function that unsubscribes and
 * waits for handlers still running.
 */
export async function subscribeToEvents(db: UserDb, bus: EventBus, logger: Logger, metrics: ServiceMetrics, deps: { objects: ObjectStore; push: PushChannel }): Promise<() => Promise<void>> {
  const notificationRequests = metrics.counter('user_notification_requests_total', 'NotificationRequested events by outcome (delivered, duplicate, muted, invalid)', ['outcome']);
  const profilesCreated = metrics.counter('user_profiles_created_total', 'Profiles created from UserRegistered events');
  const accountsErased = metrics.counter('user_accounts_erased_total', 'Deleted accounts whose data was erased (UserDeleted events, re-deliveries included)');
  const running = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>, what: string): void => {
    const tracked = work.catch((err: unknown) => logger.error({ err }, `${what} failed`)).finally(() => running.delete(tracked));
    running.add(tracked);
  };

  const offRegistered = await bus.subscribe<unknown>(eventTopics.userRegistered, (payload) => {
    const event = userRegisteredSchema.safeParse(payload);
    if (!event.success) {
      logger.warn('dropped invalid UserRegistered event');
      return;
    }
    track(
      createRegisteredProfile(db, event.data).then((created) => {
        if (created) profilesCreated.inc();
        logger.debug({ userId: event.data.userId, created }, 'profile for registered user');
      }),
      'creating a profile',
    );
  });
  const offNotifications = await bus.subscribe<unknown>(eventTopics.notificationRequested, (payload) => {
    track(
      deliverNotification(db, bus, payload, logger, deps.push).then((outcome) => {
        notificationRequests.inc({ outcome });
        logger.debug({ outcome }, 'notification requested');
      }),
      'delivering a notification',
    );
  });

  const offDeleted = await bus.subscribe<unknown>(eventTopics.userDeleted, (payload) => {
    track(
      onUserDeleted(db, deps.objects, bus, payload, logger).then((erased) => {
        if (erased) accountsErased.inc();
      }),
      'erasing a deleted account',
    );
  });

  return async () => {
    await offRegistered();
    await offNotifications();
    await offDeleted();
    await Promise.allSettled([...running]);
  };
}
