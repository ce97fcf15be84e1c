import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { ServiceMetrics } from './metrics.ts';

/** The limiter operations rate-limiter-flexible hands to an `insuranceLimiter` when its store fails. */
const OPERATIONS = ['consume', 'penalty', 'reward', 'get', 'set', 'block', 'delete'] as const;

/**
 * Rate limits that survive a Redis outage: each Redis limiter gets an in-memory `insuranceLimiter` (rate-limiter-flexible
 * sends every operation there while Redis fails), wrapped by `insure` so that each fallback is counted
 * (`rate_limit_fallback_total{limiter}`), the degraded state is exported (`rate_limit_degraded` 1/0) and logged once
 * when it begins and once when Redis is back. Limits then hold per replica (N replicas let N× through) instead of
 * refusing every request; counts made in memory are not copied to Redis when it returns.
 */
export class RateLimitFallback {
  readonly #logger: Logger;
  readonly #fallbacks;
  readonly #degraded;
  #isDegraded = false;

  constructor(redis: Redis, logger: Logger, metrics: ServiceMetrics) {
    this.#logger = logger;
    this.#fallbacks = metrics.counter(
      'rate_limit_fallback_total',
      'Rate-limit operations served from process memory because Redis failed',
      ['limiter'],
    );
    this.#degraded = metrics.gauge(
      'rate_limit_degraded',
      '1 while rate limits fall back to per-replica memory (Redis unreachable)',
    );
    this.#degraded.set(0);
    redis.on('ready', () => this.#recovered());
  }

  get degraded(): boolean {
    return this.#isDegraded;
  }

  /** Returns `memoryLimiter` with every operation reported as a fallback of `name`; pass it as `insuranceLimiter`. */
  insure<L extends object>(memoryLimiter: L, name: string): L {
    const target = memoryLimiter as unknown as Record<string, unknown>;
    for (const operation of OPERATIONS) {
      const original = target[operation];
      if (typeof original !== 'function') continue;
      target[operation] = (...args: unknown[]): unknown => {
        this.#fellBack(name);
        return (original as (...a: unknown[]) => unknown).apply(memoryLimiter, args);
      };
    }
    return memoryLimiter;
  }

  /**
   * Redis could not be reached when the service started: degraded from now on (not only from the first limited
   * request), so the metric and its alert show it at once. ioredis keeps reconnecting; 'ready' ends it.
   */
  unreachableAtStart(err: unknown): void {
    this.#degrade({ err });
  }

  #fellBack(name: string): void {
    this.#fallbacks.inc({ limiter: name });
    this.#degrade({ limiter: name });
  }

  #degrade(detail: Record<string, unknown>): void {
    if (this.#isDegraded) return;
    this.#isDegraded = true;
    this.#degraded.set(1);
    this.#logger.error(detail, 'Redis unreachable: rate limits degraded to per-replica memory until it is back');
  }

  #recovered(): void {
    if (!this.#isDegraded) return;
    this.#isDegraded = false;
    this.#degraded.set(0);
    this.#logger.info('Redis is back: rate limits shared through Redis again');
  }
}

/**
 * One limiter of `points` per `duration` seconds under `keyPrefix`: in Redis (shared by every replica) when `redis` is
 * given — a down Redis answers at once (`rejectIfRedisNotReady`, no offline queue) and the call goes to the in-memory
 * insurance that `fallback` counts — else in process memory.
 */
export function sharedRateLimiter(options: {
  redis: Redis | null;
  fallback: RateLimitFallback | null;
  name: string;
  keyPrefix: string;
  points: number;
  duration: number;
}): RateLimiterAbstract {
  const { redis, fallback, name, keyPrefix, points, duration } = options;
  const memory = (): RateLimiterMemory => new RateLimiterMemory({ keyPrefix, points, duration });
  if (!redis) return memory();
  const insuranceLimiter = fallback?.insure(memory(), name);
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points,
    duration,
    rejectIfRedisNotReady: true,
    ...(insuranceLimiter ? { insuranceLimiter } : {}),
  });
}
