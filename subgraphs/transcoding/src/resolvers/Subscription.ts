import { encodeStateCursor, eventIterator, isUuid, notFound, resumeState, topics } from '@vegshare/kit';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.ts';
import { jobFromEvent, jobToEvent, type JobEventPayload } from '../domain/jobs/job-events.ts';
import { requireVisibleJob } from './access.ts';

export const Subscription: SubscriptionResolvers = {
  transcodeJobUpdated: {
    // With `after`: subscribed first, then the job as it is now unless the client has exactly that state, then live
    // states newer than it. The cursor names its job, so it cannot resume another one.
    subscribe: async (_, { jobId, after }, ctx) => {
      if (!isUuid(jobId)) throw notFound('TranscodeJob', jobId);
      const job = await requireVisibleJob(ctx, jobId.toLowerCase());
      const live = await eventIterator(ctx.bus, topics.transcodeJob(job.id));
      return resumeState<JobEventPayload>({
        live,
        after,
        entityId: job.id,
        current: async () => {
          const row = await ctx.db.transcodeJob.findUnique({ where: { id: job.id } });
          return row ? jobToEvent(row) : null;
        },
        cursorOf: (payload) => encodeStateCursor(payload.id, payload.updatedAt, jobFromEvent(payload)),
        updatedAtOf: (payload) => new Date(payload.updatedAt),
      });
    },
    resolve: (payload: JobEventPayload) => jobFromEvent(payload),
  },
};
