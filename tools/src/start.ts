// npm start — the whole supergraph with demo data on one machine. With no DATABASE_URL / REDIS_URL / S3_ENDPOINT it
// uses embedded defaults: Postgres from npm (data in .data/postgres), an in-process S3 API (s3rver, data in .data/s3),
// the in-process event bus and job queue. Every variable of every service's env.ts can be set (service-env.ts);
// PUBLIC_HOST makes every URL handed to clients reachable from other devices (public-origins.ts). Subgraphs listen on
// 127.0.0.1 and answer only the gateway (a random GATEWAY_SECRET per start unless one is set). Any failure is one line.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, createLogger } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrateAll } from './migrate.ts';
import { assertPortsFree, type PortClaim } from './ports.ts';
import { assertReachable, type ExternalService } from './reachability.ts';
import { isLoopbackHost, publicOrigins } from './public-origins.ts';
import { serviceEnv, servicePrefix } from './service-env.ts';
import { loadService } from './services.ts';
import { startStack, SUBGRAPH_HOST } from './stack.ts';
import { loadStartConfig, serviceSourceEnvironment } from './start-config.ts';
import { explainStartFailure } from './start-errors.ts';
import { startLocalS3 } from './testing/s3.ts';
import { startPaymentSandbox, type PaymentSandbox } from './testing/payments/sandbox.ts';
import { readRoverConfig } from './workspace.ts';

/** Port of the customer web app's dev server (`npm run web --prefix mobile`), the origin of links in emails. */
const APP_PORT = 8081;

const config = (() => {
  try {
    return loadStartConfig();
  } catch (error) {
    process.stderr.write(`start: ${explainStartFailure(error)}\n`);
    process.exit(1);
  }
})();
const logger = createLogger('start', config.LOG_LEVEL);
const environment = serviceSourceEnvironment();
const stoppers: (() => Promise<void>)[] = [];
const publicHost = config.PUBLIC_HOST.replace(/^\[(.*)\]$/, '$1');
const exposed = !isLoopbackHost(publicHost);

const subgraphs = readRoverConfig().subgraphs.map((s) => ({ name: s.name, port: Number(new URL(s.routingUrl).port) }));
const ports: Record<string, number> = { gateway: config.PORT };
const claims: PortClaim[] = [];
for (const s of subgraphs) {
  const variable = `${servicePrefix(s.name)}PORT`;
  const port = Number(environment[variable] ?? s.port); // checked with the service's config below
  ports[s.name] = port;
  claims.push({ port, host: SUBGRAPH_HOST, what: `${s.name} subgraph`, variable });
}
if (!config.DATABASE_URL)
  claims.push({
    port: config.EMBEDDED_PG_PORT,
    host: '127.0.0.1',
    what: 'embedded Postgres',
    variable: 'EMBEDDED_PG_PORT',
  });
if (!config.S3_ENDPOINT)
  claims.push({
    port: config.EMBEDDED_S3_PORT,
    host: exposed ? '0.0.0.0' : '127.0.0.1',
    what: 'embedded S3',
    variable: 'EMBEDDED_S3_PORT',
  });
if (!environment['STRIPE_SECRET_KEY'] && !environment['YOOKASSA_SHOP_ID']) {
  claims.push({
    port: config.SANDBOX_STRIPE_PORT,
    host: '127.0.0.1',
    what: 'payment sandbox (Stripe)',
    variable: 'SANDBOX_STRIPE_PORT',
  });
  claims.push({
    port: config.SANDBOX_YOOKASSA_PORT,
    host: '127.0.0.1',
    what: 'payment sandbox (YooKassa)',
    variable: 'SANDBOX_YOOKASSA_PORT',
  });
}

const origins = publicOrigins({
  host: publicHost,
  gatewayPort: config.PORT,
  s3Port: config.S3_ENDPOINT ? null : config.EMBEDDED_S3_PORT,
  appPort: APP_PORT,
});
/** What the start derives from PUBLIC_HOST; a variable the user sets (plainly or with a service prefix) wins. */
const derived: Record<string, string> = {
  APP_URL: origins.app,
  PUBLIC_API_URL: origins.gateway,
  PLAYBACK_BASE_URL: origins.gateway,
  ...(origins.s3 ? { S3_PUBLIC_ENDPOINT: origins.s3 } : {}),
};
/** What the start decides for every service; not overridable. */
const wiring: Record<string, string> = {
  GATEWAY_SECRET: config.GATEWAY_SECRET ?? randomBytes(32).toString('base64url'),
};
const envFor = (service: string) => serviceEnv(service, environment, { defaults: derived, wiring });
claims.unshift({
  port: config.PORT,
  host: envFor('gateway')['HOST'] ?? config.HOST,
  what: 'gateway',
  variable: 'PORT',
});

interface ConfigLoader {
  loadConfig(env: Record<string, string | undefined>): unknown;
}

