import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitFallback, sharedRateLimiter, type Logger, type ServiceMetrics } from '@vegshare/kit/gateway';

export interface GatewayRateLimits {
  /** Counts one request for a partner key (by hash); throws RATE_LIMITED (HTTP 429) past the limit. */
  consumeApiKey(keyHash: string): Promise<void>;
  /** Counts one request for a partner OAuth client (the `akid` of its client_credentials token), with the same limit. */
  consumeOAuthClient(clientId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Per-credential limits for partners — API keys and OAuth clients alike, each its own bucket of `perKeyPerMinute` —
 * shared by all gateway replicas through Redis when REDIS_URL is set; while Redis fails, per replica in memory
 * (counted in `rate_limit_fallback_total`, `rate_limit_degraded` and logged) rather than refusing partners.
 */
export function createRateLimits(options: {
  redisUrl: string | undefined;
  perKeyPerMinute: number;
  logger: Logger;
  metrics: ServiceMetrics;
}): GatewayRateLimits {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    : null;
  redis?.on('error', (err: Error) => options.logger.debug({ err }, 'rate-limit redis connection error'));
  const fallback = redis ? new RateLimitFallback(redis, options.logger, options.metrics) : null;
  const limiter = (prefix: string): RateLimiterAbstract =>
    sharedRateLimiter({
      redis,
      fallback,
      name: prefix,
      keyPrefix: `vegshare:gw:${prefix}`,
      points: options.perKeyPerMinute,
      duration: 60,
    });
  const consume = async (on: RateLimiterAbstract, key: string, what: string): Promise<void> => {
    try {
      await on.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        const retryAfter = Math.ceil(error.msBeforeNext / 1000);
        throw new GraphQLError(`Rate limit exceeded for this ${what}`, {
          extensions: {
            code: 'RATE_LIMITED',
            retryAfter,
            http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) },
          },
        });
      }
      throw error;
    }
  };
  const apiKeys = limiter('apikey');
  const oauthClients = limiter('oauth-client');
  return {
    consumeApiKey: (keyHash) => consume(apiKeys, keyHash, 'API key'),
    consumeOAuthClient: (clientId) => consume(oauthClients, clientId, 'OAuth client'),
    async close() {
      redis?.disconnect();
    },
  };
}
