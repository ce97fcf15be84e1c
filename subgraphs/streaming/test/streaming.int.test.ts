import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, eventTopics, type LiveTranscodeRequested, type LiveTranscodeStatus, type LiveTranscodeStopRequested, type RentalChanged, type FarmChanged } from '@vegshare/kit';
import fc from 'fast-check';
import { topics } from '@vegshare/kit';
import { PlaybackSigner } from '../src/playback-signing.ts';
import { canTransition } from '../src/stream-machine.ts';
import type { StreamSnapshot } from '../src/stream-snapshot.ts';
import { codeOf, gql, recordTopic, SIGNING_SECRET, startHarness, users, waitFor, type Harness } from './support.ts';

let h: Harness;
const tokens: Record<keyof typeof users, string> = { customer: '', farmer: '', farmer2: '', admin: '', stranger: '' };
const streamOf: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  for (const [name, user] of Object.entries(users) as [keyof typeof users, (typeof users)[keyof typeof users]][]) tokens[name] = await h.token(user.id, user.roles);
  for (const [name, id] of Object.entries(demo.cameras)) {
    const r = await gql<{ camera: { stream: { id: string } } }>(h, 'query($id: ID!) { camera(id: $id) { stream { id } } }', { id });
    streamOf[name] = r.data?.camera.stream.id ?? '';
  }
});
afterAll(async () => {
  await h?.stop();
});

