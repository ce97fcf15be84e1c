import type { Logger } from 'pino';
import type { EventBus } from './event-bus.ts';
import { MemoryEventBus } from './memory-event-bus.ts';
import { RedisEventBus } from './redis-event-bus.ts';

/**
 * Redis pub/sub when REDIS_URL is set (any number of replicas; channels under `prefix`, EVENT_PREFIX), otherwise the
 * in-process bus of the embedded default.
 */
export function eventBusFromConfig(redisUrl: string | undefined, logger: Logger, prefix: string): EventBus {
  return redisUrl ? new RedisEventBus(redisUrl, logger, prefix) : new MemoryEventBus();
}
