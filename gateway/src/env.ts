import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configFields, parseConfig } from '@vegshare/kit';

const schema = z.object({
  PORT: configFields.port(4000),
  LOG_LEVEL: configFields.logLevel,
  /** Composed supergraph SDL; reloaded when the file changes. Default: the repository's schema/supergraph.graphql. */
  SUPERGRAPH_PATH: z.string().min(1).default(fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url))),
  /** Overrides of routing URLs, `name=url` pairs separated by commas (e.g. in-cluster or test ports). */
  SUBGRAPH_URLS: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      const map: Record<string, string> = {};
      for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
        const [name, url] = pair.split('=');
        if (!name || !url || !/^https?:\/\//.test(url)) {
          ctx.addIssue({ code: 'custom', message: `expected name=http(s)://url, got "${pair}"` });
          return z.NEVER;
        }
        map[name] = url;
      }
      return map;
    }),
  GATEWAY_SECRET: configFields.secret.optional(),
  AUTH_JWKS_URL: configFields.url.default('http://localhost:4001/.well-known/jwks.json'),
  /** Base URL of the auth service's internal routes (API-key exchange). */
  AUTH_INTERNAL_URL: configFields.url.default('http://localhost:4001'),
  JWT_ISSUER: z.string().min(1).default('https://auth.vegshare.local'),
  JWT_AUDIENCE: z.string().min(1).default('vegshare-api'),
  REDIS_URL: configFields.redisUrl.optional(),
  /** OTLP/HTTP collector base URL; tracing is off when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: configFields.url.optional(),
  /** Requests per minute allowed for one partner API key (all replicas together when REDIS_URL is set). */
  API_KEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /** Share identical reads in flight (client requests and subgraph fetches); `false` turns both off (benchmarks). */
  DEDUP_ENABLED: configFields.bool.default(true),
  /** Serve the partner explorer at /explorer; defaults to on, except with NODE_ENV=production. */
  EXPLORER_ENABLED: configFields.bool.optional(),
  /** Compress /graphql responses (brotli or gzip, per the client's Accept-Encoding); `false` sends them as they are. */
  COMPRESSION_ENABLED: configFields.bool.default(true),
  /** Smallest /graphql response body, in bytes, worth compressing. */
  COMPRESSION_MIN_BYTES: z.coerce.number().int().min(0).default(1024),
  NODE_ENV: z.string().default('development'),
}).transform((c) => ({ ...c, EXPLORER_ENABLED: c.EXPLORER_ENABLED ?? c.NODE_ENV !== 'production' }));
export type GatewayConfig = z.infer<typeof schema>;

/** The only reader of process.env in the gateway. */
export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env): GatewayConfig => parseConfig(schema, env);
