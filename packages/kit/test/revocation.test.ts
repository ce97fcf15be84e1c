import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { MemoryEventBus } from '../src/events/memory-event-bus.ts';
import { topics, type AccessRevoked } from '../src/events/contracts.ts';
import { RevocationView, accessNarrowed } from '../src/revocation/revocation-view.ts';
import { RevocationSync } from '../src/revocation/revocation-sync.ts';
import type { EventBus } from '../src/events/event-bus.ts';
import type { Viewer } from '../src/auth.ts';

const now = Date.parse('2026-06-01T10:00:00Z');
const viewer = (over: Partial<Viewer> = {}): Viewer => ({
  userId: 'u1',
  roles: ['ADMIN'],
  sessionId: 's1',
  scopes: [],
  apiKeyId: null,
  tokenId: 't1',
  issuedAt: now / 1000 - 60,
  ...over,
});
const code = (fn: () => unknown): unknown => {
  try {
    fn();
    return null;
  } catch (error) {
    return (error as { extensions?: Record<string, unknown> }).extensions?.['code'];
  }
};

describe('RevocationView', () => {
  it('refuses ended sessions and revoked keys, and reads older tokens with the current roles', () => {
    let clock = now;
    const view = new RevocationView({ now: () => clock });
    view.apply({ kind: 'SESSIONS_ENDED', userId: 'u1', sessionIds: ['s1'], at: now });
    expect(code(() => view.current(viewer()))).toBe('UNAUTHENTICATED');
    expect(view.current(viewer({ sessionId: 's2' })).roles).toEqual(['ADMIN']);

    view.apply({ kind: 'ROLES_CHANGED', userId: 'u1', roles: ['CUSTOMER'], at: now });
    expect(view.current(viewer({ sessionId: 's2' })).roles).toEqual(['CUSTOMER']);
    // A token issued after the change carries the new roles itself.
    const fresh = viewer({ sessionId: 's3', roles: ['CUSTOMER', 'FARMER'], issuedAt: now / 1000 + 2 });
    expect(view.current(fresh)).toBe(fresh);
    // An older change arriving late does not undo a newer one.
    view.apply({ kind: 'ROLES_CHANGED', userId: 'u1', roles: ['ADMIN'], at: now - 10_000 });
    expect(view.current(viewer({ sessionId: 's2' })).roles).toEqual(['CUSTOMER']);

    // After the longest token lifetime the entries are gone (every token they could affect has expired).
    clock = now + 20 * 60_000;
    view.apply({ kind: 'API_KEY_REVOKED', userId: 'p1', apiKeyId: 'k1', at: clock });
    expect(view.size).toBe(1);
  });

  it('never gives an API-key token roles beyond its own', () => {
    const view = new RevocationView({ now: () => now });
    const key = viewer({ userId: 'p1', roles: ['PARTNER'], sessionId: null, apiKeyId: 'k1' });
    view.apply({ kind: 'ROLES_CHANGED', userId: 'p1', roles: ['PARTNER', 'ADMIN'], at: now });
    expect(view.current(key).roles).toEqual(['PARTNER']);
    view.apply({ kind: 'ROLES_CHANGED', userId: 'p1', roles: ['CUSTOMER'], at: now + 1 });
    expect(view.current(key).roles).toEqual([]);
    view.apply({ kind: 'API_KEY_REVOKED', userId: 'p1', apiKeyId: 'k1', at: now + 2 });
    expect(code(() => view.current(key))).toBe('UNAUTHENTICATED');
  });

  it('refuses a single revoked token (OAuth revocation) and no other token of the same client', () => {
    const view = new RevocationView({ now: () => now });
    const narrowed: boolean[] = [];
    const token = viewer({ userId: 'p1', roles: ['PARTNER'], sessionId: null, apiKeyId: 'c1', tokenId: 'jti-1' });
    view.watch('p1', () => narrowed.push(accessNarrowed(view, token)));
    view.apply({ kind: 'TOKEN_REVOKED', userId: 'p1', tokenId: 'jti-1', at: now });
    expect(code(() => view.current(token))).toBe('UNAUTHENTICATED');
    expect(
      view.current(viewer({ userId: 'p1', roles: ['PARTNER'], sessionId: null, apiKeyId: 'c1', tokenId: 'jti-2' }))
        .userId,
    ).toBe('p1');
    expect(narrowed).toEqual([true]);
  });

  it('refuses every token of a deleted account, user and API-key tokens alike, and tells its watchers', () => {
    const view = new RevocationView({ now: () => now });
    const narrowed: boolean[] = [];
    view.watch('u1', () => narrowed.push(accessNarrowed(view, viewer())));
    view.apply({ kind: 'ACCOUNT_DELETED', userId: 'u1', at: now });
    expect(code(() => view.current(viewer()))).toBe('UNAUTHENTICATED');
    expect(code(() => view.current(viewer({ sessionId: 'another' })))).toBe('UNAUTHENTICATED');
    expect(code(() => view.current(viewer({ sessionId: null, apiKeyId: 'k1', roles: ['PARTNER'] })))).toBe(
      'UNAUTHENTICATED',
    );
    expect(view.current(viewer({ userId: 'u2' })).userId).toBe('u2');
    expect(narrowed).toEqual([true]);
  });

  it('tells watchers of a user, and says when access narrowed', () => {
    const view = new RevocationView({ now: () => now });
    const seen: string[] = [];
    const stop = view.watch('u1', () => seen.push(accessNarrowed(view, viewer()) ? 'narrowed' : 'same'));
    view.apply({ kind: 'ROLES_CHANGED', userId: 'u1', roles: ['ADMIN', 'FARMER'], at: now });
    view.apply({ kind: 'ROLES_CHANGED', userId: 'u1', roles: ['FARMER'], at: now + 1 });
    view.apply({ kind: 'SESSIONS_ENDED', userId: 'u2', sessionIds: ['x'], at: now + 2 });
    stop();
    view.apply({ kind: 'SESSIONS_ENDED', userId: 'u1', sessionIds: ['s1'], at: now + 3 });
    expect(seen).toEqual(['same', 'narrowed']);
  });
});

