import { join } from 'node:path';
import { z } from 'zod';
import { configFields, parseConfig } from '@vegshare/kit';
import { repoRoot } from './workspace.ts';

/** The embedded start's own variables (each service's are in its env.ts; see service-env.ts for how they reach it). */
export const schema = z.object({
  /** Use this Postgres instead of the embedded one. */
  DATABASE_URL: configFields.postgresUrl.optional(),
  /** Use Redis (events, queues, rate limits, presence) instead of the in-process bus and queue. */
  REDIS_URL: configFields.redisUrl.optional(),
  /** NATS with JetStream for the durable events between services, instead of carrying them on the in-process bus. */
  NATS_URL: configFields.natsUrl.optional(),
  /** Use this S3 API (with S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET) instead of the embedded s3rver. */
  S3_ENDPOINT: configFields.url.optional(),
  EMBEDDED_PG_PORT: configFields.port(54329),
  EMBEDDED_S3_PORT: configFields.port(4569),
  /** Ports of the local payment sandbox (Stripe- and YooKassa-speaking servers) started when no provider keys are set. */
  SANDBOX_STRIPE_PORT: configFields.port(4570),
  SANDBOX_YOOKASSA_PORT: configFields.port(4571),
  /** As root: where the embedded Postgres binaries and data go when the `postgres` user cannot reach them. */
  EMBEDDED_PG_SHARED_DIR: z.string().min(1).default('/var/lib/vegshare'),
  /** The gateway's port (subgraphs: `<SERVICE>_PORT`). */
  PORT: configFields.port(4000),
  /** The gateway's listen address (subgraphs always listen on 127.0.0.1). */
  HOST: configFields.host,
  /** The name or address other devices reach this machine at; every URL handed to clients is built from it. */
  PUBLIC_HOST: z
    .string()
    .regex(
      /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9.-]{1,253})$/,
      'expected a host name or an IP address, without scheme or port',
    )
    .refine(
      (h) => !['0.0.0.0', '::', '[::]'].includes(h),
      'expected the address other devices use (e.g. 192.168.1.20), not a listen-everywhere address',
    )
    .default('localhost'),
  /** Shared by the gateway and every subgraph; random per start when unset. */
  GATEWAY_SECRET: configFields.secret.optional(),
  LOG_LEVEL: configFields.logLevel,
  /** Run the demo farm's cameras (a local RTMP server with test-pattern cameras) so the demo streams play. */
  DEMO_CAMERAS: configFields.bool.default(true),
  /** Embedded Postgres data (`postgres/`) and S3 objects (`s3/`). */
  DATA_DIR: z.string().default(join(repoRoot, '.data')),
});
export type StartConfig = z.infer<typeof schema>;

/** The only reader of process.env for the start's own settings. */
export const loadStartConfig = (env: Record<string, string | undefined> = process.env): StartConfig =>
  parseConfig(schema, env);

/**
 * The environment the start hands on to the services it runs (each validates its own part in its env.ts, see
 * service-env.ts), read here so that this module stays the start's only reader of process.env.
 */
export const serviceSourceEnvironment = (): Readonly<Record<string, string | undefined>> => ({ ...process.env });
