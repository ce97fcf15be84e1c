import { eventIterator, isUuid, notFound, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { jobFromEvent, type JobEventPayload } from '../jobs/job-events.ts';
import { requireOperator } from './access.ts';

export const Subscription: SubscriptionResolvers = {
  transcodeJobUpdated: {
    subscribe: async (_, { jobId }, { viewer, bus, loaders }) => {
      requireOperator(viewer);
      if (!isUuid(jobId) || !(await loaders.job.load(jobId))) throw notFound('TranscodeJob', jobId);
      return eventIterator<JobEventPayload>(bus, topics.transcodeJob(jobId));
    },
    resolve: (payload: JobEventPayload) => jobFromEvent(payload),
  },
};
