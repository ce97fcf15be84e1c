import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Who has a live in-app session: a user with an open `notificationAdded` subscription on any replica received a new
 * notification already, so it is not pushed to their devices as well.
 */
export interface Presence {
  /** Marks the user online until the returned function is called. */
  enter(userId: string): () => void;
  isOnline(userId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** One process: a count per user. */
export function memoryPresence(): Presence {
  const counts = new Map<string, number>();
  return {
    enter(userId) {
      counts.set(userId, (counts.get(userId) ?? 0) + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const n = (counts.get(userId) ?? 1) - 1;
        if (n <= 0) counts.delete(userId);
        else counts.set(userId, n);
      };
    },
    isOnline: async (userId) => (counts.get(userId) ?? 0) > 0,
    close: async () => counts.clear(),
  };
}

/**
 * Every replica: one sorted set per user (`<prefix>presence:<userId>`), one member per open subscription, scored with
 * the instant it expires. Members are refreshed every `ttlMs / 3`, so a replica that dies stops counting within
 * `ttlMs`; online = a member whose expiry is still ahead.
 */
export function redisPresence(
  redis: Redis,
  logger: Logger,
  options: { prefix?: string; ttlMs?: number } = {},
): Presence {
  const prefix = options.prefix ?? 'vegshare:user:';
  const ttlMs = options.ttlMs ?? 30_000;
  const open = new Map<string, string>(); // member → userId
  const key = (userId: string) => `${prefix}presence:${userId}`;
  const touch = async (userId: string, member: string) => {
    const now = Date.now();
    await redis
      .multi()
      .zadd(key(userId), now + ttlMs, member)
      .zremrangebyscore(key(userId), '-inf', now)
      .pexpire(key(userId), ttlMs * 2)
      .exec();
  };
  const refresh = setInterval(
    () => {
      for (const [member, userId] of open)
        touch(userId, member).catch((err: unknown) => logger.warn({ err }, 'presence refresh failed'));
    },
    Math.max(1_000, Math.floor(ttlMs / 3)),
  );
  refresh.unref();
  return {
    enter(userId) {
      const member = randomUUID();
      open.set(member, userId);
      touch(userId, member).catch((err: unknown) => logger.warn({ err }, 'presence update failed'));
      return () => {
        if (!open.delete(member)) return;
        redis.zrem(key(userId), member).catch((err: unknown) => logger.warn({ err }, 'presence update failed'));
      };
    },
    async isOnline(userId) {
      try {
        return (await redis.zcount(key(userId), Date.now(), '+inf')) > 0;
      } catch (err) {
        // Unknown: pushing once too often beats a notification never seen.
        logger.warn({ err }, 'presence lookup failed; treating the user as offline');
        return false;
      }
    },
    async close() {
      clearInterval(refresh);
      const pending = [...open].map(([member, userId]) => redis.zrem(key(userId), member).catch(() => 0));
      open.clear();
      await Promise.all(pending);
    },
  };
}
