// The app's session against the real auth service (fresh database, Redis rate limits, NODE_ENV=production, accounts
// signed up as the app does): tokens kept in the secure store, refreshed ahead of expiry, concurrent refreshes
// collapsed into one (a reused refresh token would revoke the session), a refused refresh signs out, an unreachable
// server keeps the session.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness } from '../../../subgraphs/auth/test/harness.ts';
import { SessionStore, sessionFromPayload, type Session } from '../../src/auth/session';
import {
  memoryStorage,
  secureStorage,
  SESSION_KEY,
  type SecureStoreApi,
  type TokenStorage,
} from '../../src/auth/storage-types';
import { createTokenStorage as webStorage } from '../../src/auth/storage.web';
import { signUpAsApp, startProductionAuth, throughGateway } from './auth-service';

let h: Harness;
beforeAll(async () => {
  h = await startProductionAuth();
});
afterAll(async () => h?.close());

/** The Keychain/Keystore as expo-secure-store exposes it, kept in a Map, recording the accessibility asked for. */
function keychain(): SecureStoreApi & { items: Map<string, string>; accessibility: (number | undefined)[] } {
  const items = new Map<string, string>();
  const accessibility: (number | undefined)[] = [];
  return {
    items,
    accessibility,
    getItemAsync: async (k, o) => (accessibility.push(o?.keychainAccessible), items.get(k) ?? null),
    setItemAsync: async (k, v, o) => void (accessibility.push(o?.keychainAccessible), items.set(k, v)),
    deleteItemAsync: async (k, o) => void (accessibility.push(o?.keychainAccessible), items.delete(k)),
  };
}

async function signedIn(
  storage: TokenStorage = memoryStorage(),
): Promise<{ store: SessionStore; calls: () => number; session: Session }> {
  const payload = await signUpAsApp(h, `session-${randomUUID().slice(0, 8)}@example.test`);
  let calls = 0;
  const store = new SessionStore(`${h.url}/graphql`, storage, (...args) => {
    calls += 1;
    return throughGateway(...args);
  });
  const session = sessionFromPayload(payload);
  await store.set(session);
  return { store, calls: () => calls, session };
}

describe('session storage', () => {
  it('keeps the session in the secure store, readable after first unlock and never synced, and moves an old AsyncStorage session there', async () => {
    const chain = keychain();
    const AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY = 1;
    const legacy = new Map([
      [
        'vegshare.session.v1',
        JSON.stringify({
          accessToken: 'a',
          refreshToken: 'r',
          expiresAt: 1,
          user: { id: 'u', email: null, roles: [] },
        }),
      ],
    ]);
    const storage = secureStorage(chain, AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY, {
      getItem: async (k) => legacy.get(k) ?? null,
      removeItem: async (k) => void legacy.delete(k),
    });
    const store = new SessionStore('http://127.0.0.1:9/graphql', storage);
    expect((await store.load())?.accessToken).toBe('a');
    expect(legacy.size).toBe(0);
    expect(chain.items.has(SESSION_KEY)).toBe(true);
    await store.set(null);
    expect(chain.items.size).toBe(0);
    expect(new Set(chain.accessibility)).toEqual(new Set([AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY]));
    expect(storage.persistent).toBe(true);
  });

  it('on the web keeps tokens in memory only and removes any session an older version left in localStorage', async () => {
    const local = new Map([['vegshare.session.v1', '{"accessToken":"old"}']]);
    (globalThis as { localStorage?: unknown }).localStorage = { removeItem: (k: string) => local.delete(k) };
    try {
      const storage = webStorage();
      expect(local.size).toBe(0);
      expect(storage.persistent).toBe(false);
      await storage.set('x');
      expect(await storage.get()).toBe('x');
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });

  it('ignores a stored value that is not a session', async () => {
    const storage = memoryStorage();
    await storage.set('{"accessToken": 1}');
    expect(await new SessionStore('http://x', storage).load()).toBeNull();
  });
});

describe('token refresh against the auth service', () => {
  it('uses the current token while it is fresh, refreshes ahead of expiry and stores the rotated pair', async () => {
    const storage = memoryStorage();
    const { store, calls, session } = await signedIn(storage);
    expect(await store.freshAccessToken()).toBe(session.accessToken);
    expect(calls()).toBe(0);
    const soon = session.expiresAt - 10_000; // inside the 30 s margin
    const token = await store.freshAccessToken(soon);
    expect(token).not.toBe(session.accessToken);
    expect(calls()).toBe(1);
    const stored = JSON.parse((await storage.get())!) as Session;
    expect(stored.accessToken).toBe(token);
    expect(stored.refreshToken).not.toBe(session.refreshToken);
    const me = await h.gql<{ me: { id: string } }>('{ me { id } }', {}, bearer(token!));
    expect(me.body.data?.me.id).toBe(session.user.id);
  });

  it('collapses concurrent refreshes into one request, so the rotating refresh token is never reused', async () => {
    const { store, calls } = await signedIn();
    const results = await Promise.all(Array.from({ length: 6 }, () => store.refresh()));
    expect(calls()).toBe(1);
    expect(new Set(results.map((s) => s?.accessToken)).size).toBe(1);
    // Had the old refresh token been sent twice, the server would have revoked the session: the next refresh works.
    expect(await store.refresh()).not.toBeNull();
    expect(calls()).toBe(2);
  });

  it('signs out when the server refuses the refresh token (session ended elsewhere)', async () => {
    const storage = memoryStorage();
    const { store, session } = await signedIn(storage);
    const seen: (Session | null)[] = [];
    store.subscribe((s) => seen.push(s));
    await h.gql('mutation { logout }', {}, bearer(session.accessToken));
    expect(await store.refresh()).toBeNull();
    expect(store.current).toBeNull();
    expect(await storage.get()).toBeNull();
    expect(seen).toEqual([null]);
  });

  it('keeps the session when the server cannot be reached', async () => {
    const { session } = await signedIn();
    const offline = new SessionStore('http://127.0.0.1:9/graphql', memoryStorage());
    await offline.set(session);
    expect(await offline.refresh()).toEqual(session);
    expect(offline.current).toEqual(session);
  });
});
