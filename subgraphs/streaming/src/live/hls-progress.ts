import type { LiveHlsProgress } from '@vegshare/kit';

interface Position {
  readonly jobId: string;
  readonly msn: number;
  readonly part: number;
  readonly at: number;
}

interface Waiter {
  readonly msn: number;
  readonly part: number | null;
  readonly resolve: (reached: boolean) => void;
}

/**
 * Whether the playlist at `p` satisfies a blocking reload for (msn, part). Without a part the whole segment must be
 * listed (RFC 8216bis §6.2.5.2), which a position shows only once a later segment's part is: a position at `msn`
 * may be that segment still open. (The last segment of an encoder run therefore waits for the timeout.)
 */
const reached = (p: Position, msn: number, part: number | null): boolean => p.msn > msn || (part !== null && p.msn === msn && p.part >= part);

/**
 * Where each live rendition's playlist stands (from the transcoder's LiveHlsProgress events), and the LL-HLS
 * blocking playlist reloads waiting for it: a request for `_HLS_msn=M&_HLS_part=P` waits until the playlist lists
 * part P of segment M (or, without P, the whole segment M: until a part of a later segment is listed).
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
    if (before && before.jobId === event.jobId && !reached({ ...event, at: 0 }, before.msn, before.part)) return;
    const position = { jobId: event.jobId, msn: event.msn, part: event.part, at: Date.now() };
    this.#positions.set(key, position);
    if (this.#positions.size > 50_000) this.#forgetOldest();
    const waiters = this.#waiters.get(key);
    for (const waiter of waiters ?? []) {
      if (!reached(position, waiter.msn, waiter.part)) continue;
      waiters?.delete(waiter);
      waiter.resolve(true);
    }
  }

  #forgetOldest(): void {
    const cutoff = Date.now() - 60_000;
    for (const [key, p] of this.#positions) if (p.at < cutoff && !this.#waiters.get(key)?.size) this.#positions.delete(key);
  }

  position(streamId: string, rendition: string): Position | null {
    return this.#positions.get(this.#key(streamId, rendition)) ?? null;
  }

  /** Resolves true once the rendition reaches (msn, part), false after `timeoutMs`. */
  waitFor(streamId: string, rendition: string, msn: number, part: number | null, timeoutMs: number): Promise<boolean> {
    const key = this.#key(streamId, rendition);
    const now = this.#positions.get(key);
    if (now && reached(now, msn, part)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const set = this.#waiters.get(key) ?? new Set<Waiter>();
      this.#waiters.set(key, set);
      const waiter: Waiter = {
        msn,
        part,
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
