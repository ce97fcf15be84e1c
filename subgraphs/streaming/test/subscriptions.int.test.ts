import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { topics, type LiveTranscodeStatus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { gql, startHarness, users, waitFor, type Harness } from './harness.ts';

let h: Harness;
let streamId = '';
const clients: Client[] = [];

beforeAll(async () => {
  h = await startHarness();
  streamId = (await h.db.stream.findUniqueOrThrow({ where: { cameraId: demo.cameras.greenA1 } })).id;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await h?.stop();
});

function connect(token?: string): Client {
  const client = createClient({
    url: `${h.service.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
  clients.push(client);
  return client;
}

interface Collected<T> {
  readonly values: T[];
  readonly errors: unknown[];
  /** Resolves once the subscription is known to be active upstream (the first event proves it) or failed. */
  done: Promise<void>;
  stop(): void;
}

function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, unknown>) => T,
): Collected<T> {
  const values: T[] = [];
  const errors: unknown[] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    stop = client.subscribe<Record<string, unknown>>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors) errors.push(...r.errors);
          if (r.data) values.push(pick(r.data));
        },
        error: (e) => {
          errors.push(e);
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { values, errors, done, stop: () => stop() };
}

const STATUS =
  'subscription($s: ID!) { streamStatusChanged(streamId: $s) { id status renditions lastError camera { name plot { id } } } }';
const VIEWERS = 'subscription($s: ID!) { viewerCount(streamId: $s) }';
const report = (
  status: LiveTranscodeStatus['status'],
  extra: Partial<LiveTranscodeStatus> = {},
): LiveTranscodeStatus => ({
  streamId,
  jobId: 'job-ws',
  status,
  masterPlaylistKey: `live/${streamId}/job-ws/master.m3u8`,
  renditions: ['720p'],
  error: null,
  at: new Date().toISOString(),
  ...extra,
});

/** graphql-ws acknowledges `subscribe` without telling when the resolver's bus subscription is active; wait until it is. */
async function settled(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
}

describe('subscriptions over graphql-ws on the subgraph', () => {
  it('delivers every status change of a stream, in order, to a viewer allowed to watch it', async () => {
    const customer = await h.token(users.customer.id, users.customer.roles);
    const sub = collect(
      connect(customer),
      STATUS,
      { s: streamId },
      (d) => d['streamStatusChanged'] as { status: string; camera: { name: string } },
    );
    await settled();
    await gql(h, 'query($s: ID!) { playbackUrl(streamId: $s) { url } }', { s: streamId }, customer); // STARTING on demand
    await waitFor(
      () => h.db.stream.findUniqueOrThrow({ where: { id: streamId } }),
      (s) => s.status === 'STARTING',
    );
    // The transcoder's own STARTING acknowledgement (and a duplicate LIVE) are not status changes.
    for (const status of ['STARTING', 'LIVE', 'LIVE', 'RECONNECTING', 'LIVE'] as const)
      await h.bus.publish(topics.liveTranscodeStatus, report(status));
    await waitFor(
      () => sub.values.length,
      (n) => n >= 4,
    );
    const admin = await h.token(users.admin.id, users.admin.roles);
    // The connection's context outlives its loader cache: a rename shows in the next event.
    await gql(
      h,
      'mutation($c: ID!) { updateCamera(id: $c, input: { name: "Plot A-1 north" }) { name } }',
      { c: demo.cameras.greenA1 },
      admin,
    );
    await new Promise((r) => setTimeout(r, 1100));
    await gql(h, 'mutation($c: ID!) { stopStream(cameraId: $c) { status } }', { c: demo.cameras.greenA1 }, admin);
    await waitFor(
      () => sub.values.length,
      (n) => n >= 5,
    );
    expect(sub.errors).toEqual([]);
    expect(sub.values.map((v) => v.status)).toEqual(['STARTING', 'LIVE', 'RECONNECTING', 'LIVE', 'ENDED']);
    expect(sub.values[4]?.camera.name).toBe('Plot A-1 north');
    expect(sub.values[1]).toEqual({
      id: streamId,
      status: 'LIVE',
      renditions: ['720p'],
      lastError: null,
      camera: { name: 'Plot A-1', plot: { id: demo.plots.greenA1 } },
    });
    sub.stop();
  });

  it('refuses subscriptions to viewers who may not watch: an error, never data', async () => {
    const stranger = await h.token(users.stranger.id, users.stranger.roles);
    const farmer2 = await h.token(users.farmer2.id, users.farmer2.roles);
    const subs = [
      collect(connect(stranger), STATUS, { s: streamId }, (d) => d),
      collect(connect(farmer2), VIEWERS, { s: streamId }, (d) => d),
      collect(connect(), STATUS, { s: streamId }, (d) => d),
      collect(connect(stranger), STATUS, { s: 'not-a-stream' }, (d) => d),
    ];
    await Promise.all(subs.map((s) => s.done));
    await h.bus.publish(topics.liveTranscodeStatus, report('FAILED', { error: 'x' }));
    const codes = subs.map((s) =>
      (s.errors as { extensions?: { code?: string } }[][]).flat().map((e) => e.extensions?.code),
    );
    expect(codes).toEqual([['FORBIDDEN'], ['FORBIDDEN'], ['UNAUTHENTICATED'], ['NOT_FOUND']]);
    for (const s of subs) expect(s.values).toEqual([]);
  });

  it('refuses a connection whose token does not verify', async () => {
    const client = connect('not.a.jwt');
    const sub = collect(client, STATUS, { s: streamId }, (d) => d);
    await sub.done;
    expect(sub.values).toEqual([]);
    expect(sub.errors).toHaveLength(1);
  });

  it('tells the farm’s farmer when a camera goes offline and comes back, from what the transcoder sees of the camera', async () => {
    const farmer = await h.token(users.farmer.id, users.farmer.roles);
    const admin = await h.token(users.admin.id, users.admin.roles);
    const HEALTH = 'subscription($f: ID!) { cameraHealthChanged(farmId: $f) { id name health } }';
    const sub = collect(
      connect(farmer),
      HEALTH,
      { f: demo.farms.greenAcres },
      (d) => d['cameraHealthChanged'] as { id: string; health: string },
    );
    await settled();
    await gql(h, 'mutation($c: ID!) { startStream(cameraId: $c) { status } }', { c: demo.cameras.greenA1 }, admin);
    await waitFor(
      () => h.db.stream.findUniqueOrThrow({ where: { id: streamId } }),
      (s) => s.status === 'STARTING',
    );
    const at = () => new Date(Date.now() + 1000).toISOString();
    await h.bus.publish(
      topics.liveTranscodeStatus,
      report('RECONNECTING', { error: 'no video from the camera for 3.0 s', cameraOnline: false, at: at() }),
    );
    await waitFor(
      () => sub.values,
      (v) => v.length >= 1,
    );
    // Our encoder failing while the camera still sends video is not a health change.
    await h.bus.publish(topics.liveTranscodeStatus, report('LIVE', { cameraOnline: true, at: at() }));
    await waitFor(
      () => sub.values,
      (v) => v.length >= 2,
    );
    await h.bus.publish(
      topics.liveTranscodeStatus,
      report('FAILED', { error: 'ffmpeg: Conversion failed', cameraOnline: true, at: at() }),
    );
    await waitFor(
      () => h.db.stream.findUniqueOrThrow({ where: { id: streamId } }),
      (s) => s.status === 'FAILED',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(sub.values).toEqual([
      { id: demo.cameras.greenA1, name: 'Plot A-1 north', health: 'OFFLINE' },
      { id: demo.cameras.greenA1, name: 'Plot A-1 north', health: 'ONLINE' },
    ]);
    expect(sub.errors).toEqual([]);
    sub.stop();
    // Only the farm's farmer and admins may listen.
    const stranger = await h.token(users.farmer2.id, users.farmer2.roles);
    const refused = [
      collect(connect(stranger), HEALTH, { f: demo.farms.greenAcres }, (d) => d),
      collect(connect(), HEALTH, { f: demo.farms.greenAcres }, (d) => d),
      collect(connect(farmer), HEALTH, { f: 'nope' }, (d) => d),
    ];
    await Promise.all(refused.map((r) => r.done));
    expect(
      refused.map((r) => (r.errors as { extensions?: { code?: string } }[][]).flat().map((e) => e.extensions?.code)),
    ).toEqual([['FORBIDDEN'], ['UNAUTHENTICATED'], ['NOT_FOUND']]);
    for (const r of refused) expect(r.values).toEqual([]);
  });

  it('publishes the viewer count as heartbeats arrive, public cameras to anyone', async () => {
    const overview = (await h.db.stream.findUniqueOrThrow({ where: { cameraId: demo.cameras.greenOverview } })).id;
    const sub = collect(connect(), VIEWERS, { s: overview }, (d) => d['viewerCount'] as number);
    await settled();
    const customer = await h.token(users.customer.id, users.customer.roles);
    const farmer = await h.token(users.farmer.id, users.farmer.roles);
    await gql(h, 'mutation($s: ID!) { heartbeat(streamId: $s) }', { s: overview }, customer);
    await gql(h, 'mutation($s: ID!) { heartbeat(streamId: $s) }', { s: overview }, customer);
    await gql(h, 'mutation($s: ID!) { heartbeat(streamId: $s) }', { s: overview }, farmer);
    await waitFor(
      () => sub.values,
      (v) => v.at(-1) === 2,
    );
    // Once the viewers' heartbeats are older than the TTL, the sweep publishes the drop.
    await h.service.control.sweep(Date.now() + 31_000);
    await waitFor(
      () => sub.values,
      (v) => v.at(-1) === 0,
    );
    expect(sub.values).toEqual([1, 2, 0]);
    expect(sub.errors).toEqual([]);
    sub.stop();
  });

  it('ends an anonymous watcher of a public camera the moment the farmer makes it private; the farmer keeps watching', async () => {
    const camera = demo.cameras.greenOverview;
    const overview = (await h.db.stream.findUniqueOrThrow({ where: { cameraId: camera } })).id;
    const farmer = await h.token(users.farmer.id, users.farmer.roles);
    const pick = (d: Record<string, unknown>) => (d['streamStatusChanged'] as { status: string }).status;
    const anonymous = collect(connect(), STATUS, { s: overview }, pick);
    const own = collect(connect(farmer), STATUS, { s: overview }, pick);
    await settled();
    const setPublic = (value: boolean) =>
      gql(
        h,
        'mutation($c: ID!, $p: Boolean!) { updateCamera(id: $c, input: { public: $p }) { id } }',
        {
          c: camera,
          p: value,
        },
        farmer,
      );
    const status = (s: LiveTranscodeStatus['status']) =>
      h.bus.publish(topics.liveTranscodeStatus, { ...report(s), streamId: overview });
    try {
      await gql(h, 'mutation($c: ID!) { startStream(cameraId: $c) { status } }', { c: camera }, farmer);
      await status('LIVE');
      for (const sub of [anonymous, own])
        await waitFor(
          () => sub.values,
          (v) => v.at(-1) === 'LIVE',
        );
      await setPublic(false);
      await anonymous.done;
      // Refused as at subscribe time: an anonymous caller is asked to sign in.
      expect((anonymous.errors as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code)).toEqual([
        'UNAUTHENTICATED',
      ]);
      await status('RECONNECTING');
      await waitFor(
        () => own.values,
        (v) => v.at(-1) === 'RECONNECTING',
      );
      expect(anonymous.values).toEqual(['STARTING', 'LIVE']);
      expect(own.errors).toEqual([]);
    } finally {
      own.stop();
      await setPublic(true);
      await gql(h, 'mutation($c: ID!) { stopStream(cameraId: $c) { status } }', { c: camera }, farmer);
    }
  });
});
