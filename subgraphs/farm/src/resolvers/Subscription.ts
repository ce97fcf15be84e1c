import { decodeFeedCursor, eventIterator, topics, feedPositionOf, resumeLog, whileAllowed } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { activitySince, type ActivityRecord } from '../domain/activity.ts';
import { plotOrFail, requirePlotInsider } from '../domain/access.ts';
import { createLoaders } from '../loaders.ts';
import { idArg } from './ids.ts';

export const Subscription: SubscriptionResolvers = {
  plotActivity: {
    /**
     * Only the plot's current renter, its farmer and admins: checked when subscribing and again whenever a rental of
     * the plot changes (fresh loaders), so a renter whose rental is cancelled or ended stops receiving at once.
     * With `after`: live first (buffering), then the plot's stored entries since the cursor, then live ones past them.
     */
    subscribe: async (_, { plotId, after }, ctx) => {
      const plot = await plotOrFail(ctx, idArg(plotId, 'plotId'));
      await requirePlotInsider(ctx, plot);
      const since = after === null || after === undefined ? null : decodeFeedCursor(after);
      const live = await eventIterator(ctx.bus, topics.plotActivity(plot.id), since ? { bufferSize: 2000 } : {});
      const events = since
        ? await resumeLog<ActivityRecord>({
            live,
            after: since,
            replay: (from, limit) => activitySince(ctx.db, plot.id, from, limit),
            positionOf: feedPositionOf,
          })
        : live;
      return whileAllowed(events, {
        bus: ctx.bus,
        topics: [topics.rentalChanged],
        relevant: (change) => change.plotId === plot.id,
        recheck: () => requirePlotInsider({ ...ctx, loaders: createLoaders(ctx.db, ctx.sql) }, plot),
      });
    },
    resolve: (payload: ActivityRecord) => payload,
  },
};
