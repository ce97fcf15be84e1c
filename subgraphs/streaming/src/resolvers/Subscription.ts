import { eventIterator, isUuid, notFound, topics } from '@vegshare/kit';
import { requireFarmManager } from '../access.ts';
import type { Context } from '../context.ts';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { createLoaders } from '../loaders.ts';
import { watchableStream } from '../playback.ts';
import { streamFromSnapshot, type StreamSnapshot, type ViewerCountEvent } from '../stream-snapshot.ts';

/**
 * Root subscription fields; the gateway subscribes here over graphql-ws. Rights are checked when subscribing,
 * with fresh loaders (a connection's context lives as long as the socket, its loader cache would go stale).
 */
export const Subscription: SubscriptionResolvers = {
  streamStatusChanged: {
    subscribe: async (_, { streamId }, { db, runtime, viewer }) => {
      const { stream } = await watchableStream(createLoaders(db), viewer, streamId);
      return eventIterator<StreamSnapshot>(runtime.bus, topics.streamStatus(stream.id));
    },
    resolve: (payload: StreamSnapshot) => streamFromSnapshot(payload),
  },
  viewerCount: {
    subscribe: async (_, { streamId }, { db, runtime, viewer }) => {
      const { stream } = await watchableStream(createLoaders(db), viewer, streamId);
      return eventIterator<ViewerCountEvent>(runtime.bus, topics.viewerCount(stream.id));
    },
    resolve: (payload: ViewerCountEvent) => payload.viewers,
  },
  cameraHealthChanged: {
    subscribe: async (_, { farmId }, { db, runtime, viewer }) => {
      if (!isUuid(farmId)) throw notFound('Farm', farmId);
      await requireFarmManager(viewer, farmId.toLowerCase(), createLoaders(db));
      return eventIterator<{ cameraId: string }>(runtime.bus, topics.cameraHealth(farmId.toLowerCase()));
    },
    // The camera as it is now (the event only names it); a removed camera ends nothing, it is skipped.
    resolve: async (payload: { cameraId: string }, _args: unknown, { db }: Context) => (await db.camera.findUnique({ where: { id: payload.cameraId } })) ?? Promise.reject(notFound('Camera', payload.cameraId)),
  },
};