/** A bus whose connection the test controls, as a Redis bus reports it. */
class FlakyBus extends MemoryEventBus implements EventBus {
  readonly #listeners = new Set<(up: boolean) => void>();
  connected = false;
  onConnectionChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    listener(this.connected);
    return () => this.#listeners.delete(listener);
  }
  set(up: boolean): void {
    this.connected = up;
    for (const l of this.#listeners) l(up);
  }
}

describe('RevocationSync', () => {
  it('applies live events, catches up while the bus is down, and fails closed when neither works', async () => {
    const bus = new FlakyBus();
    const recorded: AccessRevoked[] = [];
    let authUp = true;
    let clock = now;
    const sync = new RevocationSync({
      bus,
      logger: createLogger('test', 'silent'),
      source: {
        changesSince: async () => {
          if (!authUp) throw new Error('auth unreachable');
          return recorded;
        },
      },
      fallbackPollMs: 20,
      maxStaleMs: 1000,
      now: () => clock,
    });
    await sync.start();
    bus.set(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(sync.isCurrent()).toBe(true);

    // Live: an event on the bus is applied at once.
    await bus.publish(topics.accessRevoked, { kind: 'SESSIONS_ENDED', userId: 'u1', sessionIds: ['s1'], at: now });
    await new Promise((r) => setTimeout(r, 5));
    expect(code(() => sync.view.current(viewer()))).toBe('UNAUTHENTICATED');

    // Bus down: a revocation that never travels on it arrives through the catch-up within the poll interval.
    bus.set(false);
    recorded.push({ kind: 'SESSIONS_ENDED', userId: 'u1', sessionIds: ['s9'], at: now });
    await new Promise((r) => setTimeout(r, 100));
    expect(code(() => sync.view.current(viewer({ sessionId: 's9' })))).toBe('UNAUTHENTICATED');

    // Bus down and auth unreachable for longer than maxStale: tokens are refused (503) rather than trusted.
    authUp = false;
    clock = now + 5000;
    expect(code(() => sync.view.current(viewer({ sessionId: 's2' })))).toBe('SERVICE_UNAVAILABLE');
    // Either coming back makes the view current again.
    authUp = true;
    await sync.syncNow();
    expect(sync.view.current(viewer({ sessionId: 's2' })).userId).toBe('u1');
    await sync.stop();
  });
});
