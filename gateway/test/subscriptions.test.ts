import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger, MemoryEventBus, topics, type RunningSubgraph } from '@vegshare/kit';
import { startGateway, loadGatewayConfig, type RunningGateway } from '../src/index.ts';
import {
  startCatalog,
  startTicks,
  testTokens,
  writeFixtureSupergraph,
  nothingRevoked,
  closedToPublic,
  appendTick,
  resumedAfter,
  type TickTopics,
} from './fixtures.ts';

const SECRET = 'fixture-gateway-secret-0123';
const bus = new MemoryEventBus<TickTopics>();
/** The gateway's event bus: revocations arrive on it. */
const revocations = new MemoryEventBus();
const entityCalls = { count: 0 };
let tokens: Awaited<ReturnType<typeof testTokens>>;
let ticks: RunningSubgraph;
let catalog: RunningSubgraph;
let gateway: RunningGateway;
let ticksPort: number;
const clients: Client[] = [];

type Tick = {
  n: number;
  channel?: string;
  viewer: string | null;
  secret: string | null;
  camera: { id: string; name: string };
};
type Result = {
  data?: { tick: Tick; guardedTick?: Tick } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

function connect(token: string | null, extra: { onClose?: (code: number) => void } = {}): Client {
  const client = createClient({
    url: gateway.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    on: { closed: (e) => extra.onClose?.((e as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

/** Subscribes and collects results; `until` resolves once `count` results arrived. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: Result[] = [];
  let error: unknown = null;
  let completed = false;
  const dispose = client.subscribe<Result['data']>(
    { query, variables },
    {
      next: (r) => results.push(r as Result),
      error: (e) => (error = e),
      complete: () => (completed = true),
    },
  );
  return {
    results,
    dispose,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
  };
}

/** Publishes on the channel every 50 ms until `done()` holds (the upstream subscription is set up asynchronously). */
async function publishUntil(
  channel: string,
  done: () => boolean,
  cameraId = 'cam-1',
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now();
  let n = 0;
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out publishing on ${channel}`);
    await bus.publish(`tick.${channel}`, { n: n++, channel, cameraId });
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error(
        `timed out (upstreams ${gateway.subscriptions.upstreams}, results ${gateway.subscriptions.sharedResults})`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  tokens = await testTokens();
  ticks = await startTicks(bus, tokens.verifier);
  ticksPort = ticks.port;
  catalog = await startCatalog(entityCalls);
  const supergraph = writeFixtureSupergraph(ticks.url, catalog.url);
  gateway = await startGateway(
    loadGatewayConfig({ PORT: '0', SUPERGRAPH_PATH: supergraph, GATEWAY_SECRET: SECRET, LOG_LEVEL: 'silent' }),
    {
      logger: createLogger('gateway', 'silent'),
      revocationSource: nothingRevoked,
      verifier: tokens.verifier,
      events: revocations,
    },
  );
});

afterAll(async () => {
  for (const c of clients) await c.dispose();
  await gateway?.stop(500);
  await ticks?.stop(500);
  await catalog?.stop(500);
});

const TICK = 'subscription($c: String!) { tick(channel: $c) { n viewer camera { id name } } }';

describe('federated subscriptions through the gateway', () => {
  it('resolves fields owned by another subgraph for every event, with the caller identity forwarded upstream', async () => {
    const token = await tokens.sign('user-1', ['CUSTOMER']);
    const sub = collect(connect(token), TICK, { c: 'a' });
    await publishUntil('a', () => sub.results.length >= 2);
    const last = sub.results.at(-1);
    expect(last?.errors).toBeUndefined();
    expect(last?.data?.tick).toMatchObject({ viewer: 'user-1', camera: { id: 'cam-1', name: 'Camera cam-1' } });
    expect(entityCalls.count).toBeGreaterThan(0);
    sub.dispose();
  });

  it('shares one upstream subscription between identical client subscriptions', async () => {
    const token = await tokens.sign('user-2', ['CUSTOMER']);
    const a = collect(connect(token), TICK, { c: 'shared' });
    const b = collect(connect(token), TICK, { c: 'shared' });
    await publishUntil('shared', () => a.results.length > 0 && b.results.length > 0);
    expect(gateway.subscriptions.upstreams).toBe(1);
    a.dispose();
    await new Promise((r) => setTimeout(r, 100));
    expect(gateway.subscriptions.upstreams).toBe(1);
    b.dispose();
    await waitFor(() => gateway.subscriptions.upstreams === 0);
  });

  it('refuses subscriptions beyond the per-connection cap with a stable code', async () => {
    const client = connect(await tokens.sign('user-3', ['CUSTOMER']));
    const subs = Array.from({ length: 26 }, (_, i) => collect(client, TICK, { c: `cap-${i}` }));
    await waitFor(() => subs.some((s) => s.error !== null));
    const refused = subs.filter((s) => s.error !== null);
    expect(refused).toHaveLength(1);
    expect(JSON.stringify(refused[0]?.error)).toContain('At most 25 subscriptions per connection');
    for (const s of subs) s.dispose();
  });

  it('rejects invalid subscriptions with validation errors, not crashes', async () => {
    const client = connect(null);
    const sub = collect(client, 'subscription { tick(channel: 1) { nope } }');
    await waitFor(() => sub.error !== null);
    expect(JSON.stringify(sub.error)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a connection with a forged token', async () => {
    let code = 0;
    const client = connect('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', { onClose: (c) => (code = c) });
    const sub = collect(client, TICK, { c: 'forged' });
    await waitFor(() => code !== 0);
    expect(code).toBe(4403);
    expect(sub.results).toHaveLength(0);
  });

  it('runs queries sent over the socket through the normal pipeline', async () => {
    const client = connect(null);
    const result = await new Promise<unknown>((resolve, reject) => {
      client.subscribe(
        { query: '{ ping camera(id: "c9") { name } }' },
        { next: resolve, error: reject, complete: () => undefined },
      );
    });
    expect(result).toEqual({ data: { ping: 'pong', camera: { name: 'Camera c9' } } });
  });

  it('re-subscribes upstream after the last event delivered when the subgraph comes back: the client misses nothing', async () => {
    const query = 'subscription($c: String!) { resumableTick(channel: $c) { n channel } }';
    const sub = collect(connect(await tokens.sign('user-resume', ['CUSTOMER'])), query, { c: 'resume' });
    let n = 0;
    const emit = () => appendTick(bus, { n: ++n, channel: 'resume', cameraId: 'cam-1' });
    while (sub.results.length === 0) {
      await emit();
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => sub.results.at(-1)?.data?.['resumableTick' as 'tick']?.n === n);
    const lastBefore = n;
    await ticks.stop(100);
    for (let i = 0; i < 5; i++) await emit(); // while the gateway's upstream connection is down
    ticks = await startTicks(bus, tokens.verifier, ticksPort);
    await waitFor(() => sub.results.at(-1)?.data?.['resumableTick' as 'tick']?.n === n);
    await emit(); // and live again
    await waitFor(() => sub.results.at(-1)?.data?.['resumableTick' as 'tick']?.n === n);
    const received = sub.results.map((r) => r.data?.['resumableTick' as 'tick']);
    const first = received[0]?.n ?? 0;
    // Every tick once, in order, shaped as the client asked (the cursor the gateway reads is not in the result).
    expect(received).toEqual(Array.from({ length: n - first + 1 }, (_, i) => ({ n: first + i, channel: 'resume' })));
    expect(resumedAfter).toContain(String(lastBefore));
    expect(sub.error).toBeNull();
    expect(sub.completed).toBe(false);
    sub.dispose();
  });

  it('keeps client subscriptions alive across a subgraph restart (upstream reconnects)', async () => {
    const token = await tokens.sign('user-4', ['CUSTOMER']);
    const sub = collect(connect(token), TICK, { c: 'restart' });
    await publishUntil('restart', () => sub.results.length > 0);
    await ticks.stop(100);
    ticks = await startTicks(bus, tokens.verifier, ticksPort);
    const before = sub.results.length;
    await publishUntil('restart', () => sub.results.length > before, 'cam-2', 20_000);
    expect(sub.error).toBeNull();
    expect(sub.results.at(-1)?.data?.tick.camera.id).toBe('cam-2');
    sub.dispose();
  });
});

const codeOf = (sub: { results: Result[]; error: unknown }): string | undefined =>
  sub.results.at(-1)?.errors?.[0]?.extensions?.code ??
  (sub.error as { extensions?: { code?: string } }[] | null)?.[0]?.extensions?.code;

describe('fan-out: one upstream, one completion and one serialisation per distinct (operation, rights)', () => {
  it('shares a caller-independent result between anonymous and signed-in callers, completing each event once', async () => {
    const query = 'subscription($c: String!) { tick(channel: $c) { n channel camera { id name } } }';
    const [alice, bob] = await Promise.all([
      tokens.sign('fan-alice', ['CUSTOMER']),
      tokens.sign('fan-bob', ['FARMER']),
    ]);
    const subs = [connect(null), connect(null), connect(null), connect(alice), connect(bob)].map((c) =>
      collect(c, query, { c: 'fan' }),
    );
    await publishUntil('fan', () => subs.every((s) => s.results.length > 0));
    await waitFor(() => gateway.subscriptions.upstreams === 1 && gateway.subscriptions.sharedResults === 1);
    await new Promise((r) => setTimeout(r, 300)); // events published while waiting have arrived
    const before = entityCalls.count;
    await bus.publish('tick.fan', { n: 1000, channel: 'fan', cameraId: 'cam-fan' });
    await waitFor(() => subs.every((s) => s.results.at(-1)?.data?.tick.n === 1000));
    // One entity fetch for five clients (a per-caller completion would make five).
    expect(entityCalls.count - before).toBe(1);
    const last = subs.map((s) => JSON.stringify(s.results.at(-1)));
    expect(new Set(last).size).toBe(1);
    expect(subs[0]?.results.at(-1)?.data?.tick).toEqual({
      n: 1000,
      channel: 'fan',
      camera: { id: 'cam-fan', name: 'Camera cam-fan' },
    });
    for (const s of subs) s.dispose();
    await waitFor(() => gateway.subscriptions.upstreams === 0 && gateway.subscriptions.sharedResults === 0);
  });

  it('never shares between callers whose rights differ: the renter receives, a stranger and an anonymous caller are refused', async () => {
    const query = 'subscription($c: String!) { guardedTick(channel: $c) { n channel camera { id name } } }';
    const [renter, stranger] = await Promise.all([
      tokens.sign('renter', ['CUSTOMER']),
      tokens.sign('stranger', ['CUSTOMER']),
    ]);
    const anonymous = collect(connect(null), query, { c: 'for-renter' });
    const strangers = collect(connect(stranger), query, { c: 'for-renter' });
    const renters = collect(connect(renter), query, { c: 'for-renter' });
    await publishUntil('for-renter', () => renters.results.length >= 2);
    await waitFor(() => anonymous.completed && strangers.completed);
    expect(renters.results.every((r) => r.errors === undefined && r.data?.guardedTick?.channel === 'for-renter')).toBe(
      true,
    );
    expect(renters.completed).toBe(false);
    expect(anonymous.results.some((r) => r.data)).toBe(false);
    expect(strangers.results.some((r) => r.data)).toBe(false);
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(codeOf(strangers)).toBe('FORBIDDEN');
    // A stranger arriving now (the anonymous refusal is remembered) asks with their own rights at once.
    const later = collect(connect(await tokens.sign('latecomer', ['CUSTOMER'])), query, { c: 'for-renter' });
    await waitFor(() => later.completed);
    expect(later.results.some((r) => r.data)).toBe(false);
    expect(codeOf(later)).toBe('FORBIDDEN');
    renters.dispose();
    await waitFor(() => gateway.subscriptions.upstreams === 0);
  });

  it('when what was public is closed to anonymous callers, they are refused and signed-in sharers go on with their own rights', async () => {
    const query = 'subscription($c: String!) { guardedTick(channel: $c) { n channel } }';
    const channel = 'public-cam';
    const alice = await tokens.sign('closing-alice', ['CUSTOMER']);
    const anonymous = [collect(connect(null), query, { c: channel }), collect(connect(null), query, { c: channel })];
    const signedIn = collect(connect(alice), query, { c: channel });
    await publishUntil(channel, () => [...anonymous, signedIn].every((s) => s.results.length > 0));
    await waitFor(() => gateway.subscriptions.upstreams === 1);
    closedToPublic.add(channel);
    await bus.publish(`closed.${channel}`, {});
    await waitFor(() => anonymous.every((s) => s.completed || s.error !== null));
    for (const s of anonymous) expect(codeOf(s)).toBe('UNAUTHENTICATED');
    const seen = signedIn.results.length;
    await publishUntil(channel, () => signedIn.results.length > seen + 1);
    expect(signedIn.results.slice(seen).every((r) => r.data?.guardedTick?.channel === channel)).toBe(true);
    expect(signedIn.completed).toBe(false);
    // Alice now has her own upstream; the anonymous one ended with the refusal.
    await waitFor(() => gateway.subscriptions.upstreams === 1);
    signedIn.dispose();
    await waitFor(() => gateway.subscriptions.upstreams === 0);
  });

  it('a field that reads the caller splits the result: a farmer sees the farmer-only field, a customer never does', async () => {
    const query = 'subscription($c: String!) { tick(channel: $c) { n secret } }';
    const [farmer, customer] = await Promise.all([
      tokens.sign('split-farmer', ['FARMER']),
      tokens.sign('split-customer', ['CUSTOMER']),
    ]);
    const farmers = collect(connect(farmer), query, { c: 'split' });
    const customers = collect(connect(customer), query, { c: 'split' });
    const anonymous = collect(connect(null), query, { c: 'split' });
    await publishUntil('split', () => [farmers, customers, anonymous].every((s) => s.results.length > 1));
    expect(gateway.subscriptions.sharedResults).toBe(3);
    expect(farmers.results.every((r) => r.data?.tick.secret === `secret-${r.data?.tick.n}`)).toBe(true);
    expect(customers.results.every((r) => r.data?.tick.secret === null)).toBe(true);
    expect(anonymous.results.every((r) => r.data?.tick.secret === null)).toBe(true);
    for (const s of [farmers, customers, anonymous]) s.dispose();
    await waitFor(() => gateway.subscriptions.upstreams === 0);
  });
});

describe('per-caller connection state: shared, and still revocation-aware', () => {
  it('connections of one caller share one caller state; revoking it ends each of its subscriptions at once, not another caller’s', async () => {
    const callersBefore = gateway.subscriptions.callers;
    const revoked = await tokens.sign('user-revoked', ['CUSTOMER']);
    const other = await tokens.sign('user-other', ['CUSTOMER']);
    const tabs = [connect(revoked), connect(revoked), connect(revoked)];
    const watching = tabs.map((client) => collect(client, TICK, { c: 'callers' }));
    const otherClient = connect(other);
    const bystander = collect(otherClient, TICK, { c: 'callers' });
    await publishUntil('callers', () => [...watching, bystander].every((s) => s.results.length > 0));
    // Three connections of one token from one client: one caller; the other token: a second one.
    expect(gateway.subscriptions.callers).toBe(callersBefore + 2);

    // One tab closes: the caller (and its revocation watch) stays for the other two.
    const open = gateway.subscriptions.connections;
    await tabs[0]?.dispose();
    await waitFor(() => gateway.subscriptions.connections === open - 1);
    expect(gateway.subscriptions.callers).toBe(callersBefore + 2);

    // The account is deleted: both remaining subscriptions end with FORBIDDEN without waiting for an event.
    await revocations.publish(topics.accessRevoked, {
      kind: 'ACCOUNT_DELETED',
      userId: 'user-revoked',
      at: Date.now(),
    });
    const ended = watching.slice(1);
    await waitFor(() => ended.every((s) => s.completed));
    for (const s of ended) expect(s.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // The other caller goes on receiving.
    const received = bystander.results.length;
    await publishUntil('callers', () => bystander.results.length > received);
    expect(bystander.results.at(-1)?.errors).toBeUndefined();
    expect(bystander.completed).toBe(false);

    // Their last connections closed, both callers are forgotten.
    await Promise.all([...tabs.slice(1), otherClient].map((c) => c.dispose()));
    await waitFor(() => gateway.subscriptions.callers === callersBefore);
  });

  it('a caller state is per token and roles: a new token of the same user is another caller', async () => {
    const callersBefore = gateway.subscriptions.callers;
    const first = await tokens.sign('user-two-tokens', ['CUSTOMER']);
    const second = await tokens.sign('user-two-tokens', ['CUSTOMER', 'FARMER']);
    const connections = [connect(first), connect(second)];
    const [a, b] = connections.map((c) => collect(c, TICK, { c: 'two-tokens' }));
    await publishUntil('two-tokens', () => (a?.results.length ?? 0) > 0 && (b?.results.length ?? 0) > 0);
    expect(gateway.subscriptions.callers).toBe(callersBefore + 2);
    await Promise.all(connections.map((c) => c.dispose()));
    await waitFor(() => gateway.subscriptions.callers === callersBefore);
  });
});

describe('gateway shutdown', () => {
  it('tells connected clients to reconnect (close 1012) when it drains', async () => {
    const second = await startGateway(
      loadGatewayConfig({
        PORT: '0',
        SUPERGRAPH_PATH: writeFixtureSupergraph(ticks.url, catalog.url),
        GATEWAY_SECRET: SECRET,
        LOG_LEVEL: 'silent',
      }),
      { logger: createLogger('gateway', 'silent'), revocationSource: nothingRevoked, verifier: tokens.verifier },
    );
    let code = 0;
    const client = createClient({
      url: second.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      on: { closed: (e) => (code = (e as { code: number }).code) },
    });
    clients.push(client);
    const sub = collect(client, TICK, { c: 'drain' });
    await publishUntil('drain', () => sub.results.length > 0);
    await second.stop(500);
    await waitFor(() => code !== 0);
    expect(code).toBe(1012);
  });
});
