import { z } from 'zod';
import { ConfigError, configFields } from './config.ts';
import { createJwtVerifier, type TokenVerifier } from './auth.ts';

export const NODE_ENVS = ['development', 'test', 'production'] as const;

/** Variables every subgraph reads; a service's env.ts extends this with its own (and applies `checkSubgraphConfig`). */
export function subgraphConfigShape(defaultPort: number) {
  return {
    PORT: configFields.port(defaultPort),
    /** Address to listen on: all interfaces by default (a pod, a container); the embedded start binds 127.0.0.1. */
    HOST: configFields.host,
    LOG_LEVEL: configFields.logLevel,
    NODE_ENV: z.enum(NODE_ENVS).default('development'),
    DATABASE_URL: configFields.postgresUrl,
    /** Shared secret the gateway sends; other callers are refused. Required with NODE_ENV=production. */
    GATEWAY_SECRET: configFields.secret.optional(),
    /** JWKS of the auth service, used to verify access tokens again in every subgraph. */
    AUTH_JWKS_URL: configFields.url.default('http://localhost:4001/.well-known/jwks.json'),
    /** Base URL of the auth service's internal routes (revocation catch-up); default: the JWKS URL's origin. */
    AUTH_INTERNAL_URL: configFields.url.optional(),
    JWT_ISSUER: z.string().min(1).default('https://auth.vegshare.local'),
    JWT_AUDIENCE: z.string().min(1).default('vegshare-api'),
    /** OTLP/HTTP collector base URL; tracing is off when unset. */
    OTEL_EXPORTER_OTLP_ENDPOINT: configFields.url.optional(),
    /** Redis for live events (and queues, rate limits); absent means the in-process embedded default. */
    REDIS_URL: configFields.redisUrl.optional(),
    /** Redis channel prefix of the live event bus (one per deployment sharing a Redis). */
    EVENT_PREFIX: configFields.eventPrefix,
    /**
     * NATS server(s) with JetStream, comma-separated (nats://host:4222): durable events between services (outbox →
     * JetStream → durable consumers). Absent: durable events travel on the live bus (in-process, or Redis).
     */
    NATS_URL: configFields.natsUrl.optional(),
    /** Internal port of /metrics (Prometheus), apart from the service's own port; 0 = any free port (logged). */
    METRICS_PORT: configFields.port(0),
    /** Interface /metrics listens on: loopback by default; 0.0.0.0 in a cluster where Prometheus scrapes the pod. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Revocation catch-up from auth while revocation events flow (the fallback polls every second when they do not). */
    REVOCATION_SYNC_SECONDS: z.coerce.number().positive().max(300).default(15),
    /** With no revocation events and no catch-up for this long, access tokens are refused (503) until either is back. */
    REVOCATION_MAX_STALE_SECONDS: z.coerce.number().positive().max(900).default(30),
  };
}

const base = z.object(subgraphConfigShape(0));
export type SubgraphConfig = z.infer<typeof base>;

type ProductionChecked = { readonly NODE_ENV: string; readonly GATEWAY_SECRET?: string | undefined };

const GATEWAY_SECRET_IN_PRODUCTION =
  'required with NODE_ENV=production (subgraphs must not answer anyone but the gateway)';

/** zod refinement every service's config applies: a production start without a gateway secret is refused. */
export function checkSubgraphConfig(config: ProductionChecked, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV === 'production' && !config.GATEWAY_SECRET)
    ctx.addIssue({ code: 'custom', path: ['GATEWAY_SECRET'], message: GATEWAY_SECRET_IN_PRODUCTION });
}

/** The same rule at start, for configs built some other way: throws a one-line ConfigError. */
export function assertProductionReady(config: ProductionChecked): void {
  if (config.NODE_ENV === 'production' && !config.GATEWAY_SECRET)
    throw new ConfigError(`Invalid configuration: GATEWAY_SECRET: ${GATEWAY_SECRET_IN_PRODUCTION}`);
}

/** Where the auth service's internal routes are: AUTH_INTERNAL_URL, else the origin of AUTH_JWKS_URL. */
export const authInternalUrl = (
  config: Pick<SubgraphConfig, 'AUTH_JWKS_URL'> & { readonly AUTH_INTERNAL_URL?: string | undefined },
): string => config.AUTH_INTERNAL_URL ?? new URL(config.AUTH_JWKS_URL).origin;

export function verifierFromConfig(
  config: Pick<SubgraphConfig, 'AUTH_JWKS_URL' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
): TokenVerifier {
  return createJwtVerifier({
    keys: new URL(config.AUTH_JWKS_URL),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
}
