import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Logs a Redis connection's outages once each: the first error as a warning, the retries (ioredis reconnects every
 * few hundred ms to 2 s) at debug, and its return once as info.
 */
export function logRedisOutages(redis: Redis, logger: Logger, what: string): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return logger.debug({ err }, `${what}: Redis still unreachable`);
    down = true;
    logger.warn({ err }, `${what}: Redis unreachable; reconnecting`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info(`${what}: Redis is back`);
  });
}
