import {
  startService,
  type RouteHandler,
  type RunningSubgraph,
  type ServiceDeps,
  type ServiceModule,
} from '@vegshare/kit';
import { loadPaymentConfig, type PaymentConfig } from './env.ts';
import { openPaymentDb, PAYMENT_SCHEMA, type PaymentDb } from './db.ts';
import { createLoaders } from './loaders.ts';
import { resolvers } from './resolvers/index.ts';
import { paymentMetrics, type PaymentDeps } from './domain/deps.ts';
import { subscribeToEvents } from './domain/event-handlers.ts';
import { startWorker } from './domain/worker.ts';
import { providersFromConfig } from './adapters/providers/from-config.ts';
import { stripeWebhook, yookassaWebhook } from './adapters/webhooks/routes.ts';
import { seedPayment } from './seed.ts';
import type { Context } from './context.ts';

export { loadPaymentConfig, type PaymentConfig } from './env.ts';

/** What the payment service adds to a running subgraph (tests drive its worker and wait for its events). */
interface PaymentExtras {
  /** The service's domain dependencies (tests drive the worker and read the database through them). */
  readonly deps: PaymentDeps;
  /** Resolves after a full worker pass that started after the call. */
  drain(): Promise<void>;
  /** Resolves once every event received so far has been handled. */
  idle(): Promise<void>;
}

export interface RunningPaymentService extends RunningSubgraph, PaymentExtras {}

export interface PaymentServiceDeps extends ServiceDeps {
  /** The service's clock (tests move it to expire holds and start bookings); the database's clock still stamps rows. */
  readonly clock?: () => Date;
}

/** Starts the payment subgraph with its worker and webhooks; used by main.ts, the embedded start and the tests alike. */
export function startPaymentService(
  config: PaymentConfig,
  deps: PaymentServiceDeps = {},
): Promise<RunningPaymentService> {
  return startService<PaymentDb, Context, undefined, PaymentExtras>({
    name: 'payment',
    config,
    deps,
    dbSchema: PAYMENT_SCHEMA,
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers,
    openDb: () => openPaymentDb(config.DATABASE_URL),
    async wire({ db, bus, outbox: events, logger, metrics, resources }) {
      const providers = providersFromConfig(config);
      if (!providers.get('STRIPE'))
        logger.warn('STRIPE_SECRET_KEY is not set: EUR payments wait until their hold runs out, then are cancelled');
      if (!providers.get('YOOKASSA'))
        logger.warn('YOOKASSA_SHOP_ID is not set: RUB payments wait until their hold runs out, then are cancelled');
      const base = {
        db,
        config,
        provider: providers.get,
        bus,
        events,
        logger,
        metrics: paymentMetrics(metrics),
        now: deps.clock ?? (() => new Date()),
      };
      const worker = resources.add('worker', startWorker(base, config.WORKER_INTERVAL_MS), (w) => w.stop());
      const domain: PaymentDeps = { ...base, kick: worker.kick };
      const subscriptions = resources.add('event subscriptions', await subscribeToEvents(domain, logger), (s) =>
        s.close(),
      );
      const publicRoutes: Record<string, RouteHandler> = { '/webhooks/yookassa': yookassaWebhook(domain) };
      if (providers.stripe && config.STRIPE_WEBHOOK_SECRET)
        publicRoutes['/webhooks/stripe'] = stripeWebhook(domain, providers.stripe.client, config.STRIPE_WEBHOOK_SECRET);
      return {
        context: (viewer) => ({ viewer, deps: domain, loaders: createLoaders(db), logger }),
        publicRoutes,
        started: () => {
          worker.bind(domain);
          return { deps: domain, drain: worker.drain, idle: subscriptions.idle };
        },
      };
    },
  });
}

export const service: ServiceModule<PaymentConfig> = {
  name: 'payment',
  loadConfig: loadPaymentConfig,
  start: startPaymentService,
  async seed(databaseUrl) {
    const { db, close } = openPaymentDb(databaseUrl, 2);
    try {
      await seedPayment(db);
    } finally {
      await close();
    }
  },
};