const PLAYBACK = 'query($s: ID!) { playbackUrl(streamId: $s) { url expiresAt stream { id status } } }';
const statusEvent = (streamId: string, status: LiveTranscodeStatus['status'], extra: Partial<LiveTranscodeStatus> = {}): LiveTranscodeStatus => ({
  streamId,
  jobId: 'job-1',
  status,
  masterPlaylistKey: null,
  renditions: [],
  error: null,
  at: new Date().toISOString(),
  ...extra,
});
const streamRow = (id: string) => h.db.stream.findUniqueOrThrow({ where: { id } });
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
      camera: { name: 'Plot A-1', public: false, enabled: true, health: 'UNKNOWN', sourceUrl: 'rtsp://cameras.demo.vegshare.local/green-acres/a1', farm: { id: demo.farms.greenAcres }, plot: { id: demo.plots.greenA1 } },
    });
    expect((await gql<{ camera: { sourceUrl: string } }>(h, Q, { id }, tokens.admin)).data?.camera.sourceUrl).toMatch(/^rtsp:/);
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
      expect((await gql(h, Q2, { id: demo.cameras.greenA1 }, token)).data).toEqual({ camera: { viewerCanWatch: watch, viewerCanManage: manage } });
    }
    expect((await gql(h, Q2, { id: demo.cameras.greenOverview })).data).toEqual({ camera: { viewerCanWatch: true, viewerCanManage: false } });
  });

  it('adds cameras to Plot and Farm entities in one batch', async () => {
    const r = await gql(h, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Plot { cameras { id } } ... on Farm { cameras { name } } } }', {
      r: [{ __typename: 'Plot', id: demo.plots.greenA1 }, { __typename: 'Farm', id: demo.farms.greenAcres }, { __typename: 'Plot', id: demo.plots.river1 }],
    });
    expect(r.data?.['_entities']).toEqual([{ cameras: [{ id: demo.cameras.greenA1 }] }, { cameras: [{ name: 'Green Acres overview' }, { name: 'Plot A-1' }] }, { cameras: [] }]);
  });

  it('lets the farm’s farmer register, update and remove a camera, and nobody else', async () => {
    const REGISTER = 'mutation($i: RegisterCameraInput!) { registerCamera(input: $i) { id name public plot { id } stream { status } } }';
    const input = { farmId: demo.farms.riverMeadow, plotId: demo.plots.river1, name: 'River gate', sourceUrl: 'rtmp://cams.example.com/live/river' };
    expect(codeOf(await gql(h, REGISTER, { i: input }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(h, REGISTER, { i: input }, tokens.customer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, REGISTER, { i: input }, tokens.farmer2))).toBe('FORBIDDEN');
    expect(codeOf(await gql(h, REGISTER, { i: { ...input, sourceUrl: 'http://cams.example.com/x' } }, tokens.farmer))).toBe('BAD_USER_INPUT');
    // greenA1 is known (through its rental) to be a Green Acres plot.
    expect(codeOf(await gql(h, REGISTER, { i: { ...input, plotId: demo.plots.greenA1 } }, tokens.farmer))).toBe('BAD_USER_INPUT');

    const created = await gql<{ registerCamera: { id: string } }>(h, REGISTER, { i: input }, tokens.farmer);
    expect(created.data?.registerCamera).toMatchObject({ name: 'River gate', public: false, plot: { id: demo.plots.river1 }, stream: { status: 'IDLE' } });
    const id = created.data?.registerCamera.id ?? '';

    const UPDATE = 'mutation($id: ID!, $i: UpdateCameraInput!) { updateCamera(id: $id, input: $i) { name public enabled plot { id } } }';
    expect(codeOf(await gql(h, UPDATE, { id, i: { name: 'Mine now' } }, tokens.farmer2))).toBe('FORBIDDEN');
    expect((await gql(h, UPDATE, { id, i: { name: ' Gate ', public: true, plotId: null } }, tokens.farmer)).data).toEqual({ updateCamera: { name: 'Gate', public: true, enabled: true, plot: null } });
    expect((await gql(h, UPDATE, { id, i: { enabled: false } }, tokens.admin)).data).toMatchObject({ updateCamera: { enabled: false, name: 'Gate' } });

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
    const anon = await gql<{ playbackUrl: { url: string; expiresAt: string } }>(h, PLAYBACK, { s: streamOf['greenOverview'] });
    expect(anon.errors).toBeUndefined();
    const expiresIn = Date.parse(anon.data?.playbackUrl.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(300_000);
    expect(new URL(anon.data?.playbackUrl.url ?? '').searchParams.get('v')).toMatch(/^anon:/);
  });

  it('follows FarmChanged and RentalChanged events (idempotently)', async () => {
    const orchard = streamOf['orchard1'] ?? '';
    const rental: RentalChanged = { rentalId: '40000000-0000-4000-8000-0000000000f1', plotId: demo.plots.orchard1, farmId: demo.farms.orchardHill, customerId: users.stranger.id, status: 'ACTIVE', startsOn: '2020-01-01', endsOn: '2999-01-01' };
    await h.bus.publish(eventTopics.rentalChanged, rental);
    await h.bus.publish(eventTopics.rentalChanged, rental);
    await waitFor(() => gql(h, PLAYBACK, { s: orchard }, tokens.stranger), (r) => r.errors === undefined);
    expect(await h.db.plotRental.count({ where: { rentalId: rental.rentalId } })).toBe(1);
    await h.bus.publish(eventTopics.rentalChanged, { ...rental, status: 'ENDED' });
    await waitFor(() => gql(h, PLAYBACK, { s: orchard }, tokens.stranger), (r) => codeOf(r) === 'FORBIDDEN');
    await h.bus.publish(eventTopics.rentalChanged, { ...rental, customerId: 'not-a-uuid' }); // malformed: dropped

    const SOURCE = 'query($id: ID!) { camera(id: $id) { sourceUrl } }';
    expect((await gql(h, SOURCE, { id: demo.cameras.orchard1 }, tokens.farmer)).data).toEqual({ camera: { sourceUrl: null } });
    const handover: FarmChanged = { farmId: demo.farms.orchardHill, ownerId: users.farmer.id, name: 'Orchard Hill' };
    await h.bus.publish(eventTopics.farmChanged, handover);
    await waitFor(() => gql<{ camera: { sourceUrl: string | null } }>(h, SOURCE, { id: demo.cameras.orchard1 }, tokens.farmer), (r) => r.data?.camera.sourceUrl !== null);
    await h.bus.publish(eventTopics.farmChanged, { ...handover, ownerId: users.farmer2.id });
    await waitFor(() => gql<{ camera: { sourceUrl: string | null } }>(h, SOURCE, { id: demo.cameras.orchard1 }, tokens.farmer2), (r) => r.data?.camera.sourceUrl !== null);
  });
});

