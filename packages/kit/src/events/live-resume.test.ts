import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventIterator } from './event-iterator.ts';
import {
  decodeFeedCursor,
  decodeStateCursor,
  encodeFeedCursor,
  encodeStateCursor,
  feedPositionOf,
  RESUME_WINDOW,
  resumeLog,
  resumeState,
} from './live-resume.ts';
import { MemoryEventBus } from './memory-event-bus.ts';
import type { EventBus } from './event-bus.ts';

interface Row {
  id: string;
  createdAt: string;
  n: number;
}
const base = Date.now() - 60_000;
const row = (n: number): Row => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  createdAt: new Date(base + n * 10).toISOString(),
  n,
});
const take = async <T>(it: AsyncIterableIterator<T>, count: number): Promise<T[]> => {
  const out: T[] = [];
  while (out.length < count) out.push((await it.next()).value as T);
  return out;
};

describe('resumeLog', () => {
  it('replays the stored rows, then live ones, dropping live events already replayed, at or before the cursor, or seen twice', async () => {
    const bus: EventBus<{ t: Row }> = new MemoryEventBus<{ t: Row }>();
    const stored = [1, 2, 3, 4].map(row);
    const live = await eventIterator(bus, 't', { bufferSize: 1000 });
    // Published while the replay runs: 3 and 4 are also in the store (committed before it read), 2 is at the cursor.
    const replay = async (after: { at: Date; id: string }, limit: number) => {
      await bus.publish('t', row(3));
      await bus.publish('t', row(2));
      await bus.publish('t', row(4));
      await bus.publish('t', row(5));
      await bus.publish('t', row(5));
      await new Promise((r) => setTimeout(r, 10));
      return stored.filter((r) => new Date(r.createdAt) > after.at).slice(0, limit);
    };
    const events = await resumeLog<Row>({
      live,
      after: decodeFeedCursor(encodeFeedCursor(row(2))),
      replay,
      positionOf: feedPositionOf,
    });
    await bus.publish('t', row(6));
    expect((await take(events, 4)).map((r) => r.n)).toEqual([3, 4, 5, 6]);
    await events.return?.();
  });

  it('is CURSOR_EXPIRED past the window (age or count), BAD_USER_INPUT for anything it did not write', async () => {
    const old = encodeFeedCursor({ createdAt: new Date(Date.now() - RESUME_WINDOW.maxAgeMs - 1000), id: randomUUID() });
    expect(() => decodeFeedCursor(old)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'CURSOR_EXPIRED' }) }),
    );
    for (const bad of [
      '',
      'x',
      Buffer.from('[1,2]').toString('base64url'),
      encodeStateCursor(randomUUID(), new Date(), {}),
    ]) {
      expect(() => decodeFeedCursor(bad)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    }
    const bus: EventBus<{ t: Row }> = new MemoryEventBus<{ t: Row }>();
    const live = await eventIterator(bus, 't');
    const many = Array.from({ length: 11 }, (_, i) => row(i + 1));
    await expect(
      resumeLog<Row>({
        live,
        after: feedPositionOf(row(0)),
        replay: async (_a, limit) => many.slice(0, limit),
        positionOf: feedPositionOf,
        maxEvents: 10,
      }),
    ).rejects.toMatchObject({ extensions: { code: 'CURSOR_EXPIRED' } });
  });
});

describe('resumeState', () => {
  const id = randomUUID();
  const state = (status: string, at: number) => ({ id, status, updatedAt: new Date(base + at).toISOString() });
  type S = ReturnType<typeof state>;
  const cursorOf = (s: S) => encodeStateCursor(s.id, s.updatedAt, s);
  const options = (live: AsyncIterableIterator<S>, after: string | null, current: S) => ({
    live,
    after,
    entityId: id,
    current: async () => current,
    cursorOf,
    updatedAtOf: (s: S) => new Date(s.updatedAt),
  });

  it('delivers the current state first when the client has another one, then newer live states only', async () => {
    const bus: EventBus<{ s: S }> = new MemoryEventBus<{ s: S }>();
    const events = await resumeState<S>(
      options(await eventIterator(bus, 's'), cursorOf(state('STARTING', 1)), state('LIVE', 2)),
    );
    await bus.publish('s', state('LIVE', 2)); // the same state again: dropped
    await bus.publish('s', state('STARTING', 1)); // older: dropped
    await bus.publish('s', state('STOPPED', 3));
    expect((await take(events, 2)).map((s) => s.status)).toEqual(['LIVE', 'STOPPED']);
  });

  it('delivers nothing first when the client has the current state, and refuses a cursor of another entity', async () => {
    const bus: EventBus<{ s: S }> = new MemoryEventBus<{ s: S }>();
    const current = state('LIVE', 2);
    const events = await resumeState<S>(options(await eventIterator(bus, 's'), cursorOf(current), current));
    await bus.publish('s', state('STOPPED', 3));
    expect((await take(events, 1)).map((s) => s.status)).toEqual(['STOPPED']);
    const other = encodeStateCursor(randomUUID(), new Date(), {});
    await expect(resumeState<S>(options(await eventIterator(bus, 's'), other, current))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(() => decodeStateCursor(encodeFeedCursor(row(1)), id)).toThrow();
  });
});
