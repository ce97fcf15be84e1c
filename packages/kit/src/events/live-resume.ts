import { createHash } from 'node:crypto';
import { badInput, domainError, ErrorCode } from '../errors.ts';

/**
 * Resumable live subscriptions: every event a live subscription delivers carries an opaque `cursor`; a client that
 * reconnects passes its last one as `after` and first receives what it missed, then live events — in order, no
 * duplicates, no gap at the hand-over.
 *
 * Two kinds of feeds:
 * - **logs** (plot activity, notifications): rows positioned by (createdAt, id), the same position — and the same
 *   cursor — as the edges of the matching list query, so `after` may also be the newest edge's cursor of that list.
 *   What was missed is replayed from the stored rows, at most `RESUME_WINDOW` back.
 * - **states** (stream status, transcode job): only the latest state matters. The cursor names the entity and a
 *   version of its state (update time + digest); on resume the current state is delivered first unless it is exactly
 *   the one the client last saw. No window: the latest state is always available.
 */

/** How far back a log feed replays: a cursor older than this, or more missed rows than this, is CURSOR_EXPIRED. */
export const RESUME_WINDOW = { maxAgeMs: 24 * 60 * 60 * 1000, maxEvents: 500 } as const;

export const cursorExpired = (message: string) => domainError(ErrorCode.CURSOR_EXPIRED, message, { field: 'after' });

