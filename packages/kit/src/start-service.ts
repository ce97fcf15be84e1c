import type { BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import type { TokenVerifier } from './auth.ts';
import type { EventBus } from './events/event-bus.ts';
import { eventBusFromConfig } from './events/event-bus-from-config.ts';
import { ServiceEvents } from './events/service-events.ts';
import type { ReadinessCheck } from './http/service-server.ts';
import { launchSubgraph, type LaunchedSubgraph, type LaunchOptions, type ServiceDeps } from './launch.ts';
import { Resources } from './lifecycle.ts';
import { createLogger } from './logger.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';

/**
 * A service's Prisma client (anything that answers `SELECT 1`), the pool under it where the service sends its own
 * prepared statements (`openPrismaOnPool`'s `sql`; `undefined` for a service that has none), and how to close both.
 */
export interface DbHandle<TDb, TSql = undefined> {
  readonly db: TDb;
  readonly sql: TSql;
  close(): Promise<void>;
}

/** The handle of a Prisma client opened on its own: closing it disconnects it. */
export function prismaHandle<TDb extends { $disconnect(): Promise<void> }>(db: TDb): DbHandle<TDb> {
  return { db, sql: undefined, close: () => db.$disconnect() };
}

/** Something readiness can ask `SELECT 1` (every service's Prisma client). */
interface Queryable {
  $queryRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<unknown>;
}

/** What every service start opens the same way, handed to its own wiring. */
export interface ServiceKit<TDb, TSql = undefined> {
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Register what the service opens here; the kit closes it last-opened-first (on a failed start, too). */
  readonly resources: Resources;
  readonly db: TDb;
  /** The handle's pool under `db` (see DbHandle). */
  readonly sql: TSql;
  /** The live bus: `deps.events` (shared in process), or the one REDIS_URL names (Redis pub/sub, else in memory). */
  readonly bus: EventBus;
}

/** The service's own part of launchSubgraph (what is not the same in every service). */
export interface ServiceWiring<TContext extends BaseContext, TExtra extends object> {
  /** Builds the per-request context (see LaunchOptions.context). */
  readonly context: LaunchOptions<TContext>['context'];
  /** Readiness checks beside `postgres` (which every service has, first). */
  readonly readiness?: (logger: Logger) => readonly ReadinessCheck[];
  /** The bus revocations arrive on (default: the kit's live bus; streaming and transcoding pass their outbox bus). */
  readonly events?: EventBus;
  /** Token verifier instead of the JWKS in config (auth verifies its own tokens from its key table). */
  readonly verifier?: TokenVerifier;
  readonly revocationSource?: LaunchOptions<TContext>['revocationSource'];
  readonly plugins?: LaunchOptions<TContext>['plugins'];
  readonly routes?: LaunchOptions<TContext>['routes'];
  readonly publicRoutes?: LaunchOptions<TContext>['publicRoutes'];
  /** Runs once the subgraph serves (loops, timers, late binding); what it returns is added to the running service. */
  readonly started?: (running: LaunchedSubgraph) => TExtra | Promise<TExtra>;
}

export interface StartServiceOptions<
  TDb,
  TBefore,
  TContext extends BaseContext,
  TExtra extends object,
  TSql = undefined,
> {
  /** The service's name: logger, metrics, durable consumer names (`<name>.<consumer>`). */
  readonly name: string;
  readonly config: LaunchOptions<TContext>['config'] & {
    readonly DATABASE_URL: string;
    readonly REDIS_URL?: string | undefined;
    /** Channel prefix of the Redis event bus (EVENT_PREFIX). */
    readonly EVENT_PREFIX: string;
    readonly NATS_URL?: string | undefined;
  };
  /** What the caller injected (tests, the embedded start): logger, metrics, events, verifier, revocation source. */
  readonly deps: ServiceDeps;
  /** The Postgres schema the service owns (its outbox and processed-event tables live there). */
  readonly dbSchema: string;
  /** URL of the subgraph's schema.graphql (SDL-first). */
  readonly schemaFile: URL;
  readonly resolvers: object;
  /** Opens the service's database client (registered first, so it closes last). */
  readonly openDb: () => DbHandle<TDb, TSql>;
  /**
   * Opens what the event consumers use (Redis clients, queues, push delivery) after the bus and before the outbox, so
   * the outbox's relay and consumers stop before these close.
   */
  readonly beforeEvents?: (kit: ServiceKit<TDb, TSql>) => TBefore | Promise<TBefore>;
  /**
   * The service's own wiring, once its durable events are open: subscribe consumers, build the domain and return the
   * context factory, routes and readiness. The kit starts the outbox relay when this returns (`outbox.start()` is
   * idempotent: a service whose later wiring publishes may start it sooner).
   */
  readonly wire: (
    kit: ServiceKit<TDb, TSql> & { readonly outbox: ServiceEvents; readonly before: TBefore },
  ) => Promise<ServiceWiring<TContext, TExtra>>;
}

/**
 * Starts one subgraph service in the one shape every service shares: logger and metrics (or the injected ones), its
 * resources, the database, the live event bus, the durable events (outbox + consumers), the service's own wiring,
 * the outbox relay, then launchSubgraph with `postgres` readiness. Resources close newest first; a failed start
 * closes what it had opened.
 */
export async function startService<
  TDb extends Queryable,
  TContext extends BaseContext,
  TBefore = undefined,
  TExtra extends object = object,
  TSql = undefined,
>(options: StartServiceOptions<TDb, TBefore, TContext, TExtra, TSql>): Promise<LaunchedSubgraph & TExtra> {
  const { name, config, deps } = options;
  const logger = deps.logger ?? createLogger(name, config.LOG_LEVEL);
  const metrics = deps.metrics ?? createMetrics(name);
  const resources = new Resources(logger);
  return resources.build(async () => {
    const { db, sql } = resources.add('postgres', options.openDb(), (h) => h.close());
    const bus =
      deps.events ??
      resources.add('event bus', eventBusFromConfig(config.REDIS_URL, logger, config.EVENT_PREFIX), (b) => b.close());
    const kit: ServiceKit<TDb, TSql> = { logger, metrics, resources, db, sql, bus };
    const before = (await options.beforeEvents?.(kit)) as TBefore;
    // Registered after the bus, the database and what beforeEvents opened, so its relay and consumers stop before
    // they close (newest first).
    const outbox = resources.add(
      'service events',
      await ServiceEvents.open({
        service: name,
        schema: options.dbSchema,
        databaseUrl: config.DATABASE_URL,
        logger,
        metrics,
        natsUrl: config.NATS_URL,
        bus,
      }),
      (o) => o.stop(),
    );
    const wiring = await options.wire({ ...kit, outbox, before });
    outbox.start();
    const running = await launchSubgraph<TContext>({
      name,
      config,
      schemaFile: options.schemaFile,
      events: wiring.events ?? bus,
      resolvers: options.resolvers,
      deps: { ...deps, logger, metrics, ...(wiring.verifier ? { verifier: wiring.verifier } : {}) },
      context: wiring.context,
      readiness: (log) => [
        { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
        ...(wiring.readiness?.(log) ?? []),
      ],
      ...(wiring.revocationSource ? { revocationSource: wiring.revocationSource } : {}),
      ...(wiring.plugins ? { plugins: wiring.plugins } : {}),
      ...(wiring.routes ? { routes: wiring.routes } : {}),
      ...(wiring.publicRoutes ? { publicRoutes: wiring.publicRoutes } : {}),
      resources,
    });
    const extra = (await wiring.started?.(running)) ?? ({} as TExtra);
    return { ...running, ...extra };
  });
}
