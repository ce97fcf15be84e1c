import { eventIterator, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import type { ActivityRecord } from '../domain/activity.ts';
import { plotOrFail, requirePlotInsider } from '../domain/access.ts';
import { idArg } from './ids.ts';

export const Subscription: SubscriptionResolvers = {
  plotActivity: {
    /** Only the plot's current renter, its farmer and admins; checked once when subscribing. */
    subscribe: async (_, { plotId }, ctx) => {
      const plot = await plotOrFail(ctx, idArg(plotId, 'plotId'));
      await requirePlotInsider(ctx, plot);
      return eventIterator<ActivityRecord>(ctx.bus, topics.plotActivity(plot.id));
    },
    resolve: (payload: ActivityRecord) => payload,
  },
};
