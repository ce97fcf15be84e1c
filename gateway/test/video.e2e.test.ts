// Live video through the whole supergraph, as the app and a partner's player see it: the demo farm's cameras (a real
// RTMP server and test-pattern cameras, exactly what `npm start` runs), the transcoder, streaming, and every URL
// fetched through the gateway's origin. Nothing here publishes a status or writes a playlist itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import HLS from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { demo } from '@vegshare/demo';
import { gatewayClient, startE2eStack, type E2eStack } from '@vegshare/tools/testing/e2e-stack';
import { waitFor as pollUntil } from '@vegshare/tools/testing/wait';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '@vegshare/transcoding/domain/media/ffmpeg-binary';

let dataDir: string;
let ffprobe: string;
const clients: Client[] = [];

/** Read loosely: each test reads the fields it asked for. */
type Data = Record<string, any>;
let e2e: E2eStack;
const { gql, login } = gatewayClient<Data>(() => e2e.stack.gatewayUrl);

function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): { events: T[]; errors: unknown[] } {
  const client = createClient({
    url: `${e2e.stack.gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  const events: T[] = [];
  const errors: unknown[] = [];
  client.subscribe<T>(
    { query, variables },
    {
      next: (v) => (v.data ? events.push(v.data as T) : errors.push(v.errors)),
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return { events, errors };
}

const text = async (url: string): Promise<{ status: number; body: string; ms: number }> => {
  const started = Date.now();
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), ms: Date.now() - started };
};

/** Polls `check` until it gives something truthy (named `what` in the failure). */
async function waitFor<T>(
  what: string,
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs: number,
  _everyMs = 25,
): Promise<T> {
  try {
    return (await pollUntil(check, (v) => Boolean(v), timeoutMs)) as T;
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
}

/** A URI of a playlist fetched from `base`, resolved like a player does (the grant rides on every URI). */
const resolve = (base: string, uri: string): string => new URL(uri, base).toString();

async function probe(
  url: string,
): Promise<{ streams: { codec_type: string; codec_name: string; height?: number }[]; format: { duration?: string } }> {
  const { stdout } = await promisify(execFile)(
    ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', url],
    { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as never;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vegshare-video-e2e-'));
  ffprobe = (await resolveFfmpeg()).ffprobe;
  e2e = await startE2eStack({
    env: {
      SNAPSHOT_INTERVAL_SECONDS: '1',
      TIMELAPSE_SECONDS: '2',
      CAMERA_HEALTH_NOTIFY_COOLDOWN_SECONDS: '1',
    },
    demoCameras: { dataDir },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await e2e?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const STREAM_FIELDS = 'id status lastError renditions camera { id health }';
const camera = demo.cameras.greenA1; // plot A-1 of Green Acres, rented by the demo customer

describe('live video through the gateway', () => {
  let farmer: string;
  let customer: string;
  let streamId: string;

  it('the farm starts a camera: LIVE only once playable, played at low latency by its renter through the gateway; strangers are refused', async () => {
    [farmer, customer] = await Promise.all([login(demo.users.farmer.email), login(demo.users.customer.email)]);
    const stream = await gql(`{ camera(id: "${camera}") { stream { id status } } }`, {}, farmer);
    streamId = stream.data?.['camera'].stream.id as string;
    const statuses = subscribe<{
      streamStatusChanged: { status: string; lastError: string | null; renditions: string[] };
    }>(`subscription($s: ID!) { streamStatusChanged(streamId: $s) { ${STREAM_FIELDS} } }`, { s: streamId }, customer);
    await new Promise((r) => setTimeout(r, 500));
    const started = await gql(`mutation { startStream(cameraId: "${camera}") { ${STREAM_FIELDS} } }`, {}, farmer);
    expect(started.errors).toBeUndefined();
    expect(started.data?.['startStream'].status).toBe('STARTING');
    await waitFor('LIVE', () => statuses.events.some((e) => e.streamStatusChanged.status === 'LIVE'), 45_000);
    const live = statuses.events.find((e) => e.streamStatusChanged.status === 'LIVE')!.streamStatusChanged;
    expect(live.renditions).toEqual(['720p', '360p']);

    // The renter's signed URL is on the gateway's origin; the master and a segment of every rendition are there now.
    const playback = await gql(`{ playbackUrl(streamId: "${streamId}") { url expiresAt } }`, {}, customer);
    const url = playback.data?.['playbackUrl'].url as string;
    expect(new URL(url).origin).toBe(new URL(e2e.stack.gatewayUrl).origin);
    const master = await text(url);
    expect(master.status).toBe(200);
    const variants = (HLS.parse(master.body) as HLS.types.MasterPlaylist).variants;
    expect(variants.map((v) => v.resolution?.height)).toEqual([720, 360]);
    const mediaUrl = resolve(url, variants[0]!.uri);
    const media = await text(mediaUrl);
    expect(media.status).toBe(200);
    const playlist = HLS.parse(media.body) as HLS.types.MediaPlaylist;
    expect(playlist.segments.some((s) => s.uri)).toBe(true);
    expect(media.body).toMatch(/CAN-BLOCK-RELOAD=YES/);
    // A web player on another origin: the preflight passes the gateway with what the browser asked for.
    const preflight = await fetch(mediaUrl, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'range, x-player-session',
      },
    });
    expect([
      preflight.status,
      preflight.headers.get('access-control-allow-origin'),
      preflight.headers.get('access-control-allow-headers'),
    ]).toEqual([204, '*', 'range, x-player-session']);

    // A blocking reload for the next part is held until it exists (well under the 6 s bound), then lists it.
    const last = playlist.segments.at(-1)!;
    const nextPart = last.uri
      ? { msn: last.mediaSequenceNumber + 1, part: 0 }
      : { msn: last.mediaSequenceNumber, part: last.parts.length };
    const blocked = await text(`${mediaUrl}&_HLS_msn=${nextPart.msn}&_HLS_part=${nextPart.part}`);
    expect(blocked.status).toBe(200);
    expect(blocked.ms).toBeLessThan(3_000);
    const after = HLS.parse(blocked.body) as HLS.types.MediaPlaylist;
    const reached = after.segments.find((s) => s.mediaSequenceNumber === nextPart.msn);
    expect(reached && (reached.uri || reached.parts.length > nextPart.part)).toBeTruthy();
    // A request far beyond the live edge is refused, not held.
    expect((await text(`${mediaUrl}&_HLS_msn=${nextPart.msn + 50}`)).status).toBe(400);
    // The preload-hinted part can be asked for before it exists; the answer comes when it does.
    const hint = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(blocked.body)?.[1];
    expect(hint).toBeDefined();
    const hinted = await fetch(resolve(mediaUrl, hint!));
    expect(hinted.status).toBe(200);
    expect((await hinted.arrayBuffer()).byteLength).toBeGreaterThan(100);

    // ffprobe plays the live ladder from the gateway like any HLS client: H.264 720p passed through + 360p, AAC.
    const probed = await probe(url);
    expect(probed.streams.filter((s) => s.codec_type === 'video').map((s) => [s.codec_name, s.height])).toEqual([
      ['h264', 720],
      ['h264', 360],
    ]);

    // Someone else's plot: refused; a forged or foreign grant: 403.
    const stranger = await login(demo.users.farmer2.email);
    const refused = await gql(`{ playbackUrl(streamId: "${streamId}") { url } }`, {}, stranger);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect((await fetch(url.replace(/s=[^&]+/, 's=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(403);
  }, 120_000);

  it('a camera that drops is RECONNECTING with the reason and the farmer is told; it comes back LIVE', async () => {
    const statuses = subscribe<{
      streamStatusChanged: { status: string; lastError: string | null; camera: { health: string } };
    }>(`subscription($s: ID!) { streamStatusChanged(streamId: $s) { ${STREAM_FIELDS} } }`, { s: streamId }, farmer);
    const health = subscribe<{ cameraHealthChanged: { id: string; health: string } }>(
      'subscription($f: ID!) { cameraHealthChanged(farmId: $f) { id health } }',
      { f: demo.farms.greenAcres },
      farmer,
    );
    await new Promise((r) => setTimeout(r, 500));
    const publisher = e2e.stack.demoCameras!.publishers.get(camera)!;
    const cutAt = Date.now();
    await publisher.cut();
    await waitFor(
      'RECONNECTING',
      () => statuses.events.some((e) => e.streamStatusChanged.status === 'RECONNECTING'),
      15_000,
      50,
    );
    expect(Date.now() - cutAt).toBeLessThan(6_000);
    const reconnecting = statuses.events.find(
      (e) => e.streamStatusChanged.status === 'RECONNECTING',
    )!.streamStatusChanged;
    expect(reconnecting.lastError).toMatch(/no video from the camera/);
    await waitFor(
      'camera OFFLINE',
      () =>
        health.events.some((e) => e.cameraHealthChanged.id === camera && e.cameraHealthChanged.health === 'OFFLINE'),
      10_000,
    );
    const offline = await waitFor(
      'offline notification',
      async () => {
        const n = await gql('{ notifications(first: 10) { edges { node { kind title body } } } }', {}, farmer);
        return (n.data?.['notifications'].edges as { node: { kind: string; title: string; body: string } }[]).find(
          (e) => /offline/.test(e.node.title),
        );
      },
      10_000,
    );
    expect(offline.node).toMatchObject({ kind: 'stream' });
    expect(offline.node.body).toMatch(/no video from the camera/);
    publisher.restore();
    await waitFor(
      'LIVE again',
      () =>
        statuses.events.some(
          (e, i) =>
            e.streamStatusChanged.status === 'LIVE' &&
            i > statuses.events.indexOf(statuses.events.find((x) => x.streamStatusChanged.status === 'RECONNECTING')!),
        ),
      15_000,
    );
    await waitFor('camera ONLINE', () => health.events.some((e) => e.cameraHealthChanged.health === 'ONLINE'), 10_000);
    await waitFor(
      'back-online notification',
      async () => {
        const n = await gql('{ notifications(first: 10) { edges { node { title } } } }', {}, farmer);
        return (n.data?.['notifications'].edges as { node: { title: string } }[]).some((e) =>
          /back online/.test(e.node.title),
        );
      },
      10_000,
    );
  }, 90_000);

  it('keeps transcode jobs to their farm: the orchard farmer neither sees nor cancels Green Acres’ live job', async () => {
    const orchard = await login(demo.users.farmer2.email);
    const mine = await gql('{ transcodeJobs(kind: LIVE) { edges { node { id status farm { id } } } } }', {}, farmer);
    expect(mine.errors).toBeUndefined();
    const jobs = (
      mine.data?.['transcodeJobs'].edges as { node: { id: string; status: string; farm: { id: string } } }[]
    ).map((e) => e.node);
    // The live job, RUNNING or (when the loaded machine made the camera stall for a moment) RECONNECTING.
    const job = jobs.find((j) => j.status === 'RUNNING' || j.status === 'RECONNECTING');
    expect(job, JSON.stringify(jobs)).toBeDefined();
    if (!job) return;
    expect(job.farm.id).toBe(demo.farms.greenAcres);
    const theirs = await gql('{ transcodeJobs { edges { node { id } } } }', {}, orchard);
    expect((theirs.data?.['transcodeJobs'].edges as unknown[]).length).toBe(0);
    const cancel = await gql(`mutation { cancelTranscodeJob(id: "${job.id}") { id } }`, {}, orchard);
    expect(cancel.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await gql(`{ transcodeJob(id: "${job.id}") { id } }`, {}, orchard)).data?.['transcodeJob']).toBeNull();
  });

  it('a stopped stream leaves a recording its renter can play through the gateway, and a timelapse in the plot’s feed', async () => {
    await new Promise((r) => setTimeout(r, 3_000));
    const stopped = await gql(`mutation { stopStream(cameraId: "${camera}") { status } }`, {}, farmer);
    expect(stopped.data?.['stopStream'].status).toBe('ENDED');
    const recording = await waitFor(
      'recording',
      async () => {
        const r = await gql(
          `{ camera(id: "${camera}") { recordings(first: 1) { id durationSeconds renditions playbackUrl } } }`,
          {},
          customer,
        );
        return r.data?.['camera'].recordings[0] as
          { durationSeconds: number; renditions: string[]; playbackUrl: string } | undefined;
      },
      20_000,
    );
    expect(recording.renditions).toEqual(['720p', '360p']);
    expect(new URL(recording.playbackUrl).pathname).toMatch(/^\/media\/live\//);
    const vod = await text(recording.playbackUrl);
    expect(vod.status).toBe(200);
    const rendition = resolve(
      recording.playbackUrl,
      (HLS.parse(vod.body) as HLS.types.MasterPlaylist).variants[1]!.uri,
    );
    const recorded = await text(rendition);
    expect(recorded.body).toMatch(/#EXT-X-ENDLIST/);
    expect(recorded.body).toMatch(/#EXT-X-DISCONTINUITY/);
    const seconds = (HLS.parse(recorded.body) as HLS.types.MediaPlaylist).segments.reduce((t, s) => t + s.duration, 0);
    expect(seconds).toBeGreaterThan(5);
    const probed = await probe(rendition);
    expect(probed.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', height: 360 });
    // A stranger sees no recordings, and the media route refuses keys outside a grant's scope.
    expect((await fetch(`${e2e.stack.gatewayUrl}/media/snapshots/${camera}/x.jpg?v=a&e=1&s=b`)).status).toBe(403);

    // Today's timelapse from the snapshots the live stream took: in the plot's feed, playable (with byte ranges) by the renter.
    const day = new Date().toISOString().slice(0, 10);
    const requested = await gql(
      `mutation { requestTimelapse(input: { cameraId: "${camera}", day: "${day}" }) { id } }`,
      {},
      farmer,
    );
    expect(requested.errors).toBeUndefined();
    const entry = await waitFor(
      'timelapse in the feed',
      async () => {
        const feed = await gql(
          `{ plot(id: "${demo.plots.greenA1}") { activity(first: 10) { edges { node { kind message timelapse { id day durationSeconds playbackUrl } } } } } }`,
          {},
          customer,
        );
        return (
          feed.data?.['plot']?.activity.edges as
            { node: { kind: string; timelapse: { day: string; playbackUrl: string } | null } }[] | undefined
        )?.find((e) => e.node.kind === 'TIMELAPSE_READY');
      },
      60_000,
    );
    expect(entry.node.timelapse?.day).toBe(day);
    const mp4 = entry.node.timelapse!.playbackUrl;
    const ranged = await fetch(mp4, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    expect((await probe(mp4)).streams[0]).toMatchObject({ codec_type: 'video', codec_name: 'h264' });
  }, 120_000);
});
