import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LevelWithSilent } from 'pino';
import { MemoryEventBus, type EventBus, type Logger, type RunningSubgraph } from '@vegshare/kit';
import { readRoverConfig, repoRoot } from './workspace.ts';
import { loadService } from './services.ts';
import { freePort } from './ports.ts';
import { startDemoCameras, type DemoCameras } from './demo-cameras/demo-cameras.ts';

export interface StackOptions {
  readonly databaseUrl: string;
  /** Extra environment for every service (S3_*, REDIS_URL…); `GATEWAY_SECRET` here is used instead of a random one. */
  readonly env?: Readonly<Record<string, string>>;
  /** Each service's own environment (see service-env.ts), over `env`; the stack's wiring still wins. */
  readonly envFor?: (service: string) => Readonly<Record<string, string>>;
  /** Fixed ports by service name (`gateway` included); 0 / absent = ephemeral. */
  readonly ports?: Readonly<Record<string, number>>;
  /** One bus for every in-process service when no REDIS_URL is given. */
  readonly events?: EventBus;
  readonly seed?: boolean;
  /** Default level of every service's logger (each tagged with its service name); LOG_LEVEL in `envFor` overrides it. */
  readonly logLevel?: LevelWithSilent;
  /**
   * Run the demo cameras (a local RTMP server with a test-pattern camera per demo camera, made with the ffmpeg the
   * transcoder uses) and seed the demo cameras to stream from it; `dataDir` keeps the test-pattern clip.
   */
  readonly demoCameras?: { readonly dataDir: string };
}

export interface RunningStack {
  readonly gatewayUrl: string;
  readonly subgraphs: ReadonlyMap<string, RunningSubgraph>;
  readonly events: EventBus;
  /** The secret every subgraph requires of callers (`x-gateway-secret`), which only the gateway knows. */
  readonly gatewaySecret: string;
  /** The demo cameras, when asked for (tests drop and restore them). */
  readonly demoCameras: DemoCameras | null;
  stop(): Promise<void>;
}

interface GatewayModule {
  loadGatewayConfig(env: Record<string, string | undefined>): unknown;
  startGateway(
    config: unknown,
    deps?: { logger?: Logger; events?: EventBus },
  ): Promise<{ url: string; stop(graceMs?: number): Promise<void> }>;
}

/** Subgraphs listen on loopback only: the gateway, in the same process, is their only caller. */
export const SUBGRAPH_HOST = '127.0.0.1';

/**
 * The whole supergraph in this process: every subgraph of rover.yaml (auth first, so the others can reach its
 * JWKS), optionally seeded, then the gateway routed to them. Subgraphs listen on 127.0.0.1 and refuse callers without
 * the gateway secret (random unless `env.GATEWAY_SECRET` is given). Used by the embedded start and end-to-end tests.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const events = options.events ?? new MemoryEventBus();
  const names = readRoverConfig().subgraphs.map((s) => s.name);
  const ordered = ['auth', ...names.filter((n) => n !== 'auth')].filter((n) => names.includes(n));
  const running = new Map<string, RunningSubgraph>();
  const gatewaySecret = options.env?.['GATEWAY_SECRET'] ?? randomBytes(32).toString('base64url');
  // The gateway's port is known before the subgraphs start: playback URLs they hand out point at its origin.
  const gatewayPort = options.ports?.['gateway'] || (await freePort());
  // streaming (which serves media) and transcoding (which signs VOD URLs) share one playback key.
  const playbackSecret =
    options.envFor?.('streaming')['PLAYBACK_SIGNING_SECRET'] ??
    options.env?.['PLAYBACK_SIGNING_SECRET'] ??
    randomBytes(32).toString('base64url');
  const envOf = (name: string, wiring: Record<string, string>): Record<string, string> => ({
    LOG_LEVEL: options.logLevel ?? 'silent',
    PLAYBACK_BASE_URL: `http://127.0.0.1:${gatewayPort}`,
    ...options.env,
    ...options.envFor?.(name),
    DATABASE_URL: options.databaseUrl,
    GATEWAY_SECRET: gatewaySecret,
    PLAYBACK_SIGNING_SECRET: playbackSecret,
    ...wiring,
  });
  let demoCameras: DemoCameras | null = null;
  try {
    if (options.demoCameras) {
      const transcoding = envOf('transcoding', {});
      const { resolveFfmpeg } = await import('@vegshare/transcoding/domain/media/ffmpeg-binary');
      const binaries = await resolveFfmpeg({
        ffmpegPath: transcoding['FFMPEG_PATH'],
        ffprobePath: transcoding['FFPROBE_PATH'],
      });
      demoCameras = await startDemoCameras({ ffmpeg: binaries.ffmpeg, dataDir: options.demoCameras.dataDir });
    }
    for (const name of ordered) {
      const service = await loadService(name);
      if (options.seed)
        await service.seed(options.databaseUrl, demoCameras ? { demoCameraBaseUrl: demoCameras.baseUrl } : {});
      const auth = running.get('auth');
      const env = envOf(name, {
        PORT: String(options.ports?.[name] ?? 0),
        HOST: SUBGRAPH_HOST,
        ...(auth ? { AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json` } : {}),
      });
      // Each service builds its logger from its own LOG_LEVEL (tagged with its name).
      running.set(name, await service.start(service.loadConfig(env), { events }));
    }
    const gatewayModule = (await import('@vegshare/gateway')) as unknown as GatewayModule;
    const auth = running.get('auth');
    const gatewayEnv = envOf('gateway', {
      PORT: String(gatewayPort),
      SUPERGRAPH_PATH: join(repoRoot, 'schema/supergraph.graphql'),
      SUBGRAPH_URLS: [...running].map(([name, s]) => `${name}=${s.url}/graphql`).join(','),
      ...(auth ? { AUTH_JWKS_URL: `${auth.url}/.well-known/jwks.json`, AUTH_INTERNAL_URL: auth.url } : {}),
    });
    // Revocations reach the gateway on the same bus as the subgraphs.
    const gateway = await gatewayModule.startGateway(gatewayModule.loadGatewayConfig(gatewayEnv), { events });
    return {
      gatewayUrl: gateway.url,
      subgraphs: running,
      events,
      gatewaySecret,
      demoCameras,
      async stop() {
        await gateway.stop(2000);
        for (const s of [...running.values()].reverse()) await s.stop(2000);
        await demoCameras?.stop();
        if (!options.events) await events.close();
      },
    };
  } catch (error) {
    for (const s of [...running.values()].reverse()) await s.stop(500).catch(() => undefined);
    await demoCameras?.stop().catch(() => undefined);
    throw error;
  }
}
