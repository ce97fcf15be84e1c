import type { PersistedQueryOptions } from '@apollo/server';
import { Redis } from 'ioredis';
import type { Logger } from '@vegshare/kit/gateway';

/** Apollo's KeyValueCache (get, set with a TTL in seconds, delete), the type `persistedQueries.cache` takes. */
export type ApqCache = NonNullable<PersistedQueryOptions['cache']>;

export interface RedisApqCacheOptions {
  readonly url: string;
  /** Prepended to every key (Apollo adds its own `apq:` before the hash). Replicas that share entries use the same. */
  readonly keyPrefix: string;
  readonly logger: Logger;
}

/**
 * Automatic persisted queries shared by every gateway replica through Redis. Redis trouble never fails a request: a
 * failed read is a miss (the client then sends the full text, as with any unknown hash) and a failed write is logged.
 */
export function redisApqCache(options: RedisApqCacheOptions): { readonly cache: ApqCache; close(): Promise<void> } {
  const redis = new Redis(options.url, { maxRetriesPerRequest: 1, commandTimeout: 1000 });
  // ioredis reconnects by itself; without a listener its connection errors would be unhandled 'error' events.
  redis.on('error', (err: Error) => options.logger.warn({ err }, 'APQ cache: Redis unavailable'));
  const key = (k: string): string => options.keyPrefix + k;
  const cache: ApqCache = {
    async get(k) {
      try {
        return (await redis.get(key(k))) ?? undefined;
      } catch (err) {
        options.logger.warn({ err }, 'APQ cache read failed; treated as a miss');
        return undefined;
      }
    },
    async set(k, value, setOptions) {
      const ttl = setOptions?.ttl;
      // Apollo's contract: ttl in seconds; null or absent means no expiry.
      if (typeof ttl === 'number' && ttl > 0) await redis.set(key(k), value, 'EX', Math.ceil(ttl));
      else await redis.set(key(k), value);
    },
    async delete(k) {
      return (await redis.del(key(k))) > 0;
    },
  };
  return {
    cache,
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
