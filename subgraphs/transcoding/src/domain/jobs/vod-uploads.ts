import { randomUUID } from 'node:crypto';
import { badInput, notFound, type Viewer } from '@vegshare/kit';
import type { Context } from '../../context.ts';
import type { VodUpload } from '../../generated/prisma/client.ts';
import type { VodUploadGrant } from '../models.ts';
import { requireFarmOperator, requireOperator } from '../../resolvers/access.ts';

/** Video containers ffmpeg reads and farmers' phones and cameras produce. */
export const VOD_CONTENT_TYPES = ['video/mp4', 'video/quicktime', 'video/x-matroska', 'video/webm'] as const;

export interface VodUploadRequest {
  readonly farmId: string;
  readonly cameraId: string | null;
  readonly contentType: (typeof VOD_CONTENT_TYPES)[number];
  readonly sizeBytes: number;
}

/**
 * A presigned PUT for one video file of a farm the caller runs, under uploads/<farm>/<upload>/source: the only keys a
 * VOD job can be made from (no job names an arbitrary object of the bucket any more).
 */
export async function createVodUpload(ctx: Context, input: VodUploadRequest): Promise<VodUploadGrant> {
  const viewer = await requireFarmOperator(ctx, input.farmId);
  if (input.sizeBytes > ctx.config.VOD_UPLOAD_MAX_BYTES)
    throw badInput(`sizeBytes: at most ${ctx.config.VOD_UPLOAD_MAX_BYTES} bytes`, 'sizeBytes');
  if (input.cameraId) {
    const camera = await ctx.db.cameraFarm.findUnique({ where: { cameraId: input.cameraId } });
    if (camera?.farmId !== input.farmId) throw badInput('cameraId: not a camera of that farm', 'cameraId');
  }
  const id = randomUUID();
  const key = `uploads/${input.farmId}/${id}/source`;
  const ttl = ctx.config.VOD_UPLOAD_URL_TTL_SECONDS;
  const expiresAt = new Date(Date.now() + ttl * 1000);
  await ctx.db.vodUpload.create({
    data: {
      id,
      farmId: input.farmId,
      cameraId: input.cameraId,
      requestedBy: viewer.userId,
      key,
      contentType: input.contentType,
      sizeBytes: BigInt(input.sizeBytes),
      expiresAt,
    },
  });
  const uploadUrl = await ctx.store.client.presignedPutObject(ctx.store.bucket, key, ttl);
  return { id, uploadUrl, contentType: input.contentType, maxBytes: input.sizeBytes, expiresAt };
}

/**
 * The upload, if the caller runs its farm (another farm's upload is NOT_FOUND). Like jobs: no viewer is
 * UNAUTHENTICATED and a non-operator FORBIDDEN, so the app can tell "sign in" from "not yours".
 */
async function visibleUpload(ctx: Context, id: string): Promise<{ upload: VodUpload; viewer: Viewer }> {
  requireOperator(ctx.viewer);
  const upload = await ctx.db.vodUpload.findUnique({ where: { id } });
  if (!upload) throw notFound('VodUpload', id);
  try {
    return { upload, viewer: await requireFarmOperator(ctx, upload.farmId) };
  } catch {
    throw notFound('VodUpload', id);
  }
}

/**
 * Checks what was uploaded before a job is made from it: it exists, is no larger than declared and has the declared
 * type (an oversize file is deleted). Whether it really is a video ffmpeg can read is for the job to find out.
 */
export async function verifiedUpload(ctx: Context, id: string): Promise<{ upload: VodUpload; viewer: Viewer }> {
  const found = await visibleUpload(ctx, id);
  const { upload } = found;
  if (upload.jobId) return found;
  let stat: { size: number; metaData: Record<string, string> };
  try {
    stat = (await ctx.store.client.statObject(ctx.store.bucket, upload.key)) as {
      size: number;
      metaData: Record<string, string>;
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NotFound' || code === 'NoSuchKey')
      throw badInput('uploadId: nothing was uploaded (PUT the file to uploadUrl first)', 'uploadId');
    throw error;
  }
  if (stat.size > Number(upload.sizeBytes)) {
    await ctx.store.client.removeObject(ctx.store.bucket, upload.key).catch(() => undefined);
    throw badInput(
      `uploadId: the file is larger than the ${upload.sizeBytes} bytes declared; it was deleted`,
      'uploadId',
    );
  }
  const type = (stat.metaData['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type && type !== upload.contentType)
    throw badInput(`uploadId: uploaded as ${type}, declared ${upload.contentType}`, 'uploadId');
  return found;
}
