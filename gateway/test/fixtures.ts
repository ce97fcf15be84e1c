import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import composition from '@apollo/composition';
import { GraphQLError, parse } from 'graphql';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import {
  MemoryEventBus,
  createJwtVerifier,
  createLogger,
  type RevocationSource,
  createMetrics,
  eventIterator,
  type EventBus,
  startSubgraph,
  viewerFromHeaders,
  whileAllowed,
  type RunningSubgraph,
  type TokenVerifier,
  type Viewer,
} from '@vegshare/kit';
import { loadGatewayConfig, startGateway, type GatewayDeps, type RunningGateway } from '../src/index.ts';
import type { GatewayContext } from '../src/context.ts';

/** The context of a caller with no token and no API key. */
export const anonymousContext: GatewayContext = {
  viewer: null,
  authorization: null,
  viaApiKey: false,
  clientIp: '',
  userAgent: null,
};

const ISSUER = 'https://auth.test';

/** The fixture subgraphs have no auth service: its revocation feed, for them, holds nothing revoked. */
export const nothingRevoked: RevocationSource = { changesSince: async () => [] };
const AUDIENCE = 'vegshare-test';

/** An Ed25519 key pair and a verifier over its JWKS, to mint real tokens in tests. */
export async function testTokens(): Promise<{
  verifier: TokenVerifier;
  sign(sub: string, roles: string[], ttl?: string): Promise<string>;
}> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'EdDSA' };
  const verifier = createJwtVerifier({ keys: createLocalJWKSet({ keys: [jwk] }), issuer: ISSUER, audience: AUDIENCE });
  return {
    verifier,
    sign: (sub, roles, ttl = '10m') =>
      new SignJWT({ roles, sid: 'session-1' })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-key' })
        .setSubject(sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(ttl)
        .sign(privateKey),
  };
}

const LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
  @link(url: "https://specs.vegshare.dev/sharing/v1.0", import: ["@callerIndependent"]) @composeDirective(name: "@callerIndependent")
