import type { LiveHlsProgress } from '@vegshare/kit';

export interface Position {
  readonly jobId: string;
  readonly msn: number;
  readonly part: number;
  readonly partId: number;
  readonly at: number;
}

interface Waiter {
  readonly ready: (p: Position) => boolean;
  readonly resolve: (reached: boolean) => void;
}

/**
 * The playlist lists part `part` of segment `msn`, or — without a part — the whole segment `msn` (RFC 8216bis
 * 6.2.5.2), which a position shows only once a later segment's part is listed (a position at `msn` may be that
 * segment still open; the last segment of an encoder run therefore waits for the timeout).
 */
export const reachedMsn =
  (msn: number, part: number | null) =>
  (p: Position): boolean =>
    p.msn > msn || (part !== null && p.msn === msn && p.part >= part);
/** Part `partId` (and everything before it) is in S3. */
export const reachedPart =
  (partId: number) =>
  (p: Position): boolean =>
    p.partId >= partId;

/**
 * Where each live rendition's playlist stands (from the transcoder's LiveHlsProgress events), and the requests waiting
 * for it to move on: LL-HLS blocking playlist reloads (`_HLS_msn`, `_HLS_part`) and requests for a preload-hinted part
 * that does not exist yet.
 */
export class HlsProgressBoard {
  readonly #positions = new Map<string, Position>();
  readonly #waiters = new Map<string, Set<Waiter>>();

  #key(streamId: string, rendition: string): string {
    return `${streamId}/${rendition}`;
  }

  update(event: LiveHlsProgress): void {
    const key = this.#key(event.streamId, event.rendition);
    const before = this.#positions.get(key);
    // A new session (job) restarts the numbering; within one, positions only move forward.
    if (before && before.jobId === event.jobId && event.partId < before.partId) return;
    const position: Position = {
      jobId: event.jobId,
      msn: event.msn,
      part: event.part,
      partId: event.partId,
      at: Date.now(),
    };
    this.#positions.set(key, position);
    if (this.#positions.size > 50_000) this.#forgetOldest();
    const waiters = this.#waiters.get(key);
    for (const waiter of waiters ?? []) {
      if (!waiter.ready(position)) continue;
      waiters?.delete(waiter);
      waiter.resolve(true);
    }
  }

  #forgetOldest(): void {
    const cutoff = Date.now() - 60_000;
    for (const [key, p] of this.#positions)
      if (p.at < cutoff && !this.#waiters.get(key)?.size) this.#positions.delete(key);
  }

  position(streamId: string, rendition: string): Position | null {
    return this.#positions.get(this.#key(streamId, rendition)) ?? null;
  }

  /** Resolves true once the rendition's position satisfies `ready`, false after `timeoutMs`. */
  waitUntil(streamId: string, rendition: string, ready: (p: Position) => boolean, timeoutMs: number): Promise<boolean> {
    const key = this.#key(streamId, rendition);
    const now = this.#positions.get(key);
    if (now && ready(now)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.#waiters.get(key) ?? new Set<Waiter>();
      this.#waiters.set(key, set);
      const waiter: Waiter = {
        ready,
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => {
        set.delete(waiter);
        if (!set.size) this.#waiters.delete(key);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      set.add(waiter);
    });
  }

  /** Requests waiting now (a gauge). */
  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }
}
