import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  topics,
  MediaSigner,
  type CameraChanged,
  type FarmChanged,
  type LiveTranscodeRequested,
  type LiveTranscodeStatus,
  type LiveHlsProgress,
  type RecordingsExpired,
  type RentalChanged,
  type TimelapseReady,
  type TranscoderCapacity,
  untypedBus,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { failOutboxWrites, outboxPayloads } from '@vegshare/tools/testing/outbox-faults';
import fc from 'fast-check';
import { canTransition } from '../src/domain/stream-machine.ts';
import { codeOf, gql, recordTopic, SIGNING_SECRET, startHarness, users, waitFor, type Harness } from './harness.ts';

let h: Harness;
const tokens: Record<keyof typeof users, string> = { customer: '', farmer: '', farmer2: '', admin: '', stranger: '' };
const streamOf: Record<string, string> = {};

beforeAll(async () => {
  // Blocking playlist reloads are held at most 1 s here (6 s by default), so the bound can be seen.
  h = await startHarness({ HLS_BLOCK_MAX_MS: '1000' });
  for (const [name, user] of Object.entries(users) as [keyof typeof users, (typeof users)[keyof typeof users]][])
    tokens[name] = await h.token(user.id, user.roles);
  for (const [name, id] of Object.entries(demo.cameras)) {
    const r = await gql<{ camera: { stream: { id: string } } }>(
      h,
      'query($id: ID!) { camera(id: $id) { stream { id } } }',
      { id },
    );
    streamOf[name] = r.data?.camera.stream.id ?? '';
  }
});
afterAll(async () => {
  await h?.stop();
});

/** The transcode job of the live session most tests report on (job ids are UUIDs: a recording's media key has one). */
const LIVE_JOB = '6b1d0c2e-3f4a-4b5c-9d6e-7f8091a2b3c4';
const PLAYBACK = 'query($s: ID!) { playbackUrl(streamId: $s) { url expiresAt stream { id status } } }';
const statusEvent = (
  streamId: string,
  status: LiveTranscodeStatus['status'],
  extra: Partial<LiveTranscodeStatus> = {},
): LiveTranscodeStatus => ({
  streamId,
  jobId: LIVE_JOB,
  status,
  masterPlaylistKey: null,
  renditions: [],
  error: null,
  at: new Date().toISOString(),
  ...extra,
});
const streamRow = (id: string) => h.db.stream.findUniqueOrThrow({ where: { id } });
/** Writes an object where the transcoder would (the service's bucket in s3rver). */
async function put(key: string, body: string | Buffer): Promise<void> {
  const { Client } = await import('minio');
  const s3 = new Client({
    endPoint: '127.0.0.1',
    port: Number(new URL(h.s3.env.S3_ENDPOINT).port),
    useSSL: false,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    pathStyle: true,
  });
  const bucket = h.s3.env.S3_BUCKET;
  if (!(await s3.bucketExists(bucket))) await s3.makeBucket(bucket);
  await s3.putObject(bucket, key, typeof body === 'string' ? Buffer.from(body) : body);
}
/** The playback URL re-pointed at the test service (PLAYBACK_BASE_URL is a placeholder here). */
const local = (url: string): string => {
  const u = new URL(url);
  return `${h.service.url}${u.pathname}${u.search}`;
};