/** Every service's variables checked before anything starts: a bad one stops the start in a second, named. */
async function checkServiceConfigs(placeholders: Record<string, string>): Promise<void> {
  const loaders: [string, ConfigLoader][] = [];
  for (const s of subgraphs) loaders.push([s.name, await loadService(s.name)]);
  const gateway = (await import('@vegshare/gateway')) as unknown as { loadGatewayConfig: ConfigLoader['loadConfig'] };
  loaders.push(['gateway', { loadConfig: gateway.loadGatewayConfig }]);
  for (const [name, loader] of loaders) {
    try {
      loader.loadConfig({ ...placeholders, ...envFor(name), PORT: String(ports[name]) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new ConfigError(
        `${name}: ${error.message} (variables of ${name} alone may carry the prefix ${servicePrefix(name)})`,
      );
    }
  }
}

/** Ctrl-C or SIGTERM, also while starting: stop what runs (the stack, S3, Postgres), then exit. */
const shutdown = async () => {
  for (const stop of stoppers) await stop().catch(() => undefined);
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

/** While starting, a stray rejection (a library's unawaited promise) is a start failure too: one line, then exit. */
const failedWhileStarting = (reason: unknown) => {
  logger.debug({ err: reason }, 'unhandled rejection while starting');
  process.stderr.write(`start: ${explainStartFailure(reason, claims)}\n`);
  process.exit(1);
};
process.on('unhandledRejection', failedWhileStarting);

try {
  await checkServiceConfigs({
    DATABASE_URL: config.DATABASE_URL ?? 'postgresql://127.0.0.1/unused',
    ...(config.S3_ENDPOINT
      ? {}
      : { S3_ENDPOINT: 'http://127.0.0.1:1', S3_ACCESS_KEY: 'x', S3_SECRET_KEY: 'x', S3_BUCKET: 'vegshare' }),
  });
  await assertPortsFree(claims);
  const external: ExternalService[] = [];
  if (config.REDIS_URL)
    external.push({
      variable: 'REDIS_URL',
      url: config.REDIS_URL,
      defaultPort: 6379,
      fix: 'start Redis there, or unset REDIS_URL for the in-process bus and queue',
    });
  if (config.NATS_URL)
    external.push({
      variable: 'NATS_URL',
      url: config.NATS_URL.split(',')[0]!,
      defaultPort: 4222,
      fix: 'start nats-server -js there, or unset NATS_URL for the in-process bus',
    });
  if (config.S3_ENDPOINT) {
    const https = config.S3_ENDPOINT.startsWith('https:');
    external.push({
      variable: 'S3_ENDPOINT',
      url: config.S3_ENDPOINT,
      defaultPort: https ? 443 : 80,
      fix: 'start the S3 API there, or unset S3_ENDPOINT for the embedded one',
    });
  }
  await assertReachable(external);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    logger.info('no DATABASE_URL: starting embedded Postgres');
    const db = await startEmbeddedPostgres({
      dataDir: join(config.DATA_DIR, 'postgres'),
      port: config.EMBEDDED_PG_PORT,
      sharedDir: config.EMBEDDED_PG_SHARED_DIR,
      logger,
    });
    stoppers.push(db.stop);
    databaseUrl = db.url;
  }
  await migrateAll(databaseUrl, logger);

  if (!config.S3_ENDPOINT) {
    logger.info('no S3_ENDPOINT: starting the in-process S3 API (s3rver)');
    // Reachable from other devices only when PUBLIC_HOST says so, and then with credentials of this start alone.
    const s3 = await startLocalS3({
      directory: join(config.DATA_DIR, 's3'),
      port: config.EMBEDDED_S3_PORT,
      address: exposed ? '0.0.0.0' : '127.0.0.1',
      ...(exposed
        ? {
            credentials: {
              accessKey: randomBytes(12).toString('hex'),
              secretKey: randomBytes(24).toString('base64url'),
            },
          }
        : {}),
    });
    stoppers.push(s3.stop);
    const { S3_BUCKET, ...connection } = s3.env;
    Object.assign(derived, { S3_BUCKET });
    Object.assign(wiring, connection);
  }
  let sandbox: PaymentSandbox | null = null;
  if (!environment['STRIPE_SECRET_KEY'] && !environment['YOOKASSA_SHOP_ID']) {
    logger.info('no STRIPE_SECRET_KEY / YOOKASSA_SHOP_ID: starting the local payment sandbox (no real money)');
    sandbox = await startPaymentSandbox({ stripe: config.SANDBOX_STRIPE_PORT, yookassa: config.SANDBOX_YOOKASSA_PORT });
    stoppers.push(sandbox.stop);
    Object.assign(wiring, sandbox.env);
  }
  const stack = await startStack({
    databaseUrl,
    envFor,
    ports,
    seed: true,
    logLevel: config.LOG_LEVEL,
    ...(config.DEMO_CAMERAS ? { demoCameras: { dataDir: config.DATA_DIR } } : {}),
  });
  stoppers.unshift(stack.stop);
  const payment = stack.subgraphs.get('payment');
  if (sandbox && payment) sandbox.connect(payment.url);
  const mailbox = `http://127.0.0.1:${stack.subgraphs.get('auth')?.port ?? ports['auth']}/dev/mailbox?email=<address>`;
  process.stdout.write(
    [
      '',
      `VegShare supergraph: ${origins.gateway}/graphql  (explorer: ${origins.gateway}/explorer)`,
      `Demo accounts (password "${demo.password}"): ${Object.values(demo.users)
        .map((u) => u.email)
        .join(', ')}`,
      `Dev mailbox (this machine only): ${mailbox}`,
      ...(sandbox
        ? [
            `Payment sandbox (no real money): Stripe API ${sandbox.stripe.url} (publishable key ${sandbox.env['STRIPE_PUBLISHABLE_KEY'] ?? ''}), YooKassa API ${sandbox.yookassa.apiUrl}`,
          ]
        : []),
      exposed
        ? `Public host ${publicHost}: other devices use ${origins.gateway}; email links open ${envFor('auth')['APP_URL'] ?? origins.app}`
        : 'Only this machine can reach these URLs; set PUBLIC_HOST=<this machine\'s LAN address> for a phone (README: "Try it on your phone")',
      '',
    ].join('\n'),
  );
  process.off('unhandledRejection', failedWhileStarting);
} catch (error) {
  logger.debug({ err: error }, 'start failed');
  process.stderr.write(`start: ${explainStartFailure(error, claims)}\n`);
  for (const stop of stoppers) await stop().catch(() => undefined);
  process.exit(1);
}
