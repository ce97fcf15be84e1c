/** Where the session (access and refresh token) is kept between app starts. */
export interface TokenStorage {
  /** Whether sessions survive a restart (false on the web, where tokens live in memory only). */
  readonly persistent: boolean;
  get(): Promise<string | null>;
  set(value: string): Promise<void>;
  remove(): Promise<void>;
}

/** Memory only: gone with the page or process. */
export function memoryStorage(): TokenStorage {
  let value: string | null = null;
  return {
    persistent: false,
    get: async () => value,
    set: async (v) => {
      value = v;
    },
    remove: async () => {
      value = null;
    },
  };
}

/** The parts of expo-secure-store the app uses (the Keychain on iOS, the Keystore on Android). */
export interface SecureStoreApi {
  getItemAsync(key: string, options?: { keychainAccessible?: number }): Promise<string | null>;
  setItemAsync(key: string, value: string, options?: { keychainAccessible?: number }): Promise<void>;
  deleteItemAsync(key: string, options?: { keychainAccessible?: number }): Promise<void>;
}

export const SESSION_KEY = 'vegshare.session.v2';
/** The device tokens of accounts that signed in on this device (kept across sign-outs; see device-tokens.ts). */
export const DEVICE_TOKENS_KEY = 'vegshare.device-tokens.v1';

/**
 * The session in the device's secure store, readable after the first unlock (so a background refresh works) and never
 * backed up to another device. `legacy` is the AsyncStorage of earlier versions: a session found there is moved.
 */
export function secureStorage(
  store: SecureStoreApi,
  keychainAccessible: number,
  legacy?: { getItem(k: string): Promise<string | null>; removeItem(k: string): Promise<void> },
  key = SESSION_KEY,
): TokenStorage {
  const options = { keychainAccessible };
  return {
    persistent: true,
    async get() {
      const value = await store.getItemAsync(key, options);
      if (value || !legacy) return value;
      const old = await legacy.getItem('vegshare.session.v1');
      if (!old) return null;
      await store.setItemAsync(key, old, options);
      await legacy.removeItem('vegshare.session.v1');
      return old;
    },
    set: (value) => store.setItemAsync(key, value, options),
    remove: () => store.deleteItemAsync(key, options),
  };
}