describe('cameras and who may see what', () => {
  const Q = 'query($id: ID!) { camera(id: $id) { name public enabled health sourceUrl farm { id } plot { id } } }';

  it('shows the source URL only to the farm’s farmer and admins', async () => {
    const id = demo.cameras.greenA1;
    expect((await gql(h, Q, { id }, tokens.farmer)).data).toEqual({
      camera: {
        name: 'Plot A-1',
        public: false,
        enabled: true,
        health: 'UNKNOWN',
        sourceUrl: 'rtsp://cameras.demo.vegshare.local/green-acres-a1',
        farm: { id: demo.farms.greenAcres },
        plot: { id: demo.plots.greenA1 },
      },
    });
    expect((await gql<{ camera: { sourceUrl: string } }>(h, Q, { id }, tokens.admin)).data?.camera.sourceUrl).toMatch(
      /^rtsp:/,
    );
    for (const token of [tokens.farmer2, tokens.customer, undefined]) {
      const r = await gql<{ camera: { sourceUrl: string | null; name: string } }>(h, Q, { id }, token);
      expect(r.errors).toBeUndefined();
      expect(r.data?.camera).toMatchObject({ name: 'Plot A-1', sourceUrl: null });
    }
  });

  it('tells each caller what they may do with a camera', async () => {
    const Q2 = 'query($id: ID!) { camera(id: $id) { viewerCanWatch viewerCanManage } }';
    const expected: [string | undefined, boolean, boolean][] = [
      [tokens.farmer, true, true],
      [tokens.admin, true, true],
      [tokens.customer, true, false],
      [tokens.farmer2, false, false],
      [tokens.stranger, false, false],
      [undefined, false, false],
    ];
    for (const [token, watch, manage] of expected) {
      expect((await gql(h, Q2, { id: demo.cameras.greenA1 }, token)).data).toEqual({
        camera: { viewerCanWatch: watch, viewerCanManage: manage },
      });
    }
    expect((await gql(h, Q2, { id: demo.cameras.greenOverview })).data).toEqual({
      camera: { viewerCanWatch: true, viewerCanManage: false },
    });
  });

  it('adds cameras to Plot and Farm entities in one batch', async () => {
    const r = await gql(
      h,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Plot { cameras { id } } ... on Farm { cameras { name } } } }',
      {
        r: [
          { __typename: 'Plot', id: demo.plots.greenA1 },
          { __typename: 'Farm', id: demo.farms.greenAcres },
          { __typename: 'Plot', id: demo.plots.river1 },
        ],
      },
    );
    expect(r.data?.['_entities']).toEqual([
      { cameras: [{ id: demo.cameras.greenA1 }] },
      { cameras: [{ name: 'Green Acres overview' }, { name: 'Plot A-1' }] },
      { cameras: [] },
    ]);
  });

  it('lets the farm’s farmer register, update and remove a camera, and nobody else', async () => {
    const REGISTER =
      'mutation($i: RegisterCameraInput!) { registerCamera(input: $i) { id name public plot { id } stream { status } } }';
    const input = {
      farmId: demo.farms.riverMeadow,
      plotId: demo.plots.river1,
      name: 'River gate',
      sourceUrl: 'rtmp://cams.example.com/live/river',
    };
    expect(codeOf(await gql(h, REGISTER, { i: input }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(h, REGISTER, { i: input }, tokens.customer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, REGISTER, { i: input }, tokens.farmer2))).toBe('FORBIDDEN');
    expect(
      codeOf(await gql(h, REGISTER, { i: { ...input, sourceUrl: 'http://cams.example.com/x' } }, tokens.farmer)),
    ).toBe('BAD_USER_INPUT');
    // greenA1 is known (through its rental) to be a Green Acres plot.
    expect(codeOf(await gql(h, REGISTER, { i: { ...input, plotId: demo.plots.greenA1 } }, tokens.farmer))).toBe(
      'BAD_USER_INPUT',
    );

    const created = await gql<{ registerCamera: { id: string } }>(h, REGISTER, { i: input }, tokens.farmer);
    expect(created.data?.registerCamera).toMatchObject({
      name: 'River gate',
      public: false,
      plot: { id: demo.plots.river1 },
      stream: { status: 'IDLE' },
    });
    const id = created.data?.registerCamera.id ?? '';

    const UPDATE =
      'mutation($id: ID!, $i: UpdateCameraInput!) { updateCamera(id: $id, input: $i) { name public enabled plot { id } } }';
    expect(codeOf(await gql(h, UPDATE, { id, i: { name: 'Mine now' } }, tokens.farmer2))).toBe('FORBIDDEN');
    expect(
      (await gql(h, UPDATE, { id, i: { name: ' Gate ', public: true, plotId: null } }, tokens.farmer)).data,
    ).toEqual({ updateCamera: { name: 'Gate', public: true, enabled: true, plot: null } });
    expect((await gql(h, UPDATE, { id, i: { enabled: false } }, tokens.admin)).data).toMatchObject({
      updateCamera: { enabled: false, name: 'Gate' },
    });

    const REMOVE = 'mutation($id: ID!) { removeCamera(id: $id) }';
    expect(codeOf(await gql(h, REMOVE, { id }, tokens.customer))).toBe('FORBIDDEN');
    expect((await gql(h, REMOVE, { id }, tokens.farmer)).data).toEqual({ removeCamera: id });
    expect((await gql(h, 'query($id: ID!) { camera(id: $id) { id } }', { id })).data).toEqual({ camera: null });
    expect(codeOf(await gql(h, REMOVE, { id }, tokens.farmer))).toBe('NOT_FOUND');
    expect(codeOf(await gql(h, REMOVE, { id: 'nope' }, tokens.farmer))).toBe('NOT_FOUND');
  });

  it('issues playback URLs only to the renter, the farm’s farmer and admins; public cameras to anyone', async () => {
    const a1 = streamOf['greenA1'] ?? '';
    const orchard = streamOf['orchard1'] ?? '';
    for (const token of [tokens.customer, tokens.farmer, tokens.admin]) {
      const r = await gql<{ playbackUrl: { url: string } }>(h, PLAYBACK, { s: a1 }, token);
      expect(r.errors).toBeUndefined();
      expect(r.data?.playbackUrl.url).toContain(`/hls/${a1}/master.m3u8?`);
    }
    expect(codeOf(await gql(h, PLAYBACK, { s: a1 }, tokens.stranger))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, PLAYBACK, { s: a1 }, tokens.farmer2))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, PLAYBACK, { s: a1 }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(h, PLAYBACK, { s: orchard }, tokens.customer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, PLAYBACK, { s: 'x' }, tokens.admin))).toBe('NOT_FOUND');
    const anon = await gql<{ playbackUrl: { url: string; expiresAt: string } }>(h, PLAYBACK, {
      s: streamOf['greenOverview'],
    });
    expect(anon.errors).toBeUndefined();
    const expiresIn = Date.parse(anon.data?.playbackUrl.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(300_000);
    expect(new URL(anon.data?.playbackUrl.url ?? '').searchParams.get('v')).toMatch(/^anon:/);
  });

  it('follows FarmChanged and RentalChanged events (idempotently)', async () => {
    const orchard = streamOf['orchard1'] ?? '';
    const rental: RentalChanged = {
      rentalId: '40000000-0000-4000-8000-0000000000f1',
      plotId: demo.plots.orchard1,
      farmId: demo.farms.orchardHill,
      customerId: users.stranger.id,
      status: 'ACTIVE',
      startsOn: '2020-01-01',
      endsOn: '2999-01-01',
    };
    await h.bus.publish(topics.rentalChanged, rental);
    await h.bus.publish(topics.rentalChanged, rental);
    await waitFor(
      () => gql(h, PLAYBACK, { s: orchard }, tokens.stranger),
      (r) => r.errors === undefined,
    );
    expect(await h.db.plotRental.count({ where: { rentalId: rental.rentalId } })).toBe(1);
    await h.bus.publish(topics.rentalChanged, { ...rental, status: 'ENDED' });
    await waitFor(
      () => gql(h, PLAYBACK, { s: orchard }, tokens.stranger),
      (r) => codeOf(r) === 'FORBIDDEN',
    );
    await h.bus.publish(topics.rentalChanged, { ...rental, customerId: 'not-a-uuid' }); // malformed: dropped

    const SOURCE = 'query($id: ID!) { camera(id: $id) { sourceUrl } }';
    expect((await gql(h, SOURCE, { id: demo.cameras.orchard1 }, tokens.farmer)).data).toEqual({
      camera: { sourceUrl: null },
    });
    const handover: FarmChanged = { farmId: demo.farms.orchardHill, ownerId: users.farmer.id, name: 'Orchard Hill' };
    await h.bus.publish(topics.farmChanged, handover);
    await waitFor(
      () => gql<{ camera: { sourceUrl: string | null } }>(h, SOURCE, { id: demo.cameras.orchard1 }, tokens.farmer),
      (r) => r.data?.camera.sourceUrl !== null,
    );
    await h.bus.publish(topics.farmChanged, { ...handover, ownerId: users.farmer2.id });
    await waitFor(
      () => gql<{ camera: { sourceUrl: string | null } }>(h, SOURCE, { id: demo.cameras.orchard1 }, tokens.farmer2),
      (r) => r.data?.camera.sourceUrl !== null,
    );
  });
});

describe('events commit with the change they announce', () => {
  it('a camera or a stream start whose event cannot be written does not happen; once it can, both do', async () => {
    const REGISTER = 'mutation($i: RegisterCameraInput!) { registerCamera(input: $i) { id stream { id } } }';
    const START = 'mutation($c: ID!) { startStream(cameraId: $c) { id status } }';
    const input = { farmId: demo.farms.riverMeadow, name: 'Outbox fence', sourceUrl: 'rtsp://cams.example.com/fence' };
    const changes = async (cameraId?: string) =>
      (await outboxPayloads<CameraChanged>(h.db, 'streaming', topics.cameraChanged)).filter(
        (c) => c.cameraId === cameraId,
      );
    const cameraFault = await failOutboxWrites(h.db, 'streaming', topics.cameraChanged);
    try {
      expect(codeOf(await gql(h, REGISTER, { i: input }, tokens.farmer))).toBe('INTERNAL_SERVER_ERROR');
      expect(await cameraFault.attempts()).toBe(1);
      expect(await h.db.camera.count({ where: { name: input.name } })).toBe(0);
    } finally {
      await cameraFault.restore();
    }
    const created = await gql<{ registerCamera: { id: string; stream: { id: string } } }>(
      h,
      REGISTER,
      { i: input },
      tokens.farmer,
    );
    const { id: cameraId, stream } = created.data!.registerCamera;
    expect(await changes(cameraId)).toEqual([
      { cameraId, farmId: demo.farms.riverMeadow, plotId: null, removed: false },
    ]);

    const requests = async () =>
      (await outboxPayloads<LiveTranscodeRequested>(h.db, 'streaming', topics.liveTranscodeRequested)).filter(
        (r) => r.streamId === stream.id,
      );
    const startFault = await failOutboxWrites(h.db, 'streaming', topics.liveTranscodeRequested);
    try {
      expect(codeOf(await gql(h, START, { c: cameraId }, tokens.farmer))).toBe('INTERNAL_SERVER_ERROR');
      expect(await startFault.attempts()).toBe(1);
      expect((await streamRow(stream.id)).status).toBe('IDLE');
      expect(await requests()).toEqual([]);
    } finally {
      await startFault.restore();
    }
    expect((await gql(h, START, { c: cameraId }, tokens.farmer)).data).toEqual({
      startStream: { id: stream.id, status: 'STARTING' },
    });
    expect((await requests())[0]).toMatchObject({ streamId: stream.id, cameraId });
    await gql(h, 'mutation($id: ID!) { removeCamera(id: $id) }', { id: cameraId }, tokens.farmer);
    expect((await changes(cameraId)).map((c) => c.removed)).toEqual([false, true]);
  });
});

