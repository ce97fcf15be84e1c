import { eventIterator, isUuid, notFound, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { jobFromEvent, type JobEventPayload } from '../jobs/job-events.ts';
import { requireVisibleJob } from './access.ts';

export const Subscription: SubscriptionResolvers = {
  transcodeJobUpdated: {
    subscribe: async (_, { jobId }, ctx) => {
      if (!isUuid(jobId)) throw notFound('TranscodeJob', jobId);
      const job = await requireVisibleJob(ctx, jobId.toLowerCase());
      return eventIterator<JobEventPayload>(ctx.bus, topics.transcodeJob(job.id));
    },
    resolve: (payload: JobEventPayload) => jobFromEvent(payload),
  },
};
