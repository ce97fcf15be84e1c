import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface GatewayRateLimits {
  /** Counts one request for a partner key (by hash); throws RATE_LIMITED (HTTP 429) past the limit. */
  consumeApiKey(keyHash: string): Promise<void>;
  close(): Promise<void>;
}

/** Per-API-key limits, shared by all gateway replicas through Redis when REDIS_URL is set. */
export function createRateLimits(options: { redisUrl: string | undefined; perKeyPerMinute: number }): GatewayRateLimits {
  const redis = options.redisUrl ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : null;
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix: 'vegshare:gw:apikey', points: options.perKeyPerMinute, duration: 60, insuranceLimiter: new RateLimiterMemory({ points: options.perKeyPerMinute, duration: 60 }) })
    : new RateLimiterMemory({ keyPrefix: 'apikey', points: options.perKeyPerMinute, duration: 60 });
  return {
    async consumeApiKey(keyHash) {
      try {
        await limiter.consume(keyHash);
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          const retryAfter = Math.ceil(error.msBeforeNext / 1000);
          throw new GraphQLError('Rate limit exceeded for this API key', {
            extensions: { code: 'RATE_LIMITED', retryAfter, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
          });
        }
        throw error;
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