describe('stream lifecycle', () => {
  it('starts on demand, re-asks the transcoder while STARTING, follows its status reports', async () => {
    const id = streamOf['greenA1'] ?? '';
    const requests = await recordTopic(h.bus, topics.liveTranscodeRequested);
    const notifications = await recordTopic(h.bus, topics.notificationRequested);
    await h.service.control.stop(id, 'test reset'); // earlier tests asked for playback URLs
    await h.db.stream.update({ where: { id }, data: { status: 'IDLE' } });
    const r = await gql<{ playbackUrl: { stream: { status: string } } }>(h, PLAYBACK, { s: id }, tokens.customer);
    expect(r.data?.playbackUrl.stream.status).toBe('STARTING');
    await waitFor(
      () => requests.events.length,
      (n) => n >= 1,
    );
    // The job the transcoder makes belongs to the camera's farm (farmers see their farms' jobs only).
    expect(requests.events[0]).toEqual({
      streamId: id,
      cameraId: demo.cameras.greenA1,
      farmId: demo.farms.greenAcres,
      sourceUrl: 'rtsp://cameras.demo.vegshare.local/green-acres-a1',
      profile: 'live-hls-ladder',
    });
    await h.service.control.republishStarting();
    await waitFor(
      () => requests.events.filter((e) => e.streamId === id).length,
      (n) => n >= 2,
    );

    await h.bus.publish(topics.liveTranscodeStatus, statusEvent(id, 'STARTING'));
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'LIVE', {
        masterPlaylistKey: `live/${id}/${LIVE_JOB}/master.m3u8`,
        renditions: ['720p', '360p'],
      }),
    );
    const live = await waitFor(
      () => streamRow(id),
      (s) => s.status === 'LIVE',
    );
    expect(live).toMatchObject({
      jobId: LIVE_JOB,
      renditions: ['720p', '360p'],
      masterPlaylistKey: `live/${id}/${LIVE_JOB}/master.m3u8`,
    });
    expect(live.startedAt).toBeInstanceOf(Date);
    await waitFor(
      async () => (await h.db.camera.findUniqueOrThrow({ where: { id: demo.cameras.greenA1 } })).health,
      (health) => health === 'ONLINE',
    );
    // A second LIVE report, and a garbage one, change nothing.
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'LIVE', {
        masterPlaylistKey: `live/${id}/${LIVE_JOB}/master.m3u8`,
        renditions: ['720p', '360p'],
      }),
    );
    // Malformed on purpose, so published untyped: the consumer must drop what does not match the contract.
    await untypedBus(h.bus).publish(topics.liveTranscodeStatus, { streamId: id, status: 'EXPLODED' });
    await h.service.control.republishStarting();
    await new Promise((r) => setTimeout(r, 100));
    await h.service.eventsIdle();
    expect((await streamRow(id)).updatedAt).toEqual(live.updatedAt);
    await requests.stop();

    // The camera drops: RECONNECTING with the transcoder's reason in lastError (a new reason replaces it), the camera
    // OFFLINE; it comes back: LIVE, no error, ONLINE. The farmer hears of both, with the reason, and of nothing else
    // (a camera seen for the first time is not "back").
    const ladder = { masterPlaylistKey: `live/${id}/${LIVE_JOB}/master.m3u8`, renditions: ['720p', '360p'] };
    const healthOf = async () => (await h.db.camera.findUniqueOrThrow({ where: { id: demo.cameras.greenA1 } })).health;
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'RECONNECTING', { ...ladder, error: 'no video from the camera for 3.0 s', cameraOnline: false }),
    );
    const reconnecting = await waitFor(
      () => streamRow(id),
      (s) => s.status === 'RECONNECTING',
    );
    expect(reconnecting.lastError).toBe('no video from the camera for 3.0 s');
    expect(await healthOf()).toBe('OFFLINE');
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'RECONNECTING', {
        ...ladder,
        error: 'camera not reachable: Connection refused',
        cameraOnline: false,
      }),
    );
    await waitFor(
      () => streamRow(id),
      (s) => s.lastError === 'camera not reachable: Connection refused',
    );
    await h.bus.publish(topics.liveTranscodeStatus, statusEvent(id, 'LIVE', { ...ladder, cameraOnline: true }));
    const back = await waitFor(
      () => streamRow(id),
      (s) => s.status === 'LIVE',
    );
    expect(back).toMatchObject({ lastError: null, startedAt: live.startedAt });
    expect(await healthOf()).toBe('ONLINE');
    await new Promise((r) => setTimeout(r, 100));
    await h.service.eventsIdle();
    await notifications.stop();
    expect(notifications.events.map((n) => [n.userId, n.kind, n.title])).toEqual([
      [users.farmer.id, 'stream', 'Camera “Plot A-1” is offline'],
      [users.farmer.id, 'stream', 'Camera “Plot A-1” is back online'],
    ]);
    expect(notifications.events[0]?.body).toContain('no video from the camera for 3.0 s');
    expect(notifications.events[0]?.link).toBe(`vegshare://cameras/${demo.cameras.greenA1}`);

    const q = await gql(
      h,
      'query($id: ID!) { stream(id: $id) { status renditions startedAt lastError viewers camera { id } } }',
      { id },
      tokens.customer,
    );
    expect((q.data?.['stream'] as { viewers: number }).viewers).toBeGreaterThanOrEqual(1); // this customer, at least
    expect(q.data?.['stream']).toEqual({
      status: 'LIVE',
      renditions: ['720p', '360p'],
      startedAt: live.startedAt?.toISOString(),
      lastError: null,
      viewers: expect.any(Number),
      camera: { id: demo.cameras.greenA1 },
    });
  });

  it('serves the HLS ladder from S3 to signed URLs only, never answering 500', async () => {
    const id = streamOf['greenA1'] ?? '';
    const dir = `live/${id}/${LIVE_JOB}`;
    await put(`${dir}/master.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000\n720p/index.m3u8\n');
    await put(`${dir}/720p/index.m3u8`, '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_00001.ts\n');
    const segment = Buffer.from([0x47, 1, 2, 3, 4, 5]);
    await put(`${dir}/720p/seg_00001.ts`, segment);
    await put(`live/${id}/secret.json`, '{}');

    const r = await gql<{ playbackUrl: { url: string } }>(h, PLAYBACK, { s: id }, tokens.customer);
    const master = new URL(local(r.data?.playbackUrl.url ?? ''));
    const res = await fetch(master);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const body = await res.text();
    const variantLine = body.split('\n').find((l) => l.startsWith('720p/')) ?? '';
    // The playlist's URIs carry a grant for the same viewer, renewed while they may still watch (live outlasts one grant).
    expect(variantLine).toMatch(/^720p\/index\.m3u8\?v=[^&]+&e=\d+&s=[\w-]{43}$/);
    const renewed = new URL(variantLine, master).searchParams;
    expect(renewed.get('v')).toBe(users.customer.id);
    expect(Number(renewed.get('e'))).toBeGreaterThanOrEqual(Number(master.searchParams.get('e')));
    expect(new MediaSigner(SIGNING_SECRET, 60).verify(id, renewed).ok).toBe(true);
    const variant = await fetch(new URL(variantLine, master));
    expect(variant.status).toBe(200);
    const segLine = (await variant.text()).split('\n').find((l) => l.startsWith('seg_')) ?? '';
    const seg = await fetch(new URL(segLine, new URL(variantLine, master)));
    expect(seg.status).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(Buffer.from(await seg.arrayBuffer())).toEqual(segment);

    const base = `${h.service.url}/hls/${id}`;
    const sig = master.searchParams;
    const tampered = new URLSearchParams(sig);
    tampered.set('s', `${(sig.get('s') ?? '').slice(0, -2)}AA`);
    const otherViewer = new URLSearchParams(sig);
    otherViewer.set('v', users.stranger.id);
    const expired = new MediaSigner(SIGNING_SECRET, 60).sign(id, users.customer.id, Date.now() - 120_000).query;
    const refused = [
      `${base}/master.m3u8`,
      `${base}/master.m3u8?${tampered}`,
      `${base}/master.m3u8?${otherViewer}`,
      `${base}/master.m3u8?${expired}`,
      `${h.service.url}/hls/${streamOf['orchard1']}/master.m3u8${master.search}`,
      `${base}/../${streamOf['orchard1']}/master.m3u8${master.search}`,
      `${base}/720p/%2e%2e/%2e%2e/secret.json${master.search}`,
      `${base}/..%2fsecret.json${master.search}`,
      `${base}/720p/..%2f..%2f..%2fsecret.ts${master.search}`,
      `${h.service.url}/hls/not-a-stream/master.m3u8${master.search}`,
      `${h.service.url}/hls/${'%00'.repeat(10)}`,
    ];
    for (const url of refused) {
      const { status } = await fetchRaw(url);
      expect({ url, status }).toEqual({ url, status: 403 });
    }
    expect((await fetch(`${base}/720p/seg_09999.ts${master.search}`)).status).toBe(404);
    expect(
      (
        await fetch(
          `${h.service.url}/hls/${streamOf['greenOverview']}/master.m3u8?${new MediaSigner(SIGNING_SECRET, 60).sign(streamOf['greenOverview'] ?? '', 'x').query}`,
        )
      ).status,
    ).toBe(404);
    // A grant is not renewed for a viewer the projections do not show as allowed (an admin here): the URIs carry theirs.
    const asAdmin = new URL(
      local(
        (await gql<{ playbackUrl: { url: string } }>(h, PLAYBACK, { s: id }, tokens.admin)).data?.playbackUrl.url ?? '',
      ),
    );
    const adminBody = await (await fetch(asAdmin)).text();
    expect(adminBody.split('\n')).toContain(`720p/index.m3u8${asAdmin.search}`);
    for (const method of ['POST', 'DELETE']) expect((await fetch(master, { method })).status).toBe(405);
    expect((await fetch(master, { method: 'OPTIONS' })).status).toBe(204);
  });

  it('holds LL-HLS blocking playlist reloads and preload-hinted parts until the transcoder reports them, within bounds', async () => {
    const id = streamOf['greenA1'] ?? '';
    const dir = `live/${id}/${LIVE_JOB}/720p`;
    const playlist = (msn: number, parts: number) =>
      [
        '#EXTM3U',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-PART-INF:PART-TARGET=0.54',
        '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.62',
        `#EXT-X-MEDIA-SEQUENCE:${msn}`,
        '#EXT-X-MAP:URI="init-a.mp4"',
        '#EXT-X-PROGRAM-DATE-TIME:2030-01-01T00:00:00.000Z',
        ...Array.from({ length: parts }, (_, i) => `#EXT-X-PART:DURATION=0.5,URI="part${msn * 1000 + i}.m4s"`),
        `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part${msn * 1000 + parts}.m4s"`,
        '',
      ].join('\n');
    const progress = (msn: number, part: number) =>
      h.bus.publish(topics.liveHlsProgress, {
        streamId: id,
        jobId: LIVE_JOB,
        rendition: '720p',
        msn,
        part,
        partId: msn * 1000 + part,
      } satisfies LiveHlsProgress);
    await put(`${dir}/index.m3u8`, playlist(1, 1));
    await progress(1, 0);
    const r = await gql<{ playbackUrl: { url: string } }>(h, PLAYBACK, { s: id }, tokens.customer);
    const masterUrl = new URL(local(r.data?.playbackUrl.url ?? ''));
    const grant = masterUrl.search;
    const media = new URL(`720p/index.m3u8${grant}`, masterUrl);
    const timed = async (url: string) => {
      const started = Date.now();
      const res = await fetch(url);
      return { status: res.status, body: await res.text(), ms: Date.now() - started };
    };
    // Wait until the board knows where the playlist stands (events travel through Redis).
    await waitFor(
      () => timed(`${media}&_HLS_msn=1&_HLS_part=0`),
      (a) => a.status === 200 && a.ms < 900,
    );

    // Part 1 of segment 1: held until the transcoder says the playlist lists it, then the new playlist is served.
    const next = timed(`${media}&_HLS_msn=1&_HLS_part=1`);
    await new Promise((r) => setTimeout(r, 400));
    await put(`${dir}/index.m3u8`, playlist(1, 2));
    await progress(1, 1);
    const answered = await next;
    expect(answered.status).toBe(200);
    expect(answered.ms).toBeGreaterThanOrEqual(380);
    expect(answered.body).toMatch(/URI="part1001\.m4s\?v=[^"]+"/);
    // Without _HLS_part: the whole segment 1, which a part of segment 2 proves complete.
    const whole = timed(`${media}&_HLS_msn=1`);
    await new Promise((r) => setTimeout(r, 300));
    await progress(1, 2);
    await new Promise((r) => setTimeout(r, 200));
    await put(`${dir}/index.m3u8`, playlist(2, 1));
    await progress(2, 0);
    const wholeAnswer = await whole;
    expect(wholeAnswer.ms).toBeGreaterThanOrEqual(480);
    expect(wholeAnswer.body).toContain('#EXT-X-MEDIA-SEQUENCE:2');
    // Nothing comes: the current playlist after HLS_BLOCK_MAX_MS (1 s here), not a hung request.
    const stalled = await timed(`${media}&_HLS_msn=3&_HLS_part=0`);
    expect(stalled.status).toBe(200);
    expect(stalled.ms).toBeGreaterThanOrEqual(900);
    expect(stalled.ms).toBeLessThan(5_000);
    expect(stalled.body).toContain('#EXT-X-MEDIA-SEQUENCE:2');

    // Bad blocking requests are refused at once: far beyond the live edge, malformed, a part without a segment, the master.
    for (const query of [
      '_HLS_msn=9',
      '_HLS_msn=-1',
      '_HLS_msn=1.5',
      '_HLS_msn=abc',
      '_HLS_part=1',
      '_HLS_msn=2&_HLS_part=x',
      `_HLS_msn=${'9'.repeat(12)}`,
    ]) {
      const res = await timed(`${media}&${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.ms).toBeLessThan(900); // not held for the 1 s bound
    }
    expect((await fetch(`${new URL(`../master.m3u8${grant}`, media)}&_HLS_msn=1`)).status).toBe(400);

    // The preload-hinted part is asked for before it exists: held until it is in S3 and reported, then served.
    const hinted = fetch(new URL(`part2001.m4s${grant}`, media));
    await new Promise((r) => setTimeout(r, 300));
    const bytes = Buffer.from('a part of a segment');
    await put(`${dir}/part2001.m4s`, bytes);
    await progress(2, 1);
    const part = await hinted;
    expect(part.status).toBe(200);
    expect(part.headers.get('content-type')).toBe('video/iso.segment');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes);
    // A hinted part that never comes is a 404 after the bound; a missing segment is a 404 at once.
    const never = await timed(new URL(`part2999.m4s${grant}`, media).toString());
    expect(never.status).toBe(404);
    expect(never.ms).toBeGreaterThanOrEqual(900);
    const missing = await timed(new URL(`s77.m4s${grant}`, media).toString());
    expect(missing.status).toBe(404);
    expect(missing.ms).toBeLessThan(900);
  });

  it('counts viewers by heartbeat and stops an on-demand stream nobody watches', async () => {
    const id = streamOf['greenA1'] ?? '';
    const HB = 'mutation($s: ID!) { heartbeat(streamId: $s) }';
    expect(codeOf(await gql(h, HB, { s: id }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(h, HB, { s: id }, tokens.stranger))).toBe('FORBIDDEN');
    // Earlier playback requests already count as presence; the same viewer is never counted twice.
    const before = (await gql<{ heartbeat: number }>(h, HB, { s: id }, tokens.customer)).data?.heartbeat ?? 0;
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await gql(h, HB, { s: id }, tokens.customer)).data).toEqual({ heartbeat: before });
    const otherAdmin = await h.token('00000000-0000-4000-8000-0000000000ad', ['ADMIN']);
    expect((await gql(h, HB, { s: id }, otherAdmin)).data).toEqual({ heartbeat: before + 1 });

    const stops = await recordTopic(h.bus, topics.liveTranscodeStopRequested);
    await h.service.control.sweep(Date.now() + 5_000); // viewers still fresh
    expect((await streamRow(id)).status).toBe('LIVE');
    await h.service.control.sweep(Date.now() + 120_000); // TTL 30 s and idle time 60 s have passed
    expect((await streamRow(id)).status).toBe('ENDED');
    await waitFor(
      () => stops.events,
      (e) => e.some((s) => s.streamId === id),
    );
    await stops.stop();
  });

  it('records a session when the transcoder reports ENDED with a playlist, and hides recordings from strangers', async () => {
    const id = streamOf['greenA1'] ?? '';
    const ended = statusEvent(id, 'ENDED', {
      masterPlaylistKey: `live/${id}/${LIVE_JOB}/master.m3u8`,
      renditions: ['720p', '360p'],
    });
    await h.bus.publish(topics.liveTranscodeStatus, ended);
    await h.bus.publish(topics.liveTranscodeStatus, ended);
    await waitFor(
      () => h.db.recording.count({ where: { streamId: id } }),
      (n) => n === 1,
    );
    await new Promise((r) => setTimeout(r, 50));
    await h.service.eventsIdle();
    expect(await h.db.recording.count({ where: { streamId: id } })).toBe(1);

    const REC =
      'query($c: ID!) { recordings(cameraId: $c) { camera { id } renditions durationSeconds startedAt endedAt } }';
    const mine = await gql<{ recordings: { renditions: string[]; durationSeconds: number }[] }>(
      h,
      REC,
      { c: demo.cameras.greenA1 },
      tokens.customer,
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.recordings).toHaveLength(1);
    expect(mine.data?.recordings[0]).toMatchObject({
      camera: { id: demo.cameras.greenA1 },
      renditions: ['720p', '360p'],
    });
    expect(mine.data?.recordings[0]?.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(codeOf(await gql(h, REC, { c: demo.cameras.greenA1 }, tokens.stranger))).toBe('FORBIDDEN');
    const nested = await gql<{ camera: { recordings: unknown[] } }>(
      h,
      'query($id: ID!) { camera(id: $id) { recordings { id } } }',
      { id: demo.cameras.greenA1 },
      tokens.stranger,
    );
    expect(nested.data?.camera.recordings).toEqual([]);
  });

  it('ignores impossible reports and asks again to stop a ladder nobody wants', async () => {
    const id = streamOf['greenA1'] ?? '';
    const stops = await recordTopic(h.bus, topics.liveTranscodeStopRequested);
    await h.bus.publish(topics.liveTranscodeStatus, statusEvent(id, 'LIVE', { jobId: 'job-zombie' }));
    await waitFor(
      () => stops.events,
      (e) => e.some((s) => s.streamId === id),
    );
    expect((await streamRow(id)).status).toBe('ENDED');
    await stops.stop();
  });

  it('lets the farmer start and stop a stream; fails a stream the transcoder never starts', async () => {
    const id = streamOf['greenA1'] ?? '';
    const START = 'mutation($c: ID!) { startStream(cameraId: $c) { id status } }';
    const STOP = 'mutation($c: ID!) { stopStream(cameraId: $c) { id status } }';
    expect(codeOf(await gql(h, START, { c: demo.cameras.greenA1 }, tokens.customer))).toBe('FORBIDDEN');
    expect((await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer)).data).toEqual({
      startStream: { id, status: 'STARTING' },
    });
    expect((await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer)).data).toEqual({
      startStream: { id, status: 'STARTING' },
    });
    // A report from before this session was requested belongs to the previous ladder.
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'FAILED', { at: new Date(Date.now() - 60_000).toISOString(), error: 'old' }),
    );
    await h.service.control.sweep(Date.now() + 120_000); // farmer-started streams are not idle-stopped
    await h.service.eventsIdle();
    expect((await streamRow(id)).status).toBe('STARTING');
    expect((await gql(h, STOP, { c: demo.cameras.greenA1 }, tokens.admin)).data).toEqual({
      stopStream: { id, status: 'ENDED' },
    });
    expect((await gql(h, STOP, { c: demo.cameras.greenA1 }, tokens.farmer)).data).toEqual({
      stopStream: { id, status: 'ENDED' },
    });

    await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer);
    await h.service.control.republishStarting(Date.now() + 61_000);
    expect(await streamRow(id)).toMatchObject({
      status: 'FAILED',
      lastError: 'The transcoder did not start the stream in time',
    });

    // Health follows the camera, not our encoder: video arrives but the encoder fails → FAILED with the reason, ONLINE.
    const healthOf = async () => (await h.db.camera.findUniqueOrThrow({ where: { id: demo.cameras.greenA1 } })).health;
    await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer);
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'FAILED', { error: 'ffmpeg: Invalid data found when processing input', cameraOnline: true }),
    );
    await waitFor(
      () => streamRow(id),
      (s) => s.status === 'FAILED' && s.lastError === 'ffmpeg: Invalid data found when processing input',
    );
    expect(await healthOf()).toBe('ONLINE');
    // The camera does not answer → FAILED with the reason, OFFLINE.
    await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer);
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'FAILED', { error: 'connection refused by camera', cameraOnline: false }),
    );
    await waitFor(
      () => streamRow(id),
      (s) => s.status === 'FAILED' && s.lastError === 'connection refused by camera',
    );
    expect(await healthOf()).toBe('OFFLINE');
    // A report that does not know about the camera (cameraOnline null, e.g. no transcoder had room) leaves health alone.
    await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer);
    await h.bus.publish(
      topics.liveTranscodeStatus,
      statusEvent(id, 'FAILED', {
        error: 'CAPACITY_EXHAUSTED: no transcoder has CPU for another live stream',
        cameraOnline: null,
      }),
    );
    await waitFor(
      () => streamRow(id),
      (s) => s.status === 'FAILED' && s.lastError?.startsWith('CAPACITY_EXHAUSTED') === true,
    );
    expect(await healthOf()).toBe('OFFLINE');
  });

  it('publishes only valid transitions, in order, under concurrent starts, stops and transcoder reports', async () => {
    const id = streamOf['greenOverview'] ?? '';
    type Op = 'start' | 'stop' | 'LIVE' | 'RECONNECTING' | 'FAILED' | 'ENDED';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<Op>('start', 'stop', 'LIVE', 'RECONNECTING', 'FAILED', 'ENDED'), {
          minLength: 3,
          maxLength: 12,
        }),
        async (ops) => {
          const events = await recordTopic(h.bus, topics.streamStatus(id));
          const future = new Date(Date.now() + 60_000).toISOString(); // never "stale"
          await Promise.all(
            ops.map((op) =>
              op === 'start'
                ? h.service.control.start(id, { onDemand: false })
                : op === 'stop'
                  ? h.service.control.stop(id, 'test')
                  : h.bus.publish(topics.liveTranscodeStatus, statusEvent(id, op, { at: future })),
            ),
          );
          await new Promise((r) => setTimeout(r, 150));
          await h.service.eventsIdle();
          await new Promise((r) => setTimeout(r, 50));
          await events.stop();
          const statuses = events.events.map((e) => e.status);
          for (let i = 1; i < statuses.length; i++) {
            const [a, b] = [statuses[i - 1], statuses[i]];
            if (a && b && a !== b) expect(canTransition(a, b), `${a} → ${b} in ${statuses.join(',')}`).toBe(true);
          }
          if (statuses.length) expect(statuses.at(-1)).toBe((await streamRow(id)).status);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('refuses a start at once with CAPACITY_EXHAUSTED while every transcoder reports no room, and starts once one has', async () => {
    const orchard = streamOf['orchard1'] ?? '';
    const START = 'mutation($c: ID!) { startStream(cameraId: $c) { id status } }';
    const requests = await recordTopic(h.bus, topics.liveTranscodeRequested);
    const capacity = (workerId: string, liveHeadroom: number, liveJobCost = 0.4): Promise<void> =>
      h.bus.publish(topics.transcoderCapacity, {
        workerId,
        liveHeadroom,
        liveJobCost,
        at: new Date().toISOString(),
      } satisfies TranscoderCapacity);
    await capacity('worker-a', 0.1);
    await capacity('worker-b', 0.39);
    const refused = await waitFor(
      () => gql(h, START, { c: demo.cameras.orchard1 }, tokens.admin),
      (r) => codeOf(r) === 'CAPACITY_EXHAUSTED',
    );
    expect(refused.errors?.[0]?.message).toMatch(/no transcoder has room/i);
    // Asking to watch an idle stream starts it on demand: refused the same way, at once, not after a start timeout.
    const started = Date.now();
    expect(codeOf(await gql(h, PLAYBACK, { s: orchard }, tokens.admin))).toBe('CAPACITY_EXHAUSTED');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await streamRow(orchard)).status).not.toBe('STARTING');
    // A malformed report changes nothing.
    await h.bus.publish(topics.transcoderCapacity, {
      workerId: 'worker-c',
      liveHeadroom: -5,
      liveJobCost: 0.4,
      at: 'now',
    });
    expect(codeOf(await gql(h, START, { c: demo.cameras.orchard1 }, tokens.admin))).toBe('CAPACITY_EXHAUSTED');
    expect(requests.events.filter((e) => e.streamId === orchard)).toEqual([]);
    // One worker with room: the start goes ahead and the transcoder is asked.
    await capacity('worker-b', 100);
    const ok = await waitFor(
      () => gql<{ startStream: { status: string } }>(h, START, { c: demo.cameras.orchard1 }, tokens.admin),
      (r) => r.data?.startStream.status === 'STARTING',
    );
    expect(ok.errors).toBeUndefined();
    await waitFor(
      () => requests.events.filter((e) => e.streamId === orchard).length,
      (n) => n === 1,
    );
    // A running stream is never refused (a second viewer joins it), while new ones are.
    await capacity('worker-b', 0);
    await waitFor(
      () => gql(h, START, { c: demo.cameras.greenA1 }, tokens.admin),
      (r) => codeOf(r) === 'CAPACITY_EXHAUSTED',
    );
    const joined = await gql<{ playbackUrl: { stream: { status: string } } }>(
      h,
      PLAYBACK,
      { s: orchard },
      tokens.admin,
    );
    expect(joined.errors).toBeUndefined();
    expect(joined.data?.playbackUrl.stream.status).toBe('STARTING');
    await h.service.control.stop(orchard, 'test');
    await requests.stop();
    // Later tests start streams freely.
    await capacity('worker-a', 1000, 0.01);
  });

  it('serves health, readiness (postgres, object store, redis) and metrics', async () => {
    const ready = await fetch(`${h.service.url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${h.service.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('route="/hls/*"');
    expect(metrics).toContain('streaming_stream_failures_total');
    expect(metrics).toMatch(/^streaming_hls_blocking_reloads\{[^}]*\} \d+$/m);
  });
});

describe('recordings and timelapses as finished media (/media)', () => {
  const JOB = '7a3c0e1f-9d2b-4c5e-8f6a-1b2c3d4e5f60';
  const OTHER_JOB = '7a3c0e1f-9d2b-4c5e-8f6a-1b2c3d4e5f61';
  const DAY = '2030-01-02';
  const segment = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const mp4 = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
  let streamId = '';
  let prefix = '';
  const REC = 'query($c: ID!) { recordings(cameraId: $c) { id playbackUrl renditions } }';
  const TL =
    'query($c: ID!) { timelapses(cameraId: $c) { id day durationSeconds frameCount videoKey playbackUrl job { id } camera { id } } }';

  beforeAll(async () => {
    streamId = streamOf['greenA1'] ?? '';
    prefix = `live/${streamId}/${JOB}/`;
    await put(
      `${prefix}master.m3u8`,
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"\n360p/index.m3u8\n',
    );
    await put(
      `${prefix}360p/index.m3u8`,
      '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:1800\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI="init-a.mp4"\n#EXTINF:1800,\ns0.m4s\n#EXTINF:1800,\ns1.m4s\n#EXT-X-ENDLIST\n',
    );
    await put(`${prefix}360p/init-a.mp4`, Buffer.from('init'));
    await put(`${prefix}360p/s0.m4s`, segment);
    await put(`${prefix}360p/s1.m4s`, segment);
    await put(`live/${streamId}/${OTHER_JOB}/master.m3u8`, '#EXTM3U\n');
    await put(`timelapses/${demo.cameras.greenA1}/${DAY}.mp4`, mp4);
    await put(`snapshots/${demo.cameras.greenA1}/${DAY}/12-00-00.jpg`, Buffer.from('jpeg'));
    await put(`uploads/${demo.farms.greenAcres}/${JOB}/source`, Buffer.from('video'));
    // Two finished sessions of the camera (reported late: the stream's current state is not touched).
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    for (const job of [JOB, OTHER_JOB])
      await h.bus.publish(
        topics.liveTranscodeStatus,
        statusEvent(streamId, 'ENDED', {
          jobId: job,
          masterPlaylistKey: `live/${streamId}/${job}/master.m3u8`,
          renditions: ['360p'],
          at: hourAgo,
        }),
      );
    await waitFor(
      () => h.db.recording.count({ where: { jobId: { in: [JOB, OTHER_JOB] } } }),
      (n) => n === 2,
    );
  });

  const recordingUrl = async (token: string, job = JOB): Promise<URL> => {
    const r = await gql<{ recordings: { id: string; playbackUrl: string }[] }>(
      h,
      REC,
      { c: demo.cameras.greenA1 },
      token,
    );
    expect(r.errors).toBeUndefined();
    const url = r.data?.recordings.map((x) => new URL(x.playbackUrl)).find((u) => u.pathname.includes(job));
    expect(url).toBeDefined();
    return new URL(local(url!.toString()));
  };

  it('plays a recording through a grant for its own folder: playlists carry a grant long enough to play them through', async () => {
    const master = await recordingUrl(tokens.customer);
    expect(master.pathname).toBe(`/media/${prefix}master.m3u8`);
    const res = await fetch(master);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const variantLine = (await res.text()).split('\n').find((l) => l.startsWith('360p/')) ?? '';
    const variant = new URL(variantLine, master);
    const grant = variant.searchParams;
    const lifetime = (params: URLSearchParams) => Number(params.get('e')) * 1000 - Date.now();
    expect(grant.get('v')).toBe(users.customer.id);
    expect(new MediaSigner(SIGNING_SECRET, 60).verify(prefix, grant).ok).toBe(true);
    // The URL handed out lives two minutes; the master's URIs ten (time to open a rendition) ...
    expect(lifetime(grant)).toBeGreaterThan(590_000);
    expect(lifetime(grant)).toBeLessThanOrEqual(600_000);
    // ... and a rendition's URIs as long as it plays (an hour here) plus ten minutes.
    const playlist = await (await fetch(variant)).text();
    expect(playlist).toMatch(/#EXT-X-MAP:URI="init-a\.mp4\?v=[^"]+"/);
    const segLine = playlist.split('\n').find((l) => l.startsWith('s1.m4s?')) ?? '';
    const segGrant = new URL(segLine, variant).searchParams;
    expect(lifetime(segGrant)).toBeGreaterThan(4_190_000);
    expect(lifetime(segGrant)).toBeLessThanOrEqual(4_200_000);
    const seg = await fetch(new URL(segLine, variant));
    expect(seg.status).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/iso.segment');
    expect(seg.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await seg.arrayBuffer())).toEqual(segment);
    // Strangers see no recordings (so get no URL).
    expect(codeOf(await gql(h, REC, { c: demo.cameras.greenA1 }, tokens.stranger))).toBe('FORBIDDEN');
  });

  it('answers byte ranges (206), refuses unsatisfiable ones (416), and HEAD gives the size', async () => {
    const master = await recordingUrl(tokens.customer);
    const seg = new URL(`360p/s0.m4s${master.search}`, master);
    const ranged = async (range: string) => {
      const res = await fetch(seg, { headers: { range } });
      return {
        status: res.status,
        contentRange: res.headers.get('content-range'),
        length: res.headers.get('content-length'),
        body: Buffer.from(await res.arrayBuffer()),
      };
    };
    expect(await ranged('bytes=10-19')).toEqual({
      status: 206,
      contentRange: 'bytes 10-19/1000',
      length: '10',
      body: segment.subarray(10, 20),
    });
    expect(await ranged('bytes=-10')).toEqual({
      status: 206,
      contentRange: 'bytes 990-999/1000',
      length: '10',
      body: segment.subarray(990),
    });
    expect(await ranged('bytes=995-')).toEqual({
      status: 206,
      contentRange: 'bytes 995-999/1000',
      length: '5',
      body: segment.subarray(995),
    });
    expect(await ranged('bytes=990-5000')).toMatchObject({
      status: 206,
      contentRange: 'bytes 990-999/1000',
      body: segment.subarray(990),
    });
    for (const bad of ['bytes=1000-', 'bytes=5-2', 'bytes=-', 'bytes=a-b', 'items=0-1', 'bytes=0-1,5-6']) {
      const r = await ranged(bad);
      expect({ bad, status: r.status, contentRange: r.contentRange }).toEqual({
        bad,
        status: 416,
        contentRange: 'bytes */1000',
      });
    }
    const head = await fetch(seg, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([
      200,
      '1000',
      0,
    ]);
    const preflight = await fetch(seg, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('range');
    // A player (or a browser extension) that adds its own header still gets the picture; a malformed list gets `range`.
    const asked = (headers: string) =>
      fetch(seg, { method: 'OPTIONS', headers: { 'access-control-request-headers': headers } }).then((r) =>
        r.headers.get('access-control-allow-headers'),
      );
    expect(await asked('range, x-forwarded-for')).toBe('range, x-forwarded-for');
    expect(await asked('range, bad header\r')).toBe('range');
    expect(await asked(Array.from({ length: 30 }, (_, i) => `x-h${i}`).join(','))).toBe('range');
    expect((await fetch(seg, { method: 'PUT', body: 'x' })).status).toBe(405);
  });

  it('keeps every grant to its scope and serves only the documented key shapes', async () => {
    const master = await recordingUrl(tokens.customer);
    const grant = master.search;
    const signer = new MediaSigner(SIGNING_SECRET, 60);
    const base = `${h.service.url}/media`;
    // Another session of the same camera, the camera's timelapse, the live stream: other scopes, other grants.
    for (const path of [`live/${streamId}/${OTHER_JOB}/master.m3u8`, `timelapses/${demo.cameras.greenA1}/${DAY}.mp4`])
      expect((await fetch(`${base}/${path}${grant}`)).status).toBe(403);
    expect((await fetch(`${h.service.url}/hls/${streamId}/master.m3u8${grant}`)).status).toBe(403);
    // Tampered, someone else's or expired: refused.
    const otherViewer = new URLSearchParams(master.searchParams);
    otherViewer.set('v', users.stranger.id);
    const expired = signer.sign(prefix, users.customer.id, Date.now() - 120_000).query;
    for (const query of [otherViewer.toString(), expired, '', 'v=x&e=1&s=short'])
      expect((await fetch(`${master.origin}${master.pathname}?${query}`)).status).toBe(403);
    expect(await (await fetch(`${master.origin}${master.pathname}?${expired}`)).json()).toEqual({
      error: 'media URL expired',
    });
    // Inside the scope but not there: 404.
    expect((await fetch(`${base}/${prefix}360p/s9.m4s${grant}`)).status).toBe(404);
    // Objects that are not finished media are never served, even with a grant signed for exactly their key.
    const hidden = [
      `uploads/${demo.farms.greenAcres}/${JOB}/source`,
      `snapshots/${demo.cameras.greenA1}/${DAY}/12-00-00.jpg`,
      `live/${streamId}/secret.json`,
      `${prefix}../${OTHER_JOB}/master.m3u8`,
      `${prefix}360p%2fs0.m4s`,
      `${prefix}360p/s0.m4s%00`,
    ];
    for (const key of hidden) {
      const forged = signer.sign(key, users.customer.id).query;
      const { status } = await fetchRaw(`${base}/${key}?${forged}`);
      expect({ key, status }).toEqual({ key, status: 403 });
    }
    const metrics = await (await fetch(`${h.service.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('route="/media/*"');
  });

  it('keeps a camera’s timelapse for those allowed to watch it, puts a plot’s in its feed, and plays it with ranges', async () => {
    const feed = await recordTopic(h.bus, topics.plotTimelapseReady);
    const ready: TimelapseReady = {
      jobId: JOB,
      cameraId: demo.cameras.greenA1,
      day: DAY,
      videoKey: `timelapses/${demo.cameras.greenA1}/${DAY}.mp4`,
      durationSeconds: 4.5,
      frameCount: 120,
    };
    await h.bus.publish(topics.timelapseReady, ready);
    const listed = await waitFor(
      () =>
        gql<{
          timelapses: {
            id: string;
            day: string;
            durationSeconds: number;
            frameCount: number;
            videoKey: string;
            playbackUrl: string;
            job: { id: string } | null;
            camera: { id: string };
          }[];
        }>(h, TL, { c: demo.cameras.greenA1 }, tokens.customer),
      (r) => (r.data?.timelapses.length ?? 0) > 0,
    );
    const timelapse = listed.data!.timelapses[0]!;
    expect(timelapse).toMatchObject({
      day: DAY,
      durationSeconds: 4.5,
      frameCount: 120,
      videoKey: ready.videoKey,
      job: null,
      camera: { id: demo.cameras.greenA1 },
    });
    // The farmer sees which job made it; strangers see nothing.
    expect(
      (await gql<{ timelapses: { job: { id: string } | null }[] }>(h, TL, { c: demo.cameras.greenA1 }, tokens.farmer))
        .data?.timelapses[0]?.job,
    ).toEqual({ id: JOB });
    expect(codeOf(await gql(h, TL, { c: demo.cameras.greenA1 }, tokens.stranger))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, TL, { c: demo.cameras.greenA1 }))).toBe('UNAUTHENTICATED');
    expect(
      (
        await gql<{ camera: { timelapses: unknown[] } }>(
          h,
          'query($id: ID!) { camera(id: $id) { timelapses { id } } }',
          { id: demo.cameras.greenA1 },
          tokens.farmer2,
        )
      ).data?.camera.timelapses,
    ).toEqual([]);
    // The plot's activity feed hears of it (farm resolves the Timelapse entity back here, for watchers only).
    await waitFor(
      () => feed.events.length,
      (n) => n === 1,
    );
    expect(feed.events[0]).toEqual({
      timelapseId: timelapse.id,
      cameraId: demo.cameras.greenA1,
      cameraName: 'Plot A-1',
      plotId: demo.plots.greenA1,
      farmId: demo.farms.greenAcres,
      day: DAY,
    });
    const ENTITY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Timelapse { id day } } }';
    expect(
      (await gql(h, ENTITY, { r: [{ __typename: 'Timelapse', id: timelapse.id }] }, tokens.customer)).data,
    ).toEqual({ _entities: [{ id: timelapse.id, day: DAY }] });
    expect(
      (await gql(h, ENTITY, { r: [{ __typename: 'Timelapse', id: timelapse.id }] }, tokens.stranger)).data,
    ).toEqual({ _entities: [null] });

    // The MP4 through its own grant, seekable.
    const url = new URL(local(timelapse.playbackUrl));
    expect(url.pathname).toBe(`/media/${ready.videoKey}`);
    const whole = await fetch(url);
    expect([whole.status, whole.headers.get('content-type'), whole.headers.get('content-length')]).toEqual([
      200,
      'video/mp4',
      '5000',
    ]);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(mp4);
    const part = await fetch(url, { headers: { range: 'bytes=4000-4099' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, 'bytes 4000-4099/5000']);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(mp4.subarray(4000, 4100));
    expect((await fetch(url, { headers: { range: 'bytes=5000-' } })).status).toBe(416);

    // A remake replaces it (one per camera and day); a camera without a plot, or one that is gone, adds nothing to a feed.
    await h.bus.publish(topics.timelapseReady, { ...ready, jobId: OTHER_JOB, frameCount: 130 });
    await h.bus.publish(topics.timelapseReady, {
      ...ready,
      cameraId: demo.cameras.greenOverview,
      videoKey: `timelapses/${demo.cameras.greenOverview}/${DAY}.mp4`,
    });
    await h.bus.publish(topics.timelapseReady, { ...ready, cameraId: '30000000-0000-4000-8000-0000000000ff' });
    await h.bus.publish(topics.timelapseReady, { ...ready, day: 'yesterday' });
    await waitFor(
      () => h.db.timelapse.findMany({ where: { day: DAY }, orderBy: { cameraId: 'asc' } }),
      (rows) => rows.length === 2 && rows.some((r) => r.frameCount === 130),
    );
    await new Promise((r) => setTimeout(r, 100));
    await h.service.eventsIdle();
    const rows = await h.db.timelapse.findMany({ where: { day: DAY }, orderBy: { cameraId: 'asc' } });
    expect(rows.map((r) => [r.cameraId, r.jobId, r.frameCount])).toEqual([
      [demo.cameras.greenA1, OTHER_JOB, 130],
      [demo.cameras.greenOverview, JOB, 120],
    ]);
    expect(rows[0]?.id).toBe(timelapse.id);
    expect(feed.events.map((e) => [e.timelapseId, e.plotId])).toEqual([
      [timelapse.id, demo.plots.greenA1],
      [timelapse.id, demo.plots.greenA1],
    ]);
    await feed.stop();
  });

  it('forgets recordings whose media the transcoder deleted (RecordingsExpired)', async () => {
    await h.bus.publish(topics.recordingsExpired, {
      jobIds: [OTHER_JOB, 'not-a-known-job'],
    } satisfies RecordingsExpired);
    await waitFor(
      () => h.db.recording.findMany({ where: { jobId: { in: [JOB, OTHER_JOB] } } }),
      (rows) => rows.length === 1,
    );
    const r = await gql<{ recordings: { playbackUrl: string }[] }>(
      h,
      REC,
      { c: demo.cameras.greenA1 },
      tokens.customer,
    );
    expect(r.data?.recordings.some((x) => x.playbackUrl.includes(OTHER_JOB))).toBe(false);
    expect(r.data?.recordings.some((x) => x.playbackUrl.includes(JOB))).toBe(true);
  });
});

/** fetch() normalises `..` in URLs; players and attackers need not, so send the path exactly as written. */
async function fetchRaw(url: string): Promise<{ status: number }> {
  const { request } = await import('node:http');
  const u = new URL(url.replace(/\/\.\.\//g, '/__DOTDOT__/'));
  const path = `${u.pathname}${u.search}`.replace(/__DOTDOT__/g, '..');
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}