describe('stream lifecycle', () => {
  it('starts on demand, re-asks the transcoder while STARTING, follows its status reports', async () => {
    const id = streamOf['greenA1'] ?? '';
    const requests = await recordTopic<LiveTranscodeRequested>(h.bus, eventTopics.liveTranscodeRequested);
    await h.service.control.stop(id, 'test reset'); // earlier tests asked for playback URLs
    await h.db.stream.update({ where: { id }, data: { status: 'IDLE' } });
    const r = await gql<{ playbackUrl: { stream: { status: string } } }>(h, PLAYBACK, { s: id }, tokens.customer);
    expect(r.data?.playbackUrl.stream.status).toBe('STARTING');
    await waitFor(() => requests.events.length, (n) => n >= 1);
    expect(requests.events[0]).toEqual({ streamId: id, cameraId: demo.cameras.greenA1, sourceUrl: 'rtsp://cameras.demo.vegshare.local/green-acres/a1', profile: 'live-hls-ladder' });
    await h.service.control.republishStarting();
    await waitFor(() => requests.events.filter((e) => e.streamId === id).length, (n) => n >= 2);

    await h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, 'STARTING'));
    await h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, 'LIVE', { masterPlaylistKey: `live/${id}/job-1/master.m3u8`, renditions: ['720p', '360p'] }));
    const live = await waitFor(() => streamRow(id), (s) => s.status === 'LIVE');
    expect(live).toMatchObject({ jobId: 'job-1', renditions: ['720p', '360p'], masterPlaylistKey: `live/${id}/job-1/master.m3u8` });
    expect(live.startedAt).toBeInstanceOf(Date);
    await waitFor(async () => (await h.db.camera.findUniqueOrThrow({ where: { id: demo.cameras.greenA1 } })).health, (health) => health === 'ONLINE');
    // A second LIVE report, and a garbage one, change nothing.
    await h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, 'LIVE', { masterPlaylistKey: `live/${id}/job-1/master.m3u8`, renditions: ['720p', '360p'] }));
    await h.bus.publish(eventTopics.liveTranscodeStatus, { streamId: id, status: 'EXPLODED' });
    await h.service.control.republishStarting();
    await new Promise((r) => setTimeout(r, 100));
    await h.service.eventsIdle();
    expect((await streamRow(id)).updatedAt).toEqual(live.updatedAt);
    await requests.stop();

    const q = await gql(h, 'query($id: ID!) { stream(id: $id) { status renditions startedAt lastError viewers camera { id } } }', { id }, tokens.customer);
    expect((q.data?.['stream'] as { viewers: number }).viewers).toBeGreaterThanOrEqual(1); // this customer, at least
    expect(q.data?.['stream']).toEqual({ status: 'LIVE', renditions: ['720p', '360p'], startedAt: live.startedAt?.toISOString(), lastError: null, viewers: expect.any(Number), camera: { id: demo.cameras.greenA1 } });
  });

  it('serves the HLS ladder from S3 to signed URLs only, never answering 500', async () => {
    const id = streamOf['greenA1'] ?? '';
    const dir = `live/${id}/job-1`;
    const { client, bucket } = { client: (await import('minio')).Client, bucket: h.s3.env.S3_BUCKET };
    const s3 = new client({ endPoint: '127.0.0.1', port: Number(new URL(h.s3.env.S3_ENDPOINT).port), useSSL: false, accessKey: 'S3RVER', secretKey: 'S3RVER', pathStyle: true });
    if (!(await s3.bucketExists(bucket))) await s3.makeBucket(bucket);
    await s3.putObject(bucket, `${dir}/master.m3u8`, '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000\n720p/index.m3u8\n');
    await s3.putObject(bucket, `${dir}/720p/index.m3u8`, '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_00001.ts\n');
    const segment = Buffer.from([0x47, 1, 2, 3, 4, 5]);
    await s3.putObject(bucket, `${dir}/720p/seg_00001.ts`, segment);
    await s3.putObject(bucket, `live/${id}/secret.json`, '{}');

    const r = await gql<{ playbackUrl: { url: string } }>(h, PLAYBACK, { s: id }, tokens.customer);
    const master = new URL(local(r.data?.playbackUrl.url ?? ''));
    const res = await fetch(master);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const body = await res.text();
    const variantLine = body.split('\n').find((l) => l.startsWith('720p/')) ?? '';
    expect(variantLine).toBe(`720p/index.m3u8${master.search}`);
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
    const expired = new PlaybackSigner(SIGNING_SECRET, 60).sign(id, users.customer.id, Date.now() - 120_000).query;
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
    expect((await fetch(`${h.service.url}/hls/${streamOf['greenOverview']}/master.m3u8?${new PlaybackSigner(SIGNING_SECRET, 60).sign(streamOf['greenOverview'] ?? '', 'x').query}`)).status).toBe(404);
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

    const stops = await recordTopic<LiveTranscodeStopRequested>(h.bus, eventTopics.liveTranscodeStopRequested);
    await h.service.control.sweep(Date.now() + 5_000); // viewers still fresh
    expect((await streamRow(id)).status).toBe('LIVE');
    await h.service.control.sweep(Date.now() + 120_000); // TTL 30 s and idle time 60 s have passed
    expect((await streamRow(id)).status).toBe('ENDED');
    await waitFor(() => stops.events, (e) => e.some((s) => s.streamId === id));
    await stops.stop();
  });

  it('records a session when the transcoder reports ENDED with a playlist, and hides recordings from strangers', async () => {
    const id = streamOf['greenA1'] ?? '';
    const ended = statusEvent(id, 'ENDED', { masterPlaylistKey: `live/${id}/job-1/master.m3u8`, renditions: ['720p', '360p'] });
    await h.bus.publish(eventTopics.liveTranscodeStatus, ended);
    await h.bus.publish(eventTopics.liveTranscodeStatus, ended);
    await waitFor(() => h.db.recording.count({ where: { streamId: id } }), (n) => n === 1);
    await new Promise((r) => setTimeout(r, 50));
    await h.service.eventsIdle();
    expect(await h.db.recording.count({ where: { streamId: id } })).toBe(1);

    const REC = 'query($c: ID!) { recordings(cameraId: $c) { camera { id } renditions durationSeconds startedAt endedAt } }';
    const mine = await gql<{ recordings: { renditions: string[]; durationSeconds: number }[] }>(h, REC, { c: demo.cameras.greenA1 }, tokens.customer);
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.recordings).toHaveLength(1);
    expect(mine.data?.recordings[0]).toMatchObject({ camera: { id: demo.cameras.greenA1 }, renditions: ['720p', '360p'] });
    expect(mine.data?.recordings[0]?.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(codeOf(await gql(h, REC, { c: demo.cameras.greenA1 }, tokens.stranger))).toBe('FORBIDDEN');
    const nested = await gql<{ camera: { recordings: unknown[] } }>(h, 'query($id: ID!) { camera(id: $id) { recordings { id } } }', { id: demo.cameras.greenA1 }, tokens.stranger);
    expect(nested.data?.camera.recordings).toEqual([]);
  });

  it('ignores impossible reports and asks again to stop a ladder nobody wants', async () => {
    const id = streamOf['greenA1'] ?? '';
    const stops = await recordTopic<LiveTranscodeStopRequested>(h.bus, eventTopics.liveTranscodeStopRequested);
    await h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, 'LIVE', { jobId: 'job-zombie' }));
    await waitFor(() => stops.events, (e) => e.some((s) => s.streamId === id));
    expect((await streamRow(id)).status).toBe('ENDED');
    await stops.stop();
  });

  it('lets the farmer start and stop a stream; fails a stream the transcoder never starts', async () => {
    const id = streamOf['greenA1'] ?? '';
    const START = 'mutation($c: ID!) { startStream(cameraId: $c) { id status } }';
    const STOP = 'mutation($c: ID!) { stopStream(cameraId: $c) { id status } }';
    expect(codeOf(await gql(h, START, { c: demo.cameras.greenA1 }, tokens.customer))).toBe('FORBIDDEN');
    expect((await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer)).data).toEqual({ startStream: { id, status: 'STARTING' } });
    expect((await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer)).data).toEqual({ startStream: { id, status: 'STARTING' } });
    // A report from before this session was requested belongs to the previous ladder.
    await h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, 'FAILED', { at: new Date(Date.now() - 60_000).toISOString(), error: 'old' }));
    await h.service.control.sweep(Date.now() + 120_000); // farmer-started streams are not idle-stopped
    await h.service.eventsIdle();
    expect((await streamRow(id)).status).toBe('STARTING');
    expect((await gql(h, STOP, { c: demo.cameras.greenA1 }, tokens.admin)).data).toEqual({ stopStream: { id, status: 'ENDED' } });
    expect((await gql(h, STOP, { c: demo.cameras.greenA1 }, tokens.farmer)).data).toEqual({ stopStream: { id, status: 'ENDED' } });

    await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer);
    await h.service.control.republishStarting(Date.now() + 61_000);
    expect(await streamRow(id)).toMatchObject({ status: 'FAILED', lastError: 'The transcoder did not start the stream in time' });

    await gql(h, START, { c: demo.cameras.greenA1 }, tokens.farmer);
    await h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, 'FAILED', { error: 'connection refused by camera' }));
    await waitFor(() => streamRow(id), (s) => s.status === 'FAILED' && s.lastError === 'connection refused by camera');
    expect((await h.db.camera.findUniqueOrThrow({ where: { id: demo.cameras.greenA1 } })).health).toBe('OFFLINE');
  });

  it('publishes only valid transitions, in order, under concurrent starts, stops and transcoder reports', async () => {
    const id = streamOf['greenOverview'] ?? '';
    type Op = 'start' | 'stop' | 'LIVE' | 'RECONNECTING' | 'FAILED' | 'ENDED';
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<Op>('start', 'stop', 'LIVE', 'RECONNECTING', 'FAILED', 'ENDED'), { minLength: 3, maxLength: 12 }), async (ops) => {
        const events = await recordTopic<StreamSnapshot>(h.bus, topics.streamStatus(id));
        const future = new Date(Date.now() + 60_000).toISOString(); // never "stale"
        await Promise.all(
          ops.map((op) =>
            op === 'start' ? h.service.control.start(id, { onDemand: false })
            : op === 'stop' ? h.service.control.stop(id, 'test')
            : h.bus.publish(eventTopics.liveTranscodeStatus, statusEvent(id, op, { at: future })),
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
      }),
      { numRuns: 8 },
    );
  });

  it('serves health, readiness (postgres, object store, redis) and metrics', async () => {
    const ready = await fetch(`${h.service.url}/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${h.service.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('route="/hls/*"');
    expect(metrics).toContain('streaming_stream_failures_total');
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
