import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import proxyaddr from 'proxy-addr';
import { checkSubgraphConfig, configFields, NODE_ENVS, parseConfig } from '@vegshare/kit/gateway';
import { defaultSafelistMode, SAFELIST_MODES } from './persisted/safelist.ts';

export const schema = z
  .object({
    PORT: configFields.port(4000),
    /** Address to listen on (every interface by default: the gateway is the public entry). */
    HOST: configFields.host,
    LOG_LEVEL: configFields.logLevel,
    /** Composed supergraph SDL; reloaded when the file changes. Default: the repository's schema/supergraph.graphql. */
    SUPERGRAPH_PATH: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url))),
    /** Overrides of routing URLs, `name=url` pairs separated by commas (e.g. in-cluster or test ports). */
    SUBGRAPH_URLS: z
      .string()
      .default('')
      .transform((raw, ctx) => {
        const map: Record<string, string> = {};
        for (const pair of raw
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [name, url] = pair.split('=');
          if (!name || !url || !/^https?:\/\//.test(url)) {
            ctx.addIssue({ code: 'custom', message: `expected name=http(s)://url, got "${pair}"` });
            return z.NEVER;
          }
          map[name] = url;
        }
        return map;
      }),
    /** Sent to every subgraph, which answers nobody else; required with NODE_ENV=production. */
    GATEWAY_SECRET: configFields.secret.optional(),
    /** Where /hls/ and /media/ are passed on to; default: the streaming subgraph's origin. */
    MEDIA_UPSTREAM_URL: configFields.url.optional(),
    /**
     * Proxies in front of the gateway whose X-Forwarded-For is believed (comma-separated IPs or CIDRs, e.g. the ingress
     * controller's pod network): the client address is the rightmost entry not added by one of them. Empty (default):
     * X-Forwarded-For is ignored and the TCP peer is the client.
     */
    TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((raw, ctx) => {
        const list = raw
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        try {
          proxyaddr.compile(list);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'invalid IP or CIDR' });
          return z.NEVER;
        }
        return list;
      }),
    /** Internal port of /metrics; 0 = any free port (logged). */
    METRICS_PORT: configFields.port(0),
    /** Interface /metrics listens on: loopback by default, 0.0.0.0 where Prometheus scrapes the pod. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Revocation catch-up from auth while revocation events flow (every second while they do not). */
    REVOCATION_SYNC_SECONDS: z.coerce.number().positive().max(300).default(15),
    /** With no revocation events and no catch-up for this long, access tokens are refused (503). */
    REVOCATION_MAX_STALE_SECONDS: z.coerce.number().positive().max(900).default(30),
    AUTH_JWKS_URL: configFields.url.default('http://localhost:4001/.well-known/jwks.json'),
    /** Base URL of the auth service's internal routes (API-key exchange). */
    AUTH_INTERNAL_URL: configFields.url.default('http://localhost:4001'),
    JWT_ISSUER: z.string().min(1).default('https://auth.vegshare.local'),
    JWT_AUDIENCE: z.string().min(1).default('vegshare-api'),
    REDIS_URL: configFields.redisUrl.optional(),
    /** Redis channel prefix of the live event bus: the subgraphs' EVENT_PREFIX (one per deployment sharing a Redis). */
    EVENT_PREFIX: configFields.eventPrefix,
    /** OTLP/HTTP collector base URL; tracing is off when unset. */
    OTEL_EXPORTER_OTLP_ENDPOINT: configFields.url.optional(),
    /** Requests per minute allowed for one partner API key, and for one OAuth client (all replicas together when REDIS_URL is set). */
    API_KEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    /** Share identical reads in flight (client requests and subgraph fetches); `false` turns both off (benchmarks). */
    DEDUP_ENABLED: configFields.bool.default(true),
    /**
     * Cap V8's old-generation growth between full GCs at 2× on hosts where V8 would allow 4× (heap limit above 2 GiB):
     * lower peak memory under load for a few percent more GC time; `false` leaves V8's own choice.
     */
    HEAP_GROWTH_CAP: configFields.bool.default(true),
    /** Subscriptions whose result is the same for every permitted caller share one upstream and one completion. */
    SUBSCRIPTION_SHARING: configFields.bool.default(true),
    /**
     * Open graphql-ws connections one client address may hold on this replica (0: no limit); past it the upgrade is
     * refused with 429. Generous, as carrier NATs put many customers behind one address.
     */
    WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(1000),
    /** Serve the partner explorer at /explorer; defaults to on, except with NODE_ENV=production. */
    EXPLORER_ENABLED: configFields.bool.optional(),
    /** Compress /graphql responses (brotli or gzip, per the client's Accept-Encoding); `false` sends them as they are. */
    COMPRESSION_ENABLED: configFields.bool.default(true),
    /** Smallest /graphql response body, in bytes, worth compressing. */
    COMPRESSION_MIN_BYTES: z.coerce.number().int().min(0).default(1024),
    /** How long an automatic persisted query (APQ) stays registered, in seconds. */
    APQ_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
    /** Key prefix of APQ entries in Redis (with REDIS_URL); replicas that share entries use the same one. */
    APQ_REDIS_PREFIX: z.string().default('vegshare:gw:'),
    /** Persisted-operation manifest (Apollo's apollo-persisted-query-manifest format). Default: gateway/persisted-operations.json. */
    PERSISTED_OPERATIONS_PATH: z
      .string()
      .min(1)
      .default(fileURLToPath(new URL('../persisted-operations.json', import.meta.url))),
    /** Who may only run manifest operations: `off`, `api-keys` (partner API-key callers) or `all`; default `api-keys` with NODE_ENV=production, else `off`. */
    SAFELIST_MODE: z.enum(SAFELIST_MODES).optional(),
    NODE_ENV: z.enum(NODE_ENVS).default('development'),
  })
  .superRefine(checkSubgraphConfig)
  .transform((c) => ({
    ...c,
    EXPLORER_ENABLED: c.EXPLORER_ENABLED ?? c.NODE_ENV !== 'production',
    SAFELIST_MODE: c.SAFELIST_MODE ?? defaultSafelistMode(c.NODE_ENV),
  }));
export type GatewayConfig = z.infer<typeof schema>;

/** The only reader of process.env in the gateway. */
export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig =>
  parseConfig(schema, env);
