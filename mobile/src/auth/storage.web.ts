import { memoryStorage, type TokenStorage } from './storage-types';

/**
 * The web: tokens live in memory only, never in localStorage or sessionStorage where any script on the page could read
 * them; reloading the page signs out. A session left in localStorage by earlier versions is deleted.
 */
export function createTokenStorage(): TokenStorage {
  try {
    globalThis.localStorage?.removeItem('vegshare.session.v1');
  } catch {
    // storage disabled
  }
  return memoryStorage();
}

/** The web: device tokens in memory too (a reload forgets them, like the session). */
export function createDeviceTokenStorage(): TokenStorage {
  return memoryStorage();
}
