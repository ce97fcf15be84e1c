import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { badInput, conflict, forbidden, notFound, type ObjectStore } from '@vegshare/kit';
import type { Logger } from 'pino';
import type { UserDb } from '../db.ts';
import type { Profile } from '../generated/prisma/client.ts';
import { ensureProfile } from './profiles.ts';

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
/** How long a presigned PUT URL works. */
const UPLOAD_TTL_SECONDS = 15 * 60;
/** Extra time after expiry during which a finished upload may still be confirmed (slow networks). */
const CONFIRM_GRACE_MS = 5 * 60 * 1000;
const HOUR_MS = 3_600_000;
/** Shape of every key requestUpload hands out; anything else is never looked up. */
const AVATAR_KEY = /^avatars\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.(jpg|png|webp)$/;

/** Accepted image types and the file signature each must start with. */
const IMAGE_TYPES: Readonly<Record<string, { ext: string; matches: (head: Buffer) => boolean }>> = {
  'image/jpeg': { ext: 'jpg', matches: (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff },
  'image/png': {
    ext: 'png',
    matches: (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  'image/webp': {
    ext: 'webp',
    matches: (h) => h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP',
  },
};
const AVATAR_CONTENT_TYPES = Object.keys(IMAGE_TYPES);

export interface AvatarUploadTicket {
  readonly url: string;
  readonly key: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  readonly expiresAt: Date;
}

/** Avatars in S3 under `avatars/<userId>/<uuid>.<ext>`; the bucket stays private, reads go through presigned GET URLs. */
export interface AvatarStore {
  requestUpload(userId: string, contentType: string, sizeBytes: number): Promise<AvatarUploadTicket>;
  confirmUpload(userId: string, key: string): Promise<Profile>;
  remove(userId: string): Promise<Profile>;
  /**
   * A presigned GET URL, signed as of the start of the current hour and valid for two hours: the URL is the same for a
   * whole hour (cacheable by clients and CDNs) and always valid for at least another hour.
   */
  url(key: string, now?: Date): Promise<string>;
}

async function readHead(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    chunks.push(buf);
    total += buf.length;
    if (total >= bytes) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, bytes);
}

export function createAvatarStore(db: UserDb, store: ObjectStore, logger: Logger): AvatarStore {
  const { client, publicClient, bucket } = store;

  const removeObject = async (key: string): Promise<void> => {
    try {
      await client.removeObject(bucket, key);
    } catch (err) {
      logger.warn({ err, key }, 'could not remove avatar object');
    }
  };

  return {
    async requestUpload(userId, rawType, sizeBytes) {
      const contentType = rawType.trim().toLowerCase();
      const type = IMAGE_TYPES[contentType];
      if (!type) throw badInput(`contentType must be one of ${AVATAR_CONTENT_TYPES.join(', ')}`, 'contentType');
      if (!Number.isInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > AVATAR_MAX_BYTES) {
        throw badInput(`sizeBytes must be between 1 and ${AVATAR_MAX_BYTES} (5 MiB)`, 'sizeBytes');
      }
      await ensureProfile(db, userId);
      const key = `avatars/${userId}/${randomUUID()}.${type.ext}`;
      const expiresAt = new Date(Date.now() + UPLOAD_TTL_SECONDS * 1000);
      // Forget this user's stale grants so the table does not grow.
      await db.avatarUpload.deleteMany({
        where: { userId, expiresAt: { lt: new Date(Date.now() - CONFIRM_GRACE_MS) } },
      });
      await db.avatarUpload.create({ data: { key, userId, contentType, sizeBytes, expiresAt } });
      const url = await publicClient.presignedPutObject(bucket, key, UPLOAD_TTL_SECONDS);
      return { url, key, contentType, sizeBytes, expiresAt };
    },

    async confirmUpload(userId, key) {
      const grant = AVATAR_KEY.test(key) ? await db.avatarUpload.findUnique({ where: { key } }) : null;
      if (!grant) throw notFound('Avatar upload', AVATAR_KEY.test(key) ? key : '(malformed key)');
      if (grant.userId !== userId) throw forbidden('This upload belongs to someone else');
      if (grant.expiresAt.getTime() + CONFIRM_GRACE_MS < Date.now()) {
        await db.avatarUpload.deleteMany({ where: { key } });
        await removeObject(key);
        throw conflict('This upload has expired; request a new one');
      }
      let stat: { size: number; metaData: Record<string, unknown> };
      try {
        stat = await client.statObject(bucket, key);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'NotFound' || code === 'NoSuchKey') throw badInput('Nothing was uploaded to this key yet', 'key');
        throw err;
      }
      const storedType = String(stat.metaData['content-type'] ?? '').toLowerCase();
      const head =
        stat.size === grant.sizeBytes && storedType === grant.contentType
          ? await readHead(await client.getPartialObject(bucket, key, 0, 16), 16)
          : null;
      const problem =
        stat.size !== grant.sizeBytes
          ? `The uploaded object has ${stat.size} bytes, not the declared ${grant.sizeBytes}`
          : storedType !== grant.contentType
            ? `The uploaded object's Content-Type is '${storedType}', not the declared '${grant.contentType}'`
            : head && !IMAGE_TYPES[grant.contentType]?.matches(head)
              ? `The uploaded bytes are not a ${grant.contentType} image`
              : null;
      if (problem) {
        await db.avatarUpload.deleteMany({ where: { key } });
        await removeObject(key);
        throw badInput(problem, 'key');
      }
      const previous = await db.profile.findUnique({ where: { id: userId }, select: { avatarKey: true } });
      const profile = await db.$transaction(async (tx) => {
        // Consuming the grant makes a second, concurrent confirm of the same key a CONFLICT instead of a double update.
        const { count } = await tx.avatarUpload.deleteMany({ where: { key, userId } });
        if (count === 0) throw conflict('This upload was already confirmed');
        return tx.profile.update({ where: { id: userId }, data: { avatarKey: key } });
      });
      if (previous?.avatarKey && previous.avatarKey !== key) await removeObject(previous.avatarKey);
      return profile;
    },

    async remove(userId) {
      const current = await ensureProfile(db, userId);
      if (!current.avatarKey) return current;
      const profile = await db.profile.update({ where: { id: userId }, data: { avatarKey: null } });
      await removeObject(current.avatarKey);
      return profile;
    },

    url(key, now = new Date()) {
      const signedAt = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
      return publicClient.presignedGetObject(bucket, key, 2 * 3600, {}, signedAt);
    },
  };
}
