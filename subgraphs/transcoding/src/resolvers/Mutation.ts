import { isUuid, notFound } from '@vegshare/kit';
import type { MutationResolvers } from '../__generated__/resolvers-types.ts';
import { cancelJob, createTimelapseJob, createVodJob, type JobCommandDeps } from '../domain/jobs/job-commands.ts';
import { createVodUpload, verifiedUpload } from '../domain/jobs/vod-uploads.ts';
import type { Context } from '../context.ts';
import { requireFarmOperator, requireVisibleJob } from './access.ts';
import { timelapseInput, validate, vodInput, vodUploadInput } from './inputs.ts';

const commands = (ctx: Context): JobCommandDeps => ({
  db: ctx.db,
  bus: ctx.bus,
  queue: ctx.queue,
  config: ctx.config,
  logger: ctx.logger,
});

export const Mutation: MutationResolvers = {
  createVodUpload: (_, { input }, ctx) => createVodUpload(ctx, validate(vodUploadInput, input)),
  requestVodTranscode: async (_, { input }, ctx) => {
    const valid = validate(vodInput, input);
    const { upload, viewer } = await verifiedUpload(ctx, valid.uploadId);
    return createVodJob(commands(ctx), {
      uploadId: upload.id,
      sourceKey: upload.key,
      farmId: upload.farmId,
      cameraId: upload.cameraId,
      profile: valid.profile,
      requestedBy: viewer.userId,
    });
  },
  requestTimelapse: async (_, { input }, ctx) => {
    const valid = validate(timelapseInput, input);
    const camera = await ctx.db.cameraFarm.findUnique({ where: { cameraId: valid.cameraId } });
    if (!camera) throw notFound('Camera', valid.cameraId);
    const viewer = await requireFarmOperator(ctx, camera.farmId);
    return createTimelapseJob(commands(ctx), {
      cameraId: valid.cameraId,
      farmId: camera.farmId,
      day: valid.day,
      requestedBy: viewer.userId,
      force: true,
    });
  },
  cancelTranscodeJob: async (_, { id }, ctx) => {
    if (!isUuid(id)) throw notFound('TranscodeJob', id);
    const job = await requireVisibleJob(ctx, id.toLowerCase());
    return cancelJob(commands(ctx), job.id);
  },
};
