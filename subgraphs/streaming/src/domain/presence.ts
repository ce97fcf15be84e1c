import { Redis } from 'ioredis';

/**
 * Who is watching a stream: one sorted set per stream, member = viewer id, score = last seen (ms).
 * A viewer counts while their last heartbeat or playlist request is younger than the TTL.
 */
export interface PresenceStore {
  /** Records a sign of life; `isNew` when the viewer was not counted just before. */
  touch(streamId: string, viewerId: string, now?: number): Promise<{ readonly isNew: boolean }>;
  /** Viewers seen within the TTL. */
  count(streamId: string, now?: number): Promise<number>;
  /** Counts of many streams at once (one round trip on Redis). */
  counts(streamIds: readonly string[], now?: number): Promise<Map<string, number>>;
  /** When any viewer was last seen (ms), or null. */
  lastSeen(streamId: string): Promise<number | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class RedisPresenceStore implements PresenceStore {
  readonly #redis: Redis;

  /**
   * @param ttlMs how long a sign of life counts
   * @param retainMs how long a stream's set outlives its last touch, so `lastSeen` still answers for the idle stop
   */
  constructor(
    url: string,
    private readonly ttlMs: number,
    private readonly prefix: string,
    private readonly retainMs = ttlMs * 2,
  ) {
    this.#redis = new Redis(url, { maxRetriesPerRequest: 3 });
    this.#redis.on('error', () => undefined); // surfaced through /ready and failing commands
  }

  #key(streamId: string): string {
    return `${this.prefix}presence:${streamId}`;
  }

  async touch(streamId: string, viewerId: string, now = Date.now()): Promise<{ isNew: boolean }> {
    const key = this.#key(streamId);
    const results = await this.#redis
      .multi()
      .zremrangebyscore(key, '-inf', now - this.ttlMs)
      .zadd(key, now, viewerId)
      .pexpire(key, Math.ceil(Math.max(this.retainMs, this.ttlMs)))
      .exec();
    const added = results?.[1]?.[1];
    // After the expired members are removed, ZADD returns 1 only for a viewer who was not counted.
    return { isNew: added === 1 };
  }

  async count(streamId: string, now = Date.now()): Promise<number> {
    return this.#redis.zcount(this.#key(streamId), `(${now - this.ttlMs}`, '+inf');
  }

  async counts(streamIds: readonly string[], now = Date.now()): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (streamIds.length === 0) return result;
    const pipeline = this.#redis.pipeline();
    for (const id of streamIds) pipeline.zcount(this.#key(id), `(${now - this.ttlMs}`, '+inf');
    const replies = (await pipeline.exec()) ?? [];
    streamIds.forEach((id, i) => {
      const [error, value] = replies[i] ?? [null, 0];
      if (error) throw error;
      result.set(id, Number(value));
    });
    return result;
  }

  async lastSeen(streamId: string): Promise<number | null> {
    const top = await this.#redis.zrange(this.#key(streamId), '-1', '-1', 'WITHSCORES');
    return top[1] === undefined ? null : Number(top[1]);
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/** In-process presence for the embedded default (no REDIS_URL): same contract, one process only. */
export class MemoryPresenceStore implements PresenceStore {
  readonly #seen = new Map<string, Map<string, number>>();

  constructor(private readonly ttlMs: number) {}

  #live(streamId: string, now: number): Map<string, number> {
    const viewers = this.#seen.get(streamId) ?? new Map<string, number>();
    for (const [viewer, at] of viewers) if (at <= now - this.ttlMs) viewers.delete(viewer);
    if (viewers.size === 0) this.#seen.delete(streamId);
    return viewers;
  }

  async touch(streamId: string, viewerId: string, now = Date.now()): Promise<{ isNew: boolean }> {
    const viewers = this.#live(streamId, now);
    const isNew = !viewers.has(viewerId);
    viewers.set(viewerId, Math.max(now, viewers.get(viewerId) ?? 0));
    this.#seen.set(streamId, viewers);
    return { isNew };
  }

  async count(streamId: string, now = Date.now()): Promise<number> {
    let n = 0;
    for (const at of this.#seen.get(streamId)?.values() ?? []) if (at > now - this.ttlMs) n++;
    return n;
  }

  async counts(streamIds: readonly string[], now = Date.now()): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    for (const id of streamIds) result.set(id, await this.count(id, now));
    return result;
  }

  async lastSeen(streamId: string): Promise<number | null> {
    const values = [...(this.#seen.get(streamId)?.values() ?? [])];
    return values.length ? Math.max(...values) : null;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#seen.clear();
  }
}