/** Position of a row in a log feed: its creation time and id (ties broken by id). */
export interface FeedPosition {
  readonly at: Date;
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** `[createdAt ISO, id]`, base64url: the list edges' cursor format of the farm and user subgraphs. */
export function encodeFeedCursor(position: { readonly createdAt: Date | string; readonly id: string }): string {
  return Buffer.from(JSON.stringify([new Date(position.createdAt).toISOString(), position.id])).toString('base64url');
}

export const feedPositionOf = (row: { readonly createdAt: Date | string; readonly id: string }): FeedPosition => ({
  at: new Date(row.createdAt),
  id: row.id.toLowerCase(),
});

function parseCursor(after: string): unknown {
  if (after.length > 400) return null;
  try {
    return JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

/** BAD_USER_INPUT unless `after` is a log cursor we wrote; CURSOR_EXPIRED when it is older than the window. */
export function decodeFeedCursor(after: string, now = Date.now()): FeedPosition {
  const value = parseCursor(after);
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    typeof value[0] !== 'string' ||
    !ISO.test(value[0]) ||
    typeof value[1] !== 'string' ||
    !UUID.test(value[1])
  ) {
    throw badInput('after: not a cursor of this subscription', 'after');
  }
  const at = new Date(value[0]);
  if (Number.isNaN(at.getTime())) throw badInput('after: not a cursor of this subscription', 'after');
  if (now - at.getTime() > RESUME_WINDOW.maxAgeMs)
    throw cursorExpired(
      'after: this cursor is older than the resume window (24 h); load the list again and subscribe without it',
    );
  return { at, id: value[1].toLowerCase() };
}

const comparePositions = (a: FeedPosition, b: FeedPosition): number =>
  a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A state's version: `[entityId, updatedAt ISO, digest of the state]`, base64url. */
export function encodeStateCursor(entityId: string, updatedAt: Date | string, state: unknown): string {
  return Buffer.from(
    JSON.stringify([entityId.toLowerCase(), new Date(updatedAt).toISOString(), stateDigest(state)]),
  ).toString('base64url');
}

/** BAD_USER_INPUT unless `after` is a state cursor we wrote for this entity (a cursor of another entity never resumes). */
export function decodeStateCursor(after: string, entityId: string): { readonly at: Date; readonly cursor: string } {
  const value = parseCursor(after);
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    value[0] !== entityId.toLowerCase() ||
    typeof value[1] !== 'string' ||
    !ISO.test(value[1]) ||
    typeof value[2] !== 'string' ||
    !/^[A-Za-z0-9_-]{16}$/.test(value[2])
  ) {
    throw badInput('after: not a cursor of this subscription', 'after');
  }
  return { at: new Date(value[1]), cursor: after };
}

/** Digest of a JSON-able state with sorted keys (dates as ISO strings), so a row and its event payload agree. */
function stateDigest(state: unknown): string {
  return createHash('sha256').update(canonical(state)).digest('base64url').slice(0, 16);
}

function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export interface ResumeLogOptions<T> {
  /** The live events, subscribed BEFORE this is called (they buffer while the replay runs). */
  readonly live: AsyncIterableIterator<T>;
  readonly after: FeedPosition;
  /**
   * The stored rows after `after` the subscriber may see, oldest first, at most `limit` of them (same scope and
   * authorization as the live topic).
   */
  readonly replay: (after: FeedPosition, limit: number) => Promise<readonly T[]>;
  readonly positionOf: (event: T) => FeedPosition;
  readonly maxEvents?: number;
}

/**
 * Missed rows first, then the live events: a live event at or before the last replayed position (or `after`) was
 * either replayed or already seen by the client, so it is dropped, as is any id delivered before (a re-published
 * event). Throws CURSOR_EXPIRED when more than `maxEvents` rows were missed.
 */
export async function resumeLog<T>(options: ResumeLogOptions<T>): Promise<AsyncIterableIterator<T>> {
  const maxEvents = options.maxEvents ?? RESUME_WINDOW.maxEvents;
  let missed: readonly T[];
  try {
    missed = await options.replay(options.after, maxEvents + 1);
  } catch (error) {
    await options.live.return?.();
    throw error;
  }
  if (missed.length > maxEvents) {
    await options.live.return?.();
    throw cursorExpired(
      `after: more than ${maxEvents} events were missed; load the list again and subscribe without it`,
    );
  }
  const queue = [...missed];
  let mark = missed.length > 0 ? options.positionOf(missed[missed.length - 1] as T) : options.after;
  const seen = new Set<string>(missed.map((e) => options.positionOf(e).id));
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      const replayed = queue.shift();
      if (replayed !== undefined) return { value: replayed, done: false };
      for (;;) {
        const result = await options.live.next();
        if (result.done) return result;
        const position = options.positionOf(result.value);
        if (seen.has(position.id) || comparePositions(position, mark) <= 0) continue;
        seen.add(position.id);
        if (seen.size > 2 * maxEvents) seen.delete(seen.values().next().value as string);
        mark = position;
        return result;
      }
    },
    async return() {
      queue.length = 0;
      await options.live.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

export interface ResumeStateOptions<T> {
  readonly live: AsyncIterableIterator<T>;
  /** The client's last cursor (checked with decodeStateCursor against `entityId`), or null/undefined for a first subscription. */
  readonly after: string | null | undefined;
  readonly entityId: string;
  /** The entity's current state, read AFTER subscribing (null when it is gone). */
  readonly current: () => Promise<T | null>;
  readonly cursorOf: (state: T) => string;
  readonly updatedAtOf: (state: T) => Date;
}

/**
 * State feeds: with `after`, the current state first unless it is the one the client has; then live states, dropping
 * any older than the last delivered one and exact repeats of it. Without `after`, live states only (as before).
 */
export async function resumeState<T>(options: ResumeStateOptions<T>): Promise<AsyncIterableIterator<T>> {
  if (options.after === null || options.after === undefined) return options.live;
  let current: T | null;
  let after: { readonly at: Date; readonly cursor: string };
  try {
    after = decodeStateCursor(options.after, options.entityId);
    current = await options.current();
  } catch (error) {
    await options.live.return?.();
    throw error;
  }
  let pending: T | null = current && options.cursorOf(current) !== after.cursor ? current : null;
  let lastCursor = current ? options.cursorOf(current) : after.cursor;
  let lastAt = current ? options.updatedAtOf(current).getTime() : after.at.getTime();
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (pending !== null) {
        const value = pending;
        pending = null;
        return { value, done: false };
      }
      for (;;) {
        const result = await options.live.next();
        if (result.done) return result;
        const at = options.updatedAtOf(result.value).getTime();
        const cursor = options.cursorOf(result.value);
        if (at < lastAt || cursor === lastCursor) continue;
        lastAt = at;
        lastCursor = cursor;
        return result;
      }
    },
    async return() {
      pending = null;
      await options.live.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
