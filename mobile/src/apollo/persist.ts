import { CachePersistor } from 'apollo3-cache-persist';
import type { InMemoryCache } from '@apollo/client';

/** Key-value storage for the persisted cache (AsyncStorage on devices, any Map-like store in tests). */
export interface CacheStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export const cacheKey = (userId: string): string => `vegshare.cache.v1.${userId}`;
/** Larger caches are not written (apollo3-cache-persist drops the write and keeps the previous one). */
export const MAX_CACHE_BYTES = 2 * 1024 * 1024;

export interface CachePersistence {
  /** Loads what was saved for this user into the cache (call before the first query renders). */
  restore(): Promise<void>;
  /** Deletes this user's saved cache and stops saving (sign-out, account deletion). */
  purge(): Promise<void>;
}

/**
 * The Apollo cache saved per user (a key per user id), debounced after writes, so a cold start without a network
 * shows the last data. Signing out purges it; another user on the same device never sees it.
 */
export function persistCache(
  cache: InMemoryCache,
  storage: CacheStorage,
  userId: string,
  debounceMs = 1000,
): CachePersistence {
  const persistor = new CachePersistor<string>({
    cache: cache as never,
    storage,
    key: cacheKey(userId),
    maxSize: MAX_CACHE_BYTES,
    debounce: debounceMs,
    trigger: 'write',
  });
  return {
    restore: () => persistor.restore(),
    async purge() {
      persistor.pause();
      await persistor.purge();
      persistor.remove();
    },
  };
}
