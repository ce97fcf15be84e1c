import { z } from 'zod';
import { configFields } from './config.ts';
import { createJwtVerifier, type TokenVerifier } from './auth.ts';

/** Variables every subgraph reads; a service's env.ts extends this with its own. */
export function subgraphConfigShape(defaultPort: number) {
  return {
    PORT: configFields.port(defaultPort),
    /** Address to listen on: all interfaces by default (a pod, a container); the embedded start binds 127.0.0.1. */
    HOST: configFields.host,
    LOG_LEVEL: configFields.logLevel,
    DATABASE_URL: configFields.postgresUrl,
    /** Shared secret the gateway sends; when set, other callers are refused. */
    GATEWAY_SECRET: configFields.secret.optional(),
    /** JWKS of the auth service, used to verify access tokens again in every subgraph. */
    AUTH_JWKS_URL: configFields.url.default('http://localhost:4001/.well-known/jwks.json'),
    JWT_ISSUER: z.string().min(1).default('https://auth.vegshare.local'),
    JWT_AUDIENCE: z.string().min(1).default('vegshare-api'),
    /** OTLP/HTTP collector base URL; tracing is off when unset. */
    OTEL_EXPORTER_OTLP_ENDPOINT: configFields.url.optional(),
    /** Redis for events (and queues, rate limits); absent means the in-process embedded default. */
    REDIS_URL: configFields.redisUrl.optional(),
  };
}

const base = z.object(subgraphConfigShape(0));
export type SubgraphConfig = z.infer<typeof base>;

export function verifierFromConfig(config: Pick<SubgraphConfig, 'AUTH_JWKS_URL' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>): TokenVerifier {
  return createJwtVerifier({ keys: new URL(config.AUTH_JWKS_URL), issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
}
