import { isUuid, notFound } from '@vegshare/kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { cancelJob, createTimelapseJob, createVodJob, type JobCommandDeps } from '../jobs/job-commands.ts';
import type { Context } from '../context.ts';
import { requireOperator } from './access.ts';
import { timelapseInput, validate, vodInput } from './inputs.ts';

const commands = (ctx: Context): JobCommandDeps => ({ db: ctx.db, bus: ctx.bus, queue: ctx.queue, config: ctx.config, logger: ctx.logger });

export const Mutation: MutationResolvers = {
  requestVodTranscode: (_, { input }, ctx) => {
    const viewer = requireOperator(ctx.viewer);
    const valid = validate(vodInput, input);
    return createVodJob(commands(ctx), { sourceKey: valid.sourceKey, cameraId: valid.cameraId ?? null, profile: valid.profile, requestedBy: viewer.userId });
  },
  requestTimelapse: (_, { input }, ctx) => {
    const viewer = requireOperator(ctx.viewer);
    const valid = validate(timelapseInput, input);
    return createTimelapseJob(commands(ctx), { cameraId: valid.cameraId, day: valid.day, requestedBy: viewer.userId, force: true });
  },
  cancelTranscodeJob: (_, { id }, ctx) => {
    requireOperator(ctx.viewer);
    if (!isUuid(id)) throw notFound('TranscodeJob', id);
    return cancelJob(commands(ctx), id);
  },
};
