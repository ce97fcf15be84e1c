import { join } from 'node:path';
import type { LevelWithSilent } from 'pino';
import { createLogger, MemoryEventBus, type EventBus, type Logger, type RunningSubgraph } from '@vegshare/kit';
import { readRoverConfig, repoRoot } from './workspace.ts';
import { loadService } from './services.ts';

export interface StackOptions {
  readonly databaseUrl: string;
  /** Extra environment for every service (S3_*, REDIS_URL, secrets…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Fixed ports by service name (`gateway` included); 0 / absent = ephemeral. */
  readonly ports?: Readonly<Record<string, number>>;
  /** One bus for every in-process service when no REDIS_URL is given. */
  readonly events?: EventBus;
  readonly seed?: boolean;
  /** Level of every service's own logger (each tagged with its service name). */
  readonly logLevel?: LevelWithSilent;
}

export interface RunningStack {
  readonly gatewayUrl: string;
  readonly subgraphs: ReadonlyMap<string, RunningSubgraph>;
  readonly events: EventBus;
  stop(): Promise<void>;
}

interface GatewayModule {
  loadGatewayConfig(env: Record<string, string | undefined>): unknown;
  startGateway(config: unknown, deps?: { logger?: Logger; events?: EventBus }): Promise<{ url: string; stop(graceMs?: number): Promise<void> }>;
}

/**
 * The whole supergraph in this process: every subgraph of rover.yaml (auth first, so the others can reach its
 * JWKS), optionally seeded, then the gateway routed to them. Used by the embedded start and by end-to-end tests.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const logLevel = options.logLevel ?? 'silent';
  const events = options.events ?? new MemoryEventBus();
  const names = readRoverConfig().subgraphs.map((s) => s.name);
  const ordered = ['auth', ...names.filter((n) => n !== 'auth')].filter((n) => names.includes(n));
  const running = new Map<string, RunningSubgraph>();
  const base: Record<string, string> = {
    DATABASE_URL: options.databaseUrl,
    LOG_LEVEL: logLevel,
    ...options.env,
  };
  try {
    for (const name of ordered) {
      const service = await loadService(name);
      if (options.seed) await service.seed(options.databaseUrl);
      const env: Record<string, string> = { ...base, PORT: String(options.ports?.[name] ?? 0) };
      const auth = running.get('auth');
      if (auth) env['AUTH_JWKS_URL'] = `${auth.url}/.well-known/jwks.json`;
      const started = await service.start(service.loadConfig(env), {
        logger: createLogger(name, logLevel as LevelWithSilent),
        events,
      });
      running.set(name, started);
    }
    const gatewayModule = (await import('@vegshare/gateway')) as unknown as GatewayModule;
    const auth = running.get('auth');
    const gatewayEnv: Record<string, string> = {
      ...base,
      PORT: String(options.ports?.['gateway'] ?? 0),
      SUPERGRAPH_PATH: join(repoRoot, 'schema/supergraph.graphql'),
      SUBGRAPH_URLS: [...running].map(([name, s]) => `${name}=${s.url}/graphql`).join(','),
      ...(auth ? { AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`, AUTH_INTERNAL_URL: auth.url } : {}),
    };
    const gateway = await gatewayModule.startGateway(gatewayModule.loadGatewayConfig(gatewayEnv), {
      logger: createLogger('gateway', logLevel as LevelWithSilent),
      // Revocations reach the gateway on the same bus as the subgraphs.
      events,
    });
    return {
      gatewayUrl: gateway.url,
      subgraphs: running,
      events,
      async stop() {
        await gateway.stop(2000);
        for (const s of [...running.values()].reverse()) await s.stop(2000);
        if (!options.events) await events.close();
      },
    };
  } catch (error) {
    for (const s of [...running.values()].reverse()) await s.stop(500).catch(() => undefined);
    throw error;
  }
}
