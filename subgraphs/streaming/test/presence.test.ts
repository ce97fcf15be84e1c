import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryPresenceStore, RedisPresenceStore, type PresenceStore } from '../src/domain/presence.ts';
import { REDIS_URL } from './harness.ts';

const TTL = 30_000;
const stores: PresenceStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

const implementations: [string, () => PresenceStore][] = [
  ['redis', () => new RedisPresenceStore(REDIS_URL, TTL, `test:${randomBytes(6).toString('hex')}:`)],
  ['memory', () => new MemoryPresenceStore(TTL)],
];

describe.each(implementations)('%s presence store', (_name, make) => {
  const store = make();
  stores.push(store);

  it('counts each viewer once while their last sign of life is younger than the TTL', async () => {
    const stream = randomUUID();
    const t0 = 1_800_000_000_000;
    expect(await store.touch(stream, 'a', t0)).toEqual({ isNew: true });
    expect(await store.touch(stream, 'a', t0 + 1000)).toEqual({ isNew: false });
    expect(await store.touch(stream, 'b', t0 + 2000)).toEqual({ isNew: true });
    expect(await store.count(stream, t0 + 2000)).toBe(2);
    expect(await store.count(stream, t0 + 1000 + TTL)).toBe(1); // a expired, b not yet
    expect(await store.count(stream, t0 + 2000 + TTL)).toBe(0);
    expect(await store.lastSeen(stream)).toBe(t0 + 2000);
    // A viewer coming back after expiring counts as new again.
    expect(await store.touch(stream, 'a', t0 + 5000 + TTL)).toEqual({ isNew: true });
    expect(await store.counts([stream, randomUUID()], t0 + 5000 + TTL)).toEqual(
      new Map([
        [stream, 1],
        [expect.any(String), 0],
      ]),
    );
    expect(await store.lastSeen(randomUUID())).toBeNull();
  });

  it('agrees with a simple model for any sequence of heartbeats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('u1', 'u2', 'u3', 'anon:x'), fc.integer({ min: 0, max: 90_000 })), {
          minLength: 1,
          maxLength: 15,
        }),
        async (beats) => {
          const stream = randomUUID();
          const t0 = 1_800_000_000_000;
          const model = new Map<string, number>();
          let now = t0;
          for (const [viewer, step] of beats) {
            now += step;
            const wasCounted = (model.get(viewer) ?? -Infinity) > now - TTL;
            expect((await store.touch(stream, viewer, now)).isNew).toBe(!wasCounted);
            model.set(viewer, now);
            expect(await store.count(stream, now)).toBe([...model.values()].filter((at) => at > now - TTL).length);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('redis presence retention', () => {
  it('keeps last-seen after every viewer expired, for as long as the idle stop needs it', async () => {
    const store = new RedisPresenceStore(REDIS_URL, 100, `test:${randomBytes(6).toString('hex')}:`, 5_000);
    stores.push(store);
    const stream = randomUUID();
    const at = Date.now();
    await store.touch(stream, 'viewer', at);
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.count(stream)).toBe(0);
    expect(await store.lastSeen(stream)).toBe(at);
  });
});