directive @callerIndependent on FIELD_DEFINITION`;

/**
 * Subgraph "ticks": owns the Subscription root and references cameras owned by "catalog". `viewer` and `secret`
 * (FARMER only, null for others) read the caller; `guardedTick` is only for the user named by its channel
 * (`for-<userId>`): anonymous callers are refused with UNAUTHENTICATED, other users with FORBIDDEN; a `public-…`
 * channel is open to everyone until `closedToPublic` says otherwise.
 */
const TICKS_SDL = `${LINK}
type Tick { n: Int! @callerIndependent channel: String! @callerIndependent viewer: String secret: String camera: Camera! @callerIndependent cursor: String! @callerIndependent }
type Camera @key(fields: "id", resolvable: false) { id: ID! @callerIndependent }
type Query { ping: String! }
type Subscription {
  tick(channel: String!): Tick! @callerIndependent
  guardedTick(channel: String!): Tick! @callerIndependent
  resumableTick(channel: String!, after: String): Tick! @callerIndependent
}
`;
/** Subgraph "catalog": resolves Camera entities (name, farm) in batches and counts its entity fetches. */
const CATALOG_SDL = `${LINK}
type Camera @key(fields: "id") { id: ID! @callerIndependent name: String! @callerIndependent }
type Query { camera(id: ID!): Camera }
`;

export interface TickEvent {
  readonly n: number;
  readonly channel: string;
  readonly cameraId: string;
}

interface Ctx {
  readonly viewer: Viewer | null;
}

/**
 * `resumableTick` follows the API's resume convention (`after` = the `cursor` of the last tick received, here its
 * `n`): what `appendTick` published is kept, like a feed in a database, and replayed after the cursor. Every `after`
 * a subscription arrived with is recorded, to see what the gateway re-subscribed with.
 */
/** The fixture subgraph's topics: a channel's ticks, and `closed.<channel>` when its camera goes private. */
export interface TickTopics {
  [tick: `tick.${string}`]: TickEvent;
  [closed: `closed.${string}`]: Record<string, never>;
}

const tickLog = new Map<string, TickEvent[]>();
export const resumedAfter: (string | null)[] = [];

export async function appendTick(bus: EventBus<TickTopics>, event: TickEvent): Promise<void> {
  tickLog.set(event.channel, [...(tickLog.get(event.channel) ?? []), event]);
  await bus.publish(`tick.${event.channel}`, event);
}

async function* afterCursor(
  live: AsyncIterableIterator<TickEvent>,
  channel: string,
  after: string | null,
): AsyncGenerator<TickEvent> {
  let last = after === null ? -Infinity : Number(after);
  try {
    for (const event of tickLog.get(channel) ?? []) if (event.n > last) yield event;
    last = Math.max(last, ...(tickLog.get(channel) ?? []).map((e) => e.n));
    for await (const event of live) {
      if (event.n <= last) continue;
      last = event.n;
      yield event;
    }
  } finally {
    await live.return?.();
  }
}

/**
 * `guardedTick` channels named `public-…` are open to anonymous callers until closed here (like a public camera its
 * farmer makes private): open subscriptions re-check when `closed.<channel>` is published on the bus.
 */
export const closedToPublic = new Set<string>();

export async function startTicks(
  bus: EventBus<TickTopics>,
  verifier: TokenVerifier,
  port = 0,
): Promise<RunningSubgraph> {
  const logger = createLogger('ticks', 'silent');
  return startSubgraph<Ctx>({
    name: 'ticks',
    port,
    typeDefs: parse(TICKS_SDL),
    resolvers: {
      Query: { ping: () => 'pong' },
      Subscription: {
        tick: {
          subscribe: (_: unknown, args: { channel: string }) => eventIterator(bus, `tick.${args.channel}`),
          resolve: (event: TickEvent, _: unknown, ctx: Ctx) => ({ ...event, viewer: ctx.viewer?.userId ?? null }),
        },
        resumableTick: {
          subscribe: async (_: unknown, args: { channel: string; after?: string | null }) => {
            resumedAfter.push(args.after ?? null);
            const live = await eventIterator(bus, `tick.${args.channel}`);
            return afterCursor(live, args.channel, args.after ?? null);
          },
          resolve: (event: TickEvent) => event,
        },
        guardedTick: {
          subscribe: async (_: unknown, args: { channel: string }, ctx: Ctx) => {
            if (args.channel.startsWith('public-')) {
              const check = () => {
                if (closedToPublic.has(args.channel) && !ctx.viewer)
                  throw new GraphQLError('Sign in first', { extensions: { code: 'UNAUTHENTICATED' } });
              };
              check();
              return whileAllowed(await eventIterator(bus, `tick.${args.channel}`), {
                bus,
                topics: [`closed.${args.channel}`],
                recheck: async () => check(),
              });
            }
            if (!ctx.viewer) throw new GraphQLError('Sign in first', { extensions: { code: 'UNAUTHENTICATED' } });
            if (args.channel !== `for-${ctx.viewer.userId}`)
              throw new GraphQLError('Not yours', { extensions: { code: 'FORBIDDEN' } });
            return eventIterator(bus, `tick.${args.channel}`);
          },
          resolve: (event: TickEvent) => event,
        },
      },
      Tick: {
        camera: (t: TickEvent) => ({ __typename: 'Camera', id: t.cameraId }),
        cursor: (t: TickEvent) => String(t.n),
        secret: (t: TickEvent, _: unknown, ctx: Ctx) => (ctx.viewer?.roles.includes('FARMER') ? `secret-${t.n}` : null),
      },
    },
    logger,
    metrics: createMetrics('ticks'),
    readiness: [],
    context: async (req) => ({ viewer: await viewerFromHeaders(req.headers, verifier) }),
    connectionContext: async (params) => ({
      viewer: await viewerFromHeaders(
        typeof params['authorization'] === 'string' ? { authorization: params['authorization'] } : {},
        verifier,
      ),
    }),
    gatewaySecret: FIXTURE_SECRET,
  });
}

export async function startCatalog(entityCalls: { count: number }): Promise<RunningSubgraph> {
  return startSubgraph<Ctx>({
    name: 'catalog',
    port: 0,
    typeDefs: parse(CATALOG_SDL),
    resolvers: {
      Query: { camera: (_: unknown, { id }: { id: string }) => ({ id, name: `Camera ${id}` }) },
      Camera: {
        __resolveReference: (ref: { id: string }) => {
          entityCalls.count += 1;
          return { id: ref.id, name: `Camera ${ref.id}` };
        },
      },
    },
    logger: createLogger('catalog', 'silent'),
    metrics: createMetrics('catalog'),
    readiness: [],
    context: async () => ({ viewer: null }),
    gatewaySecret: FIXTURE_SECRET,
  });
}

/** Composes the two fixture subgraphs into a supergraph file routed to their ports. */
export function writeFixtureSupergraph(ticksUrl: string, catalogUrl: string): string {
  const result = composition.composeServices([
    { name: 'ticks', url: `${ticksUrl}/graphql`, typeDefs: parse(TICKS_SDL) },
    { name: 'catalog', url: `${catalogUrl}/graphql`, typeDefs: parse(CATALOG_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const file = join(mkdtempSync(join(tmpdir(), 'gw-fixture-')), 'supergraph.graphql');
  writeFileSync(file, result.supergraphSdl);
  return file;
}

/** The secret between the fixture gateway and its subgraphs. */
export const FIXTURE_SECRET = 'fixture-gateway-secret-0123';

/** The two fixture subgraphs composed into one supergraph file, as most gateway tests start them. */
export interface FixtureStack {
  readonly ticks: RunningSubgraph;
  readonly catalog: RunningSubgraph;
  readonly tokens: Awaited<ReturnType<typeof testTokens>>;
  /** Path of the composed supergraph routed to the two subgraphs. */
  readonly supergraph: string;
  /**
   * A gateway over them (port 0, the fixture secret, silent logs, nothing revoked, the stack's token verifier); `env`
   * adds or overrides configuration, `deps` dependencies. Stopped by `stop()` unless the test stops it first.
   */
  gateway(env?: Record<string, string>, deps?: GatewayDeps): Promise<RunningGateway>;
  /** Stops every gateway started through it, then the subgraphs. */
  stop(graceMs?: number): Promise<void>;
}

export async function startFixtureStack(
  bus: EventBus<TickTopics> = new MemoryEventBus<TickTopics>(),
): Promise<FixtureStack> {
  const tokens = await testTokens();
  const ticks = await startTicks(bus, tokens.verifier);
  const catalog = await startCatalog({ count: 0 });
  const supergraph = writeFixtureSupergraph(ticks.url, catalog.url);
  const gateways: RunningGateway[] = [];
  return {
    ticks,
    catalog,
    tokens,
    supergraph,
    async gateway(env = {}, deps = {}) {
      const gateway = await startGateway(
        loadGatewayConfig({
          PORT: '0',
          SUPERGRAPH_PATH: supergraph,
          GATEWAY_SECRET: FIXTURE_SECRET,
          LOG_LEVEL: 'silent',
          ...env,
        }),
        {
          logger: createLogger('gateway', 'silent'),
          revocationSource: nothingRevoked,
          verifier: tokens.verifier,
          ...deps,
        },
      );
      gateways.push(gateway);
      return gateway;
    },
    async stop(graceMs = 500) {
      await Promise.all(gateways.map((g) => g.stop(graceMs).catch(() => undefined)));
      await ticks.stop(graceMs);
      await catalog.stop(graceMs);
    },
  };
}
