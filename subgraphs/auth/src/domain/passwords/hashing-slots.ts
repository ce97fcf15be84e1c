import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import { domainError, ErrorCode, type ServiceMetrics } from '@vegshare/kit';
import type { DefaultPasswordHasher } from './hasher.ts';

export interface HashingLimits {
  /** Hashes computed at once (PASSWORD_HASH_CONCURRENCY): one per core the process may use. */
  readonly concurrency: number;
  /** Hashes that may wait for a slot (PASSWORD_HASH_QUEUE); past that the request is refused, not queued. */
  readonly maxWaiting: number;
}

interface HashingLoad {
  readonly running: number;
  readonly waiting: number;
}

/** The default hasher behind a fixed number of slots, and what it is doing now. */
export interface SlottedHasher extends DefaultPasswordHasher {
  load(): HashingLoad;
}

/**
 * Runs at most `concurrency` hashes and verifications at once; the rest wait in order, at most `maxWaiting` of them.
 *
 * argon2 runs on libuv's thread pool (4 threads by default) with 19 MiB per hash: with more hashes in flight than
 * cores, the threads take turns on the cores and evict each other's memory from the caches, so every hash costs more
 * CPU (bench:auth: about 10 % more CPU per verification with 4–5 in flight than with one per core on 2 cores, and
 * fewer sign-ins per second). One hash per core keeps them apart and leaves the pool's other threads to everything else
 * that uses it. A sign-in storm past the queue is refused at once with SERVICE_UNAVAILABLE and a `retryAfter`
 * estimated from the queue, rather than holding requests for ever-longer waits.
 */
export function slottedHasher(
  hasher: DefaultPasswordHasher,
  limits: HashingLimits,
  metrics?: ServiceMetrics,
): SlottedHasher {
  const limit = pLimit(limits.concurrency);
  const instruments = metrics ? hashingMetrics(metrics) : null;
  /** Duration of the last finished hash (ms): what the next `retryAfter` is estimated from. */
  let lastMs = 0;
  const run = <T>(work: () => Promise<T>): Promise<T> => {
    if (limit.activeCount >= limits.concurrency && limit.pendingCount >= limits.maxWaiting) {
      instruments?.refused.inc();
      const queueSeconds = ((limit.pendingCount + limit.activeCount) / limits.concurrency) * (lastMs / 1000);
      return Promise.reject(
        domainError(ErrorCode.SERVICE_UNAVAILABLE, 'Password checks are busy; try again in a moment', {
          retryAfter: Math.max(1, Math.ceil(queueSeconds)),
        }),
      );
    }
    instruments?.hashes.inc({ state: 'waiting' });
    return limit(async () => {
      instruments?.hashes.dec({ state: 'waiting' });
      instruments?.hashes.inc({ state: 'running' });
      const started = performance.now();
      try {
        return await work();
      } finally {
        lastMs = performance.now() - started;
        instruments?.hashes.dec({ state: 'running' });
      }
    });
  };
  return {
    id: hasher.id,
    recognizes: (hash) => hasher.recognizes(hash),
    needsRehash: (hash) => hasher.needsRehash(hash),
    hash: (password) => run(() => hasher.hash(password)),
    verify: (hash, password) => run(() => hasher.verify(hash, password)),
    load: () => ({ running: limit.activeCount, waiting: limit.pendingCount }),
  };
}

type Gauge = ReturnType<ServiceMetrics['gauge']>;
type Counter = ReturnType<ServiceMetrics['counter']>;

function hashingMetrics(metrics: ServiceMetrics): { hashes: Gauge; refused: Counter } {
  return {
    hashes: metrics.gauge('password_hashes', 'Password hashes and verifications running or waiting for a slot', [
      'state',
    ]),
    refused: metrics.counter(
      'password_hashes_refused_total',
      'Password hashes refused because every slot was busy and the queue full (the request got SERVICE_UNAVAILABLE)',
    ),
  };
}
