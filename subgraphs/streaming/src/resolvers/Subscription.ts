import {
  encodeStateCursor,
  eventIterator,
  isUuid,
  notFound,
  resumeState,
  topics,
  whileAllowed,
  type EventBus,
  type EventPayloads,
  type EventTopic,
} from '@vegshare/kit';
import { requireFarmManager } from '../domain/access.ts';
import type { Context } from '../context.ts';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import type { StreamingDb } from '../db.ts';
import { createLoaders } from '../loaders.ts';
import { watchableStream } from '../domain/playback.ts';
import {
  snapshotOf,
  streamFromSnapshot,
  type StreamSnapshot,
  type ViewerCountEvent,
} from '../domain/stream-snapshot.ts';
import type { Viewer } from '@vegshare/kit';

/**
 * Events of a stream for as long as the viewer may watch it: checked when subscribing (fresh loaders: a connection's
 * context lives as long as the socket) and again whenever who may watch the camera changes — a rental of its plot was
 * cancelled, ended or started, or the farmer made the camera private, moved it to another plot or removed it — so a
 * former renter, or an anonymous watcher of a camera that is no longer public, stops receiving at once (FORBIDDEN or
 * NOT_FOUND, then complete). Public cameras are guarded too: public is a setting the farmer can take back.
 */
async function watched<K extends EventTopic>(
  bus: EventBus,
  db: StreamingDb,
  viewer: Viewer | null,
  streamId: string,
  topicOf: (streamId: string) => K,
  resume?: (
    live: AsyncIterableIterator<EventPayloads[K]>,
    streamId: string,
  ) => Promise<AsyncIterableIterator<EventPayloads[K]>>,
): Promise<AsyncIterableIterator<EventPayloads[K]>> {
  const { stream, camera } = await watchableStream(createLoaders(db), viewer, streamId);
  const live = await eventIterator(bus, topicOf(stream.id));
  const events = resume ? await resume(live, stream.id) : live;
  return whileAllowed(events, {
    bus,
    topics: [topics.cameraWatchers(camera.id), ...(camera.plotId ? [topics.plotWatchers(camera.plotId)] : [])],
    recheck: async () => void (await watchableStream(createLoaders(db), viewer, streamId)),
  });
}

/** Root subscription fields; the gateway subscribes here over graphql-ws. */
export const Subscription: SubscriptionResolvers = {
  streamStatusChanged: {
    // With `after`: subscribed first, then the stream as it is now unless the client has exactly that state, then live
    // states newer than it. The cursor names its stream, so it cannot resume another one.
    subscribe: (_, { streamId, after }, { db, runtime, viewer }) =>
      watched(runtime.bus, db, viewer, streamId, topics.streamStatus, async (live, id) =>
        resumeState<StreamSnapshot>({
          live,
          after,
          entityId: id,
          current: async () => {
            const row = await db.stream.findUnique({ where: { id } });
            return row ? snapshotOf(row) : null;
          },
          cursorOf: (s) => encodeStateCursor(s.id, s.updatedAt, streamFromSnapshot(s)),
          updatedAtOf: (s) => new Date(s.updatedAt),
        }),
      ),
    resolve: (payload: StreamSnapshot) => streamFromSnapshot(payload),
  },
  viewerCount: {
    subscribe: (_, { streamId }, { db, runtime, viewer }) =>
      watched(runtime.bus, db, viewer, streamId, topics.viewerCount),
    resolve: (payload: ViewerCountEvent) => payload.viewers,
  },
  cameraHealthChanged: {
    subscribe: async (_, { farmId }, { db, runtime, viewer }) => {
      if (!isUuid(farmId)) throw notFound('Farm', farmId);
      await requireFarmManager(viewer, farmId.toLowerCase(), createLoaders(db));
      return eventIterator(runtime.bus, topics.cameraHealth(farmId.toLowerCase()));
    },
    // The camera as it is now (the event only names it); a removed camera ends nothing, it is skipped.
    resolve: async (payload: { cameraId: string }, _args: unknown, { db }: Context) =>
      (await db.camera.findUnique({ where: { id: payload.cameraId } })) ??
      Promise.reject(notFound('Camera', payload.cameraId)),
  },
};
