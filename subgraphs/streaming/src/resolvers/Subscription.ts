import { eventIterator, topics } from '@vegshare/kit';
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
};
