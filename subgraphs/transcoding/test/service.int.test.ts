import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  BusEventStream,
  createLogger,
  createObjectStore,
  topics,
  MediaSigner,
  MemoryEventBus,
  ServiceEvents,
  type FarmChanged,
  type LiveTranscodeRequested,
  type LiveTranscodeStatus,
  type ObjectStore,
  type RecordingsExpired,
  type TimelapseReady,
  type TranscoderCapacity,
  type EventTopic,
  type EventPayloads,
  untypedBus,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { mediaHandler } from '@vegshare/streaming/adapters/http/media';
import { createTranscodingDb, type TranscodingDb } from '../src/db.ts';
import { createDailyTimelapses } from '../src/domain/jobs/job-commands.ts';
import { sweepExpiredMedia } from '../src/domain/jobs/media-retention.ts';
import { seedTranscoding } from '../src/seed.ts';
import type { JobQueue } from '../src/adapters/queue/job-queue.ts';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { failOutboxWrites, outboxPayloads } from '@vegshare/tools/testing/outbox-faults';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import {
  loadTranscodingConfig,
  startTranscodingService,
  type RunningTranscoding,
  type TranscodingConfig,
} from '../src/service.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../src/domain/media/m3u8.ts';
import {
  collect,
  createTokens,
  downloadPrefix,
  ffprobe,
  gql,
  listKeys,
  makeClip,
  objectExists,
  processesInDir,
  run,
  tempDir,
  waitFor,
  wsClient,
  type Tokens,
  removeTempDirs,
} from './harness.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

const SIGNING_SECRET = 'the-playback-key-streaming-and-transcoding-share';
const logger = createLogger('transcoding', 'silent');

let database: TestDatabase;
let s3: LocalS3;
let store: ObjectStore;
let service: RunningTranscoding;
let config: TranscodingConfig;
let bus: MemoryEventBus;
let tokens: Tokens;
let farmer: string;
let farmer2: string;
let admin: string;
let customer: string;
let work: string;
/** streaming's /media route (the real handler, on the same bucket and key): where VOD playback URLs lead. */
let media: Server;
let mediaOrigin: string;

const JOB_FIELDS =
  'id kind status attempts error renditions farm { id } camera { id } progress { fps speed processedMs bitrateKbps } output { prefix masterPlaylistKey dashManifestKey thumbnailCount }';
interface Job {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  error: string | null;
  renditions: string[];
  farm: { id: string } | null;
  camera: { id: string } | null;
  progress: { fps: number | null; speed: number | null; processedMs: number | null; bitrateKbps: number | null } | null;
  output: {
    prefix: string | null;
    masterPlaylistKey: string | null;
    dashManifestKey: string | null;
    thumbnailCount: number;
  };
}

const codeOf = (r: { errors?: { extensions?: { code?: string } }[] }): string | undefined =>
  r.errors?.[0]?.extensions?.code;

async function job(id: string, token = farmer): Promise<Job> {
  const { data, errors } = await gql<{ transcodeJob: Job }>(
    service.url,
    `query($id: ID!) { transcodeJob(id: $id) { ${JOB_FIELDS} } }`,
    { id },
    token,
  );
  if (errors) throw new Error(JSON.stringify(errors));
  return data!.transcodeJob;
}

const finished = (id: string, timeoutMs = 60_000): Promise<Job> =>
  waitFor(
    'job finished',
    async () => {
      const j = await job(id);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status) && j;
    },
    timeoutMs,
  );

interface UploadGrant {
  id: string;
  uploadUrl: string;
  contentType: string;
  maxBytes: number;
  expiresAt: string;
}

const CREATE_UPLOAD =
  'mutation($i: CreateVodUploadInput!) { createVodUpload(input: $i) { id uploadUrl contentType maxBytes expiresAt } }';
const REQUEST_VOD = `mutation($i: RequestVodTranscodeInput!) { requestVodTranscode(input: $i) { ${JOB_FIELDS} } }`;

/** What the app does: ask for an upload of one of the farm's videos, then PUT the file to the presigned URL. */
async function upload(
  file: string,
  options: {
    farmId?: string;
    cameraId?: string | null;
    contentType?: string;
    putType?: string;
    declared?: number;
    token?: string;
  } = {},
): Promise<UploadGrant> {
  const body = await readFile(file);
  const contentType = options.contentType ?? 'video/mp4';
  const granted = await gql<{ createVodUpload: UploadGrant }>(
    service.url,
    CREATE_UPLOAD,
    {
      i: {
        farmId: options.farmId ?? demo.farms.greenAcres,
        cameraId: options.cameraId === undefined ? demo.cameras.greenA1 : options.cameraId,
        contentType,
        sizeBytes: options.declared ?? body.length,
      },
    },
    options.token ?? farmer,
  );
  expect(granted.errors).toBeUndefined();
  const grant = granted.data!.createVodUpload;
  const put = await fetch(grant.uploadUrl, {
    method: 'PUT',
    headers: { 'content-type': options.putType ?? contentType },
    body,
  });
  expect(put.status).toBe(200);
  return grant;
}

const requestVod = (uploadId: string, token = farmer, profile?: string) =>
  gql<{ requestVodTranscode: Job }>(
    service.url,
    REQUEST_VOD,
    { i: { uploadId, ...(profile ? { profile } : {}) } },
    token,
  );

/** Records what the service publishes on a topic of its bus. */
function record<K extends EventTopic>(topic: K): EventPayloads[K][] {
  const events: EventPayloads[K][] = [];
  void bus.subscribe(topic, (e) => void events.push(e));
  return events;
}

beforeAll(async () => {
  [database, s3, tokens, work] = await Promise.all([
    createTestDatabase(),
    startLocalS3(),
    createTokens(),
    tempDir('vod'),
  ]);
  store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
  const serve = mediaHandler({ store, signer: new MediaSigner(SIGNING_SECRET, 120), logger });
  media = createServer((req, res) => {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    void serve(req, res, q === -1 ? raw : raw.slice(0, q), q === -1 ? '' : raw.slice(q + 1));
  });
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
  mediaOrigin = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
  config = loadTranscodingConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    ...s3.env,
    X264_PRESET: 'ultrafast',
    WORKER_CONCURRENCY: '2',
    THUMBNAIL_INTERVAL_SECONDS: '1',
    PROGRESS_INTERVAL_MS: '200',
    CANCEL_GRACE_MS: '2000',
    TIMELAPSE_SECONDS: '4',
    PLAYBACK_SIGNING_SECRET: SIGNING_SECRET,
    PLAYBACK_BASE_URL: mediaOrigin,
    VOD_UPLOAD_MAX_BYTES: String(64 * 1024 * 1024),
    WORK_DIR: join(work, 'jobs'),
  });
  const seedDb = createTranscodingDb(database.url, 1);
  await seedTranscoding(seedDb);
  await seedDb.$disconnect();
  bus = new MemoryEventBus();
  service = await startTranscodingService(config, {
    logger,
    verifier: tokens.verifier,
    events: bus,
    revocationSource: withoutAuthService,
  });
  [farmer, farmer2, admin, customer] = await Promise.all([
    tokens.mint(demo.users.farmer.id, ['FARMER']),
    tokens.mint(demo.users.farmer2.id, ['FARMER']),
    tokens.mint(demo.users.admin.id, ['ADMIN']),
    tokens.mint(demo.users.customer.id, ['CUSTOMER']),
  ]);
});
afterAll(async () => {
  await service?.stop(1000);
  await new Promise((resolve) => media?.close(resolve));
  await s3?.stop();
  await database?.drop();
  await removeTempDirs();
});

describe('VOD uploads', () => {
  it('hands a farmer a presigned upload for their own farm only, of a video type and a size within the limit', async () => {
    const input = {
      farmId: demo.farms.greenAcres,
      cameraId: demo.cameras.greenA1,
      contentType: 'video/mp4',
      sizeBytes: 1_000_000,
    };
    const { data, errors } = await gql<{ createVodUpload: UploadGrant }>(
      service.url,
      CREATE_UPLOAD,
      { i: input },
      farmer,
    );
    expect(errors).toBeUndefined();
    const grant = data!.createVodUpload;
    expect(grant).toMatchObject({ contentType: 'video/mp4', maxBytes: 1_000_000 });
    // A presigned PUT for exactly one key: the farm's upload folder, named by the upload.
    const url = new URL(grant.uploadUrl);
    expect(url.pathname).toBe(`/${s3.env.S3_BUCKET}/uploads/${demo.farms.greenAcres}/${grant.id}/source`);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(Date.parse(grant.expiresAt) - Date.now()).toBeGreaterThan(880_000);
    expect(Date.parse(grant.expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
    // Admins may upload for any farm; nobody else for a farm that is not theirs.
    expect(codeOf(await gql(service.url, CREATE_UPLOAD, { i: input }, admin))).toBeUndefined();
    expect(codeOf(await gql(service.url, CREATE_UPLOAD, { i: input }, farmer2))).toBe('FORBIDDEN');
    expect(codeOf(await gql(service.url, CREATE_UPLOAD, { i: input }, customer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(service.url, CREATE_UPLOAD, { i: input }))).toBe('UNAUTHENTICATED');
    const refused: [Record<string, unknown>, string][] = [
      [{ contentType: 'text/html' }, 'contentType'],
      [{ contentType: 'video/mp4; x=1' }, 'contentType'],
      [{ sizeBytes: 0 }, 'sizeBytes'],
      [{ sizeBytes: 1.5 }, 'sizeBytes'],
      [{ sizeBytes: 64 * 1024 * 1024 + 1 }, 'sizeBytes'],
      [{ cameraId: demo.cameras.orchard1 }, 'cameraId'],
      [{ farmId: 'nope' }, 'farmId'],
    ];
    for (const [change, field] of refused) {
      const r = await gql(service.url, CREATE_UPLOAD, { i: { ...input, ...change } }, farmer);
      expect({ change, error: r.errors?.[0]?.extensions }).toEqual({
        change,
        error: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      });
    }
  });

  it('checks what was uploaded before a job is made: something, of the declared type, no larger than declared (else deleted)', async () => {
    const clip = join(work, 'small.mp4');
    await makeClip(clip, 1);
    const size = (await stat(clip)).size;
    // Nothing PUT yet.
    const empty = await gql<{ createVodUpload: UploadGrant }>(
      service.url,
      CREATE_UPLOAD,
      { i: { farmId: demo.farms.greenAcres, contentType: 'video/mp4', sizeBytes: size } },
      farmer,
    );
    expect((await requestVod(empty.data!.createVodUpload.id)).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'uploadId',
    });
    // Put as another type than declared.
    const mistyped = await upload(clip, { putType: 'video/webm' });
    const typed = await requestVod(mistyped.id);
    expect(typed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'uploadId' });
    expect(typed.errors?.[0]?.message).toMatch(/uploaded as video\/webm, declared video\/mp4/);
    // Larger than declared: refused, and the file is deleted.
    const oversize = await upload(clip, { declared: size - 100 });
    const key = `uploads/${demo.farms.greenAcres}/${oversize.id}/source`;
    expect(await objectExists(store, key)).toBe(true);
    const big = await requestVod(oversize.id);
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'uploadId' });
    expect(big.errors?.[0]?.message).toMatch(/larger than the \d+ bytes declared; it was deleted/);
    expect(await objectExists(store, key)).toBe(false);
    // Another farm's upload does not exist for this farmer; an unknown one does not either. Customers may not ask.
    const mine = await upload(clip);
    expect(codeOf(await requestVod(mine.id, farmer2))).toBe('NOT_FOUND');
    expect(codeOf(await requestVod(mine.id, customer))).toBe('FORBIDDEN');
    expect(codeOf(await requestVod(randomUUID()))).toBe('NOT_FOUND');
    expect(codeOf(await gql(service.url, REQUEST_VOD, { i: { uploadId: mine.id } }))).toBe('UNAUTHENTICATED');
    expect(await db().vodUpload.count({ where: { jobId: { not: null } } })).toBe(0);
  });
});

describe('VOD ladder', () => {
  let ladderJob = '';

  it('encodes 720p/480p/360p HLS (fMP4) with aligned 2 s keyframes, uploads every segment, writes DASH, and streams progress', async () => {
    const clip = join(work, 'clip.mp4');
    await makeClip(clip, 6, '1280x720');
    const client = wsClient(service.url, farmer);
    const grant = await upload(clip);
    // Asking twice, even at once, for one upload gives one job.
    const [first, second] = await Promise.all([requestVod(grant.id), requestVod(grant.id)]);
    expect(first.errors).toBeUndefined();
    expect(second.errors).toBeUndefined();
    const id = first.data!.requestVodTranscode.id;
    ladderJob = id;
    expect(second.data!.requestVodTranscode.id).toBe(id);
    expect(first.data!.requestVodTranscode).toMatchObject({
      kind: 'VOD',
      renditions: ['720p', '480p', '360p'],
      farm: { id: demo.farms.greenAcres },
      camera: { id: demo.cameras.greenA1 },
    });
    expect((await requestVod(grant.id)).data!.requestVodTranscode.id).toBe(id);
    const sub = collect<{ transcodeJobUpdated: Job & { cursor: string } }>(
      client,
      `subscription($id: ID!) { transcodeJobUpdated(jobId: $id) { ${JOB_FIELDS} cursor } }`,
      { id },
    );
    const PLAY = 'query($id: ID!) { transcodeJob(id: $id) { status playbackUrl } }';
    const early = await gql<{ transcodeJob: { status: string; playbackUrl: string | null } }>(
      service.url,
      PLAY,
      { id },
      farmer,
    );
    if (early.data!.transcodeJob.status !== 'SUCCEEDED') expect(early.data!.transcodeJob.playbackUrl).toBeNull();
    const done = await finished(id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    await waitFor('final event', () => sub.events.some((e) => e.transcodeJobUpdated.status === 'SUCCEEDED'), 5_000);
    sub.dispose();
    // Resuming with an early event's cursor delivers the job's current (final) state first; with the final cursor, nothing;
    // a cursor of another entity is BAD_USER_INPUT.
    const final = (
      await gql<{ transcodeJob: { cursor: string } }>(
        service.url,
        'query($id: ID!) { transcodeJob(id: $id) { cursor } }',
        { id },
        farmer,
      )
    ).data!.transcodeJob.cursor;
    const RESUME =
      'subscription($id: ID!, $a: String) { transcodeJobUpdated(jobId: $id, after: $a) { status cursor } }';
    const resumed = collect<{ transcodeJobUpdated: { status: string; cursor: string } }>(client, RESUME, {
      id,
      a: sub.events[0]!.transcodeJobUpdated.cursor,
    });
    const upToDate = collect<{ transcodeJobUpdated: { status: string; cursor: string } }>(client, RESUME, {
      id,
      a: final,
    });
    const foreign = collect<{ transcodeJobUpdated: { status: string } }>(client, RESUME, {
      id,
      a: Buffer.from(JSON.stringify([randomUUID(), new Date().toISOString(), 'AAAAAAAAAAAAAAAA'])).toString(
        'base64url',
      ),
    });
    await waitFor('resumed state', () => resumed.events.length > 0 && foreign.errors.length > 0, 5_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(resumed.events).toEqual([{ transcodeJobUpdated: { status: 'SUCCEEDED', cursor: final } }]);
    expect(upToDate.events).toEqual([]);
    expect(JSON.stringify(foreign.errors)).toContain('BAD_USER_INPUT');
    for (const s of [resumed, upToDate, foreign]) s.dispose();
    await client.dispose();
    expect(await db().transcodeJob.count({ where: { source: { contains: grant.id } } })).toBe(1);
    // progress events arrived on the subscription with ffmpeg's figures
    const progress = sub.events.map((e) => e.transcodeJobUpdated.progress).filter((p) => p !== null);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => (p?.processedMs ?? 0) > 0 && (p?.speed ?? 0) > 0 && (p?.fps ?? -1) >= 0)).toBe(true);
    expect(sub.events.map((e) => e.transcodeJobUpdated.status)).toContain('RUNNING');

    const prefix = `vod/${id}/`;
    expect(done.output).toMatchObject({
      prefix,
      masterPlaylistKey: `${prefix}master.m3u8`,
      dashManifestKey: `${prefix}manifest.mpd`,
    });
    expect(done.output.thumbnailCount).toBeGreaterThanOrEqual(5);
    const dir = await tempDir('vod-out');
    const keys = new Set(await downloadPrefix(store, prefix, dir));

    // master playlist: a variant per rendition with BANDWIDTH/RESOLUTION/CODECS (audio muxed into each)
    const master = parseMasterPlaylist(await readFile(join(dir, 'master.m3u8'), 'utf8'));
    expect(master.variants.map((v) => [v.uri, v.resolution])).toEqual([
      ['720p/index.m3u8', { width: 1280, height: 720 }],
      ['480p/index.m3u8', { width: 854, height: 480 }],
      ['360p/index.m3u8', { width: 640, height: 360 }],
    ]);
    for (const v of master.variants) {
      expect(v.bandwidth).toBeGreaterThan(100_000);
      expect(v.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
    }

    for (const [i, name] of ['720p', '480p', '360p'].entries()) {
      const playlistText = await readFile(join(dir, name, 'index.m3u8'), 'utf8');
      expect(playlistText).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      const playlist = parseMediaPlaylist(playlistText);
      expect(playlist.endList).toBe(true);
      // 2 s segments; the first also carries the AAC encoder's priming (1024 samples at 48 kHz, 21 ms before the video).
      const durations = playlist.segments.map((s) => s.duration);
      expect(durations).toHaveLength(3);
      durations.forEach((d, n) =>
        expect(Math.abs(d - 2), `segment ${n}: ${d}`).toBeLessThanOrEqual(n === 0 ? 0.025 : 0.001),
      );
      expect(playlist.targetDuration).toBe(Math.max(...durations.map((d) => Math.ceil(d))));
      expect(playlist.mapUri).toBe('init.mp4');
      // every referenced segment (and the init segment) is in S3
      for (const uri of [playlist.mapUri!, ...playlist.segments.map((s) => s.uri)])
        expect(keys.has(`${prefix}${name}/${uri}`)).toBe(true);
      // ffprobe: resolution, codec, audio, keyframes exactly on segment boundaries
      const probe = (await ffprobe(join(dir, name, 'index.m3u8'), [
        '-show_streams',
        '-show_entries',
        'packet=pts_time,flags',
        '-select_streams',
        'v:0',
      ])) as {
        streams: { codec_name: string; width: number; height: number }[];
        packets: { pts_time: string; flags: string }[];
      };
      expect(probe.streams[0]).toMatchObject({
        codec_name: 'h264',
        width: master.variants[i]!.resolution!.width,
        height: master.variants[i]!.resolution!.height,
      });
      const keyTimes = probe.packets
        .filter((p) => p.flags.startsWith('K'))
        .map((p) => Math.round(Number(p.pts_time) * 100) / 100);
      const start = keyTimes[0] ?? 0;
      // Every segment starts on a keyframe and every keyframe starts a segment (the rungs switch cleanly).
      const segmentStarts = durations.map((_, n) => durations.slice(0, n).reduce((t, d) => t + d, 0));
      expect(keyTimes.map((t) => Math.round((t - start) * 100) / 100)).toEqual(
        segmentStarts.map((t) => Math.round(t * 100) / 100),
      );
      const audio = (await ffprobe(join(dir, name, 'index.m3u8'), ['-show_streams', '-select_streams', 'a'])) as {
        streams: { codec_name: string }[];
      };
      expect(audio.streams.map((s) => s.codec_name)).toEqual(['aac']);
    }

    // DASH over the same segments: every URL it names is in S3
    const mpd = await readFile(join(dir, 'manifest.mpd'), 'utf8');
    expect(mpd).toContain('type="static"');
    const urls = [...mpd.matchAll(/(?:media|sourceURL)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBe(3 * 4);
    for (const url of urls) expect(keys.has(prefix + url)).toBe(true);
    expect(mpd.match(/<Representation /g)?.length).toBe(3);
    expect(mpd).toContain('height="720"');
    expect(keys.has(`${prefix}thumbnails/thumb_00001.jpg`)).toBe(true);
  }, 120_000);

  it('gives whoever sees a finished VOD job a signed playback URL that plays, for that job only', async () => {
    const PLAY = 'query($id: ID!) { transcodeJob(id: $id) { playbackUrl } }';
    const url = (await gql<{ transcodeJob: { playbackUrl: string } }>(service.url, PLAY, { id: ladderJob }, farmer))
      .data!.transcodeJob.playbackUrl;
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).toBe(`${mediaOrigin}/media/vod/${ladderJob}/master.m3u8`);
    expect(parsed.searchParams.get('v')).toBe(demo.users.farmer.id);
    // ffprobe plays it from the /media route like any HLS client: every rendition, H.264 with AAC.
    const probe = (await ffprobe(url, ['-show_streams'])) as {
      streams: { codec_type: string; codec_name: string; height?: number }[];
    };
    expect(
      probe.streams
        .filter((s) => s.codec_type === 'video')
        .map((s) => [s.codec_name, s.height])
        .sort(),
    ).toEqual([
      ['h264', 360],
      ['h264', 480],
      ['h264', 720],
    ]);
    expect(new Set(probe.streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name))).toEqual(
      new Set(['aac']),
    );
    const mpd = await fetch(`${mediaOrigin}/media/vod/${ladderJob}/manifest.mpd${parsed.search}`);
    expect([mpd.status, mpd.headers.get('content-type')]).toEqual([200, 'application/dash+xml']);
    // The grant opens this job's folder only.
    expect((await fetch(`${mediaOrigin}/media/vod/${randomUUID()}/master.m3u8${parsed.search}`)).status).toBe(403);
    expect((await fetch(`${mediaOrigin}/media/uploads/${demo.farms.greenAcres}/x/source${parsed.search}`)).status).toBe(
      403,
    );
    // Admins get their own URL; the orchard's farmer sees no such job at all.
    const asAdmin = (await gql<{ transcodeJob: { playbackUrl: string } }>(service.url, PLAY, { id: ladderJob }, admin))
      .data!.transcodeJob.playbackUrl;
    expect(new URL(asAdmin).searchParams.get('v')).toBe(demo.users.admin.id);
    expect((await gql(service.url, PLAY, { id: ladderJob }, farmer2)).data).toEqual({ transcodeJob: null });
  }, 60_000);

  it('fails an upload that is not a video ffmpeg can read at once, without retrying', async () => {
    const file = join(work, 'not-a-video.mp4');
    await writeFile(file, 'this is a text file, not a video '.repeat(100));
    const grant = await upload(file);
    const { data, errors } = await requestVod(grant.id);
    expect(errors).toBeUndefined();
    const failed = await finished(data!.requestVodTranscode.id, 30_000);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/not a video ffmpeg can read/);
    expect(failed.attempts).toBe(1);
    expect(
      (
        await gql<{ transcodeJob: { playbackUrl: string | null } }>(
          service.url,
          'query($id: ID!) { transcodeJob(id: $id) { playbackUrl } }',
          { id: failed.id },
          farmer,
        )
      ).data!.transcodeJob.playbackUrl,
    ).toBeNull();
  });

  it('cancels a running job and ffmpeg is gone within 5 s; another farm’s farmer cannot', async () => {
    const clip = join(work, 'long.mp4');
    await makeClip(clip, 90);
    const grant = await upload(clip);
    const { data } = await requestVod(grant.id);
    const id = data!.requestVodTranscode.id;
    await waitFor(
      'ffmpeg running',
      async () => (await job(id)).progress !== null && (await processesInDir(id)).length > 0,
      30_000,
    );
    const CANCEL = 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id status } }';
    expect(codeOf(await gql(service.url, CANCEL, { id }, farmer2))).toBe('NOT_FOUND');
    expect(codeOf(await gql(service.url, CANCEL, { id }, customer))).toBe('FORBIDDEN');
    expect((await job(id)).status).toBe('RUNNING');
    const cancelledAt = Date.now();
    const { data: cancelled, errors } = await gql<{ cancelTranscodeJob: Job }>(service.url, CANCEL, { id }, farmer);
    expect(errors).toBeUndefined();
    expect(cancelled!.cancelTranscodeJob.status).toBe('CANCELLED');
    await waitFor('ffmpeg stopped', async () => (await processesInDir(id)).length === 0, 5_000, 50);
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect((await job(id)).status).toBe('CANCELLED');
    // cancelling again is a conflict, not a silent success
    const again = await gql(service.url, CANCEL, { id }, farmer);
    expect(codeOf(again)).toBe('CONFLICT');
  }, 60_000);

  it('pages jobs newest first with a Relay connection and filters by status and kind', async () => {
    type Page = {
      transcodeJobs: { edges: { cursor: string; node: Job }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    const first = await gql<Page>(
      service.url,
      '{ transcodeJobs(first: 2, kind: VOD) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }',
      {},
      admin,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.transcodeJobs.edges).toHaveLength(2);
    expect(first.data!.transcodeJobs.pageInfo.hasNextPage).toBe(true);
    const next = await gql<Page>(
      service.url,
      'query($a: String) { transcodeJobs(first: 2, after: $a, kind: VOD) { edges { node { id } } pageInfo { hasNextPage } } }',
      { a: first.data!.transcodeJobs.pageInfo.endCursor },
      admin,
    );
    expect(next.data!.transcodeJobs.edges).toHaveLength(1);
    const seen = [
      ...first.data!.transcodeJobs.edges.map((e) => e.node.id),
      ...next.data!.transcodeJobs.edges.map((e) => e.node.id),
    ];
    expect(new Set(seen).size).toBe(3);
    const cancelled = await gql<Page>(
      service.url,
      '{ transcodeJobs(status: CANCELLED) { edges { node { status } } } }',
      {},
      farmer,
    );
    expect(cancelled.data!.transcodeJobs.edges.map((e) => e.node.status)).toEqual(['CANCELLED']);
    const bad = await gql(service.url, '{ transcodeJobs(after: "nope") { edges { cursor } } }', {}, farmer);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
  });
});

describe('farm isolation', () => {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const LIST = '{ transcodeJobs(first: 100) { edges { node { id farm { id } } } } }';
  const farmsIn = async (token: string) =>
    new Set(
      (
        await gql<{ transcodeJobs: { edges: { node: { farm: { id: string } | null } }[] } }>(
          service.url,
          LIST,
          {},
          token,
        )
      ).data!.transcodeJobs.edges.map((e) => e.node.farm?.id),
    );

  it('lets a farmer see, follow and cancel their farms’ jobs only; admins see every farm’s', async () => {
    // A job of the orchard (farmer2's farm): its timelapse, which fails at once for want of snapshots.
    const TIMELAPSE =
      'mutation($c: ID!, $d: String!) { requestTimelapse(input: { cameraId: $c, day: $d }) { id farm { id } } }';
    expect(codeOf(await gql(service.url, TIMELAPSE, { c: demo.cameras.orchard1, d: yesterday }, farmer))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await gql(service.url, TIMELAPSE, { c: randomUUID(), d: yesterday }, farmer))).toBe('NOT_FOUND');
    const orchard = await gql<{ requestTimelapse: { id: string; farm: { id: string } } }>(
      service.url,
      TIMELAPSE,
      { c: demo.cameras.orchard1, d: yesterday },
      farmer2,
    );
    expect(orchard.errors).toBeUndefined();
    expect(orchard.data!.requestTimelapse.farm).toEqual({ id: demo.farms.orchardHill });
    const orchardJob = orchard.data!.requestTimelapse.id;

    expect(await farmsIn(farmer)).toEqual(new Set([demo.farms.greenAcres]));
    expect(await farmsIn(farmer2)).toEqual(new Set([demo.farms.orchardHill]));
    expect(await farmsIn(admin)).toEqual(new Set([demo.farms.greenAcres, demo.farms.orchardHill]));
    // One job by id: null for another farm's farmer, who can neither cancel nor follow it (it does not exist for them).
    expect(
      (await gql(service.url, 'query($id: ID!) { transcodeJob(id: $id) { id } }', { id: orchardJob }, farmer)).data,
    ).toEqual({ transcodeJob: null });
    expect(
      codeOf(
        await gql(service.url, 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id } }', { id: orchardJob }, farmer),
      ),
    ).toBe('NOT_FOUND');
    const client = wsClient(service.url, farmer);
    const sub = collect(client, 'subscription($id: ID!) { transcodeJobUpdated(jobId: $id) { id status } }', {
      id: orchardJob,
    });
    await waitFor('refused subscription', () => sub.errors.length > 0, 5_000);
    expect(JSON.stringify(sub.errors)).toContain('NOT_FOUND');
    expect(sub.events).toEqual([]);
    sub.dispose();
    await client.dispose();
    const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on TranscodeJob { id } } }';
    expect(
      (await gql(service.url, ENTITIES, { r: [{ __typename: 'TranscodeJob', id: orchardJob }] }, farmer)).data,
    ).toEqual({ _entities: [null] });
    expect(
      (await gql(service.url, ENTITIES, { r: [{ __typename: 'TranscodeJob', id: orchardJob }] }, farmer2)).data,
    ).toEqual({ _entities: [{ id: orchardJob }] });
    const failed = await waitFor(
      'orchard timelapse failed',
      async () => {
        const j = await job(orchardJob, farmer2);
        return j.status === 'FAILED' && j;
      },
      30_000,
    );
    expect(failed.error).toMatch(/no snapshots/);
  });

  it('follows farms changing hands (FarmChanged) and cameras moving (CameraChanged)', async () => {
    // The orchard is handed to the Green Acres farmer: its jobs are theirs now, and no longer farmer2's.
    await bus.publish(topics.farmChanged, {
      farmId: demo.farms.orchardHill,
      ownerId: demo.users.farmer.id,
      name: 'Orchard Hill',
    } satisfies FarmChanged);
    await waitFor('handover', async () => (await farmsIn(farmer)).has(demo.farms.orchardHill), 10_000, 250);
    await waitFor('handover for farmer2', async () => (await farmsIn(farmer2)).size === 0, 10_000, 250);
    await bus.publish(topics.farmChanged, {
      farmId: demo.farms.orchardHill,
      ownerId: demo.users.farmer2.id,
      name: 'Orchard Hill',
    } satisfies FarmChanged);
    await waitFor('handed back', async () => !(await farmsIn(farmer)).has(demo.farms.orchardHill), 10_000, 250);
    // A camera registered on Green Acres: its timelapses are Green Acres' to ask for; once removed, nobody's.
    const camera = randomUUID();
    const TIMELAPSE = 'mutation($c: ID!, $d: String!) { requestTimelapse(input: { cameraId: $c, day: $d }) { id } }';
    await bus.publish(topics.cameraChanged, {
      cameraId: camera,
      farmId: demo.farms.greenAcres,
      plotId: null,
      removed: false,
    });
    await waitFor(
      'camera known',
      async () => codeOf(await gql(service.url, TIMELAPSE, { c: camera, d: yesterday }, farmer)) === undefined,
      10_000,
      250,
    );
    expect(codeOf(await gql(service.url, TIMELAPSE, { c: camera, d: yesterday }, farmer2))).toBe('FORBIDDEN');
    await bus.publish(topics.cameraChanged, {
      cameraId: camera,
      farmId: demo.farms.greenAcres,
      plotId: null,
      removed: true,
    });
    await waitFor(
      'camera gone',
      async () => codeOf(await gql(service.url, TIMELAPSE, { c: camera, d: yesterday }, farmer)) === 'NOT_FOUND',
      10_000,
      250,
    );
    // Malformed projections are dropped.
    await bus.publish(topics.farmChanged, { farmId: 'x', ownerId: demo.users.farmer2.id, name: 'x' });
    expect(await farmsIn(farmer2)).toEqual(new Set([demo.farms.orchardHill]));
  });
});

describe('authorization and validation', () => {
  it('lets only farmers and admins see jobs, and only admins see workers', async () => {
    const anyJob = (
      await gql<{ transcodeJobs: { edges: { node: { id: string } }[] } }>(
        service.url,
        '{ transcodeJobs(first: 1, kind: VOD) { edges { node { id } } } }',
        {},
        farmer,
      )
    ).data!.transcodeJobs.edges[0]!.node.id;
    const asCustomer = await gql(
      service.url,
      'query($id: ID!) { transcodeJob(id: $id) { id } }',
      { id: anyJob },
      customer,
    );
    expect(codeOf(asCustomer)).toBe('FORBIDDEN');
    const anonymous = await gql(service.url, '{ transcodeJobs { edges { cursor } } }');
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(service.url, '{ workers { id } }', {}, farmer))).toBe('FORBIDDEN');
    const forbiddenMutation = await gql(
      service.url,
      'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id } }',
      { id: anyJob },
      customer,
    );
    expect(codeOf(forbiddenMutation)).toBe('FORBIDDEN');
    // the worker behind a job: admins see it, farmers get null
    const q = 'query($id: ID!) { transcodeJob(id: $id) { worker { id } } }';
    expect(
      (await gql<{ transcodeJob: { worker: unknown } }>(service.url, q, { id: anyJob }, farmer)).data!.transcodeJob
        .worker,
    ).toBeNull();
    expect(
      (await gql<{ transcodeJob: { worker: { id: string } } }>(service.url, q, { id: anyJob }, admin)).data!
        .transcodeJob.worker.id,
    ).toBe(service.workers!.workerId);
    // entity references of jobs are hidden from non-operators
    const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on TranscodeJob { id } } }';
    expect(
      (
        await gql<{ _entities: unknown[] }>(
          service.url,
          entities,
          { r: [{ __typename: 'TranscodeJob', id: anyJob }] },
          customer,
        )
      ).data!._entities,
    ).toEqual([null]);
    expect(
      (
        await gql<{ _entities: unknown[] }>(
          service.url,
          entities,
          { r: [{ __typename: 'TranscodeJob', id: anyJob }] },
          admin,
        )
      ).data!._entities,
    ).toEqual([{ id: anyJob }]);
  });

  it('serves health and readiness over Postgres, the queue and S3', async () => {
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'postgres', ok: true },
        { name: 'queue', ok: true },
        { name: 's3', ok: true },
        { name: 'revocations', ok: true },
      ],
    });
  });

  it('exports job and CPU metrics', async () => {
    const text = await (await fetch(`${service.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/transcode_jobs_total\{[^}]*kind="VOD"[^}]*outcome="succeeded"[^}]*\} [1-9]/);
    expect(text).toMatch(/transcode_jobs_total\{[^}]*outcome="cancel"/);
    // Queue depth from the job table, as the alert rules and dashboard read it.
    expect(text).toMatch(/transcoding_queue_jobs\{[^}]*state="waiting"[^}]*\} \d+/);
    expect(text).toMatch(/transcoding_queue_jobs\{[^}]*state="active"[^}]*\} \d+/);
    expect(text).toMatch(new RegExp(`transcoding_cpu_cores\\{[^}]*use="budget"[^}]*\\} ${config.CPU_BUDGET_CORES}`));
  });

  it('shows the worker pool to admins: capacity, CPU budget and use, heartbeat and ffmpeg version', async () => {
    type Workers = {
      workers: {
        id: string;
        capacity: number;
        cpuBudget: number;
        cpuUsed: number;
        online: boolean;
        ffmpegVersion: string;
        runningJobIds: string[];
        runningJobs: unknown[];
      }[];
    };
    const query =
      '{ workers { id host pid capacity cpuBudget cpuUsed online ffmpegVersion lastHeartbeatAt runningJobIds runningJobs { id } } }';
    // a cancelled job's clean-up may still be finishing; the heartbeat catches up
    const { data, errors } = await waitFor(
      'idle worker',
      async () => {
        const r = await gql<Workers>(service.url, query, {}, admin);
        return (r.errors || r.data?.workers[0]?.runningJobIds.length === 0) && r;
      },
      15_000,
      250,
    );
    expect(errors).toBeUndefined();
    expect(data!.workers).toHaveLength(1);
    expect(data!.workers[0]).toMatchObject({
      id: service.workers!.workerId,
      capacity: 2,
      cpuBudget: config.CPU_BUDGET_CORES,
      online: true,
      runningJobIds: [],
      runningJobs: [],
    });
    expect(data!.workers[0]!.cpuUsed).toBeGreaterThanOrEqual(0);
    expect(data!.workers[0]!.ffmpegVersion).toMatch(/^ffmpeg version /);
  });

  it('survives hostile input on every mutation: a stable error code, never an internal error', async () => {
    const codes = new Set<string>();
    const noInternal = (res: { errors?: { extensions?: { code?: string } }[] }) => {
      for (const e of res.errors ?? []) {
        codes.add(e.extensions?.code ?? 'none');
        expect(e.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
      }
    };
    const id = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.uuid(),
      fc.constantFrom(demo.farms.greenAcres, demo.farms.orchardHill, demo.cameras.greenA1),
    );
    const size = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e300, Number.NaN));
    await fc.assert(
      fc.asyncProperty(
        id,
        fc.option(id, { nil: null }),
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom('video/mp4', 'video/webm', 'video/MP4', 'video/mp4\u0000'),
        ),
        size,
        async (farmId, cameraId, contentType, sizeBytes) => {
          noInternal(
            await gql(service.url, CREATE_UPLOAD, { i: { farmId, cameraId, contentType, sizeBytes } }, farmer),
          );
        },
      ),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(id, fc.option(fc.string(), { nil: null }), async (uploadId, profile) => {
        noInternal(
          await gql(
            service.url,
            'mutation($i: RequestVodTranscodeInput!) { requestVodTranscode(input: $i) { id } }',
            { i: { uploadId, profile } },
            farmer,
          ),
        );
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.uuid()),
        fc.oneof(
          fc.string(),
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString().slice(0, 10))),
        ),
        async (cameraId, day) => {
          const res = await gql(
            service.url,
            'mutation($i: RequestTimelapseInput!) { requestTimelapse(input: $i) { id } }',
            { i: { cameraId, day: day.startsWith('20') ? `9${day}` : day } },
            farmer,
          );
          noInternal(res);
        },
      ),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.uuid()), async (jobId) => {
        noInternal(
          await gql(service.url, 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id } }', { id: jobId }, farmer),
        );
      }),
      { numRuns: 40 },
    );
    expect([...codes].every((c) => ['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN'].includes(c))).toBe(true);
  }, 90_000);

  it('rejects bad input with BAD_USER_INPUT naming the field', async () => {
    expect((await requestVod('nope')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'uploadId',
    });
    expect((await requestVod(randomUUID(), farmer, '8k')).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'profile',
    });
    const day = await gql(
      service.url,
      `mutation { requestTimelapse(input: { cameraId: "${demo.cameras.greenA1}", day: "2026-02-30" }) { id } }`,
      {},
      farmer,
    );
    expect(day.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'day' });
    const future = await gql(
      service.url,
      `mutation { requestTimelapse(input: { cameraId: "${demo.cameras.greenA1}", day: "2999-01-01" }) { id } }`,
      {},
      farmer,
    );
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'day' });
    const missing = await gql(service.url, 'mutation { cancelTranscodeJob(id: "nope") { id } }', {}, farmer);
    expect(codeOf(missing)).toBe('NOT_FOUND');
    expect((await gql(service.url, '{ transcodeJob(id: "nope") { id } }', {}, farmer)).data).toEqual({
      transcodeJob: null,
    });
  });
});

describe('timelapse', () => {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const snapCamera = demo.cameras.greenA1;
  const recCamera = demo.cameras.greenOverview;

  async function timelapse(cameraId: string): Promise<Job & { output: { videoKey: string | null } }> {
    const { data, errors } = await gql<{ requestTimelapse: Job }>(
      service.url,
      'mutation($c: ID!, $d: String!) { requestTimelapse(input: { cameraId: $c, day: $d }) { id } }',
      { c: cameraId, d: yesterday },
      farmer,
    );
    expect(errors).toBeUndefined();
    const id = data!.requestTimelapse.id;
    return waitFor(
      'timelapse done',
      async () => {
        const r = await gql<{ transcodeJob: Job & { output: { videoKey: string | null } } }>(
          service.url,
          `query($id: ID!) { transcodeJob(id: $id) { ${JOB_FIELDS} output { videoKey } } }`,
          { id },
          farmer,
        );
        const j = r.data!.transcodeJob;
        return ['SUCCEEDED', 'FAILED'].includes(j.status) && j;
      },
      60_000,
    );
  }

  it('turns the day’s snapshots into a short MP4 in S3 and tells streaming (TimelapseReady)', async () => {
    const ready = record(topics.timelapseReady);
    const dir = await tempDir('snaps');
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=1',
      '-frames:v',
      '24',
      join(dir, 'snap_%02d.jpg'),
    ]);
    for (let i = 1; i <= 24; i++) {
      const n = String(i).padStart(2, '0');
      await store.client.fPutObject(
        store.bucket,
        `snapshots/${snapCamera}/${yesterday}/${n}0000.000.jpg`,
        join(dir, `snap_${n}.jpg`),
        {},
      );
    }
    const done = await timelapse(snapCamera);
    expect(done.error).toBeNull();
    const key = `timelapses/${snapCamera}/${yesterday}.mp4`;
    expect(done.output.videoKey).toBe(key);
    expect(done.farm).toEqual({ id: demo.farms.greenAcres });
    const file = join(dir, 'out.mp4');
    await store.client.fGetObject(store.bucket, key, file);
    const probe = (await ffprobe(file, ['-show_streams', '-show_format'])) as {
      streams: { codec_name: string; height: number }[];
      format: { duration: string };
    };
    expect(probe.streams.map((s) => [s.codec_name, s.height])).toEqual([['h264', 720]]);
    expect(Number(probe.format.duration)).toBeGreaterThan(3);
    expect(Number(probe.format.duration)).toBeLessThan(5);
    // streaming keeps it for the camera's watchers (and puts a plot's in the plot's feed): told once, with the facts.
    await waitFor('TimelapseReady', () => ready.length > 0, 5_000);
    expect(ready).toEqual([
      {
        jobId: done.id,
        cameraId: snapCamera,
        day: yesterday,
        videoKey: key,
        durationSeconds: expect.closeTo(Number(probe.format.duration), 1),
        frameCount: 24,
      },
    ]);
  }, 90_000);

  it('makes nothing from a day without snapshots, whatever else is in the bucket (recordings are not timelapse inputs)', async () => {
    const ready = record(topics.timelapseReady);
    const dir = await tempDir('rec');
    await makeClip(join(dir, 'rec.mp4'), 4);
    await store.client.fPutObject(
      store.bucket,
      `recordings/${recCamera}/${yesterday}/0800.mp4`,
      join(dir, 'rec.mp4'),
      {},
    );
    const done = await timelapse(recCamera);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/no snapshots of camera .* on \d{4}-\d{2}-\d{2}/);
    expect(done.attempts).toBe(1);
    expect(await objectExists(store, `timelapses/${recCamera}/${yesterday}.mp4`)).toBe(false);
    expect(ready).toEqual([]);
  }, 60_000);

  it('the daily tick makes one job per known camera for yesterday, idempotently, and retries a failed day', async () => {
    const tickDb = createTranscodingDb(database.url, 1);
    const enqueued: string[] = [];
    const queue: JobQueue = {
      enqueue: async (id) => void enqueued.push(id),
      remove: async () => undefined,
      scheduleDaily: async () => undefined,
      scheduleEvery: async () => undefined,
      startWorker: () => ({ close: async () => undefined }),
      ping: async () => undefined,
      close: async () => undefined,
    };
    try {
      const deps = {
        db: tickDb,
        bus: new MemoryEventBus(),
        queue,
        config: { JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 1000 },
        logger,
      };
      const now = new Date(`${new Date().toISOString().slice(0, 10)}T00:30:00Z`);
      const first = await createDailyTimelapses(deps, now);
      const cameras = await tickDb.timelapseCamera.findMany();
      // every known camera (the seeded demo cameras among them) gets yesterday's job, on its farm
      expect(first.map((j) => j.cameraId).sort()).toEqual(cameras.map((c) => c.cameraId).sort());
      expect(cameras.map((c) => c.cameraId)).toEqual(expect.arrayContaining(Object.values(demo.cameras)));
      expect(new Set(first.map((j) => j.day))).toEqual(new Set([yesterday]));
      expect(first.find((j) => j.cameraId === demo.cameras.orchard1)?.farmId).toBe(demo.farms.orchardHill);
      // yesterday's snapshot timelapse already succeeded: returned, not redone; the day that failed is tried again
      const done = first.find((j) => j.cameraId === snapCamera)!;
      expect(done.status).toBe('SUCCEEDED');
      expect(enqueued).not.toContain(done.id);
      const retried = first.find((j) => j.cameraId === recCamera)!;
      expect(retried.status).toBe('QUEUED');
      expect(enqueued).toContain(retried.id);
      const again = await createDailyTimelapses(deps, now);
      expect(again.map((j) => j.id)).toEqual(first.map((j) => j.id));
      expect(new Set(enqueued).size).toBe(enqueued.length);
    } finally {
      await tickDb.$disconnect();
    }
  });
});

describe('media retention', () => {
  it('deletes recordings and snapshots that outlived their retention and tells streaming which recordings are gone', async () => {
    const sweepDb = createTranscodingDb(database.url, 1);
    const expiredEvents = record(topics.recordingsExpired);
    const now = new Date();
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const day = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const stream = randomUUID();
    try {
      const session = async (finishedAt: Date | null, kind: 'LIVE' | 'VOD' = 'LIVE') => {
        const id = randomUUID();
        const prefix = kind === 'LIVE' ? `live/${stream}/${id}/` : `vod/${id}/`;
        await sweepDb.transcodeJob.create({
          data: {
            id,
            kind,
            status: finishedAt ? 'SUCCEEDED' : 'RUNNING',
            source: 'rtmp://cam/x',
            profile: 'live-hls-ladder',
            farmId: demo.farms.greenAcres,
            cameraId: demo.cameras.greenA1,
            outputPrefix: prefix,
            masterPlaylistKey: `${prefix}master.m3u8`,
            finishedAt,
          },
        });
        for (const name of ['master.m3u8', '360p/index.m3u8', '360p/s0.m4s', '360p/init-a.mp4'])
          await store.client.putObject(store.bucket, `${prefix}${name}`, Buffer.from(name));
        if (kind === 'LIVE')
          await sweepDb.liveSegment.create({
            data: {
              jobId: id,
              rendition: '360p',
              msn: 0,
              duration: 2,
              programDateTime: hoursAgo(100),
              discontinuity: false,
              map: 'init-a.mp4',
              independent: true,
            },
          });
        return { id, prefix };
      };
      const old = await session(hoursAgo(config.RECORDING_RETENTION_HOURS + 1));
      const recent = await session(hoursAgo(config.RECORDING_RETENTION_HOURS - 1));
      const running = await session(null);
      const oldVod = await session(hoursAgo(config.RECORDING_RETENTION_HOURS + 100), 'VOD');
      const snapshot = (daysAgo: number) => `snapshots/${demo.cameras.greenOverview}/${day(daysAgo)}/120000.000.jpg`;
      for (const age of [
        0,
        config.SNAPSHOT_RETENTION_DAYS,
        config.SNAPSHOT_RETENTION_DAYS + 1,
        config.SNAPSHOT_RETENTION_DAYS + 3,
      ])
        await store.client.putObject(store.bucket, snapshot(age), Buffer.from('jpeg'));

      expect(await sweepExpiredMedia({ db: sweepDb, bus, store, config, logger }, now)).toEqual({
        recordings: 1,
        snapshotDays: 2,
      });
      expect(await listKeys(store, old.prefix)).toEqual([]);
      expect(await sweepDb.liveSegment.count({ where: { jobId: old.id } })).toBe(0);
      expect(await sweepDb.transcodeJob.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({
        outputPrefix: null,
        masterPlaylistKey: null,
        status: 'SUCCEEDED',
      });
      for (const kept of [recent, running, oldVod]) {
        expect(await listKeys(store, kept.prefix)).toHaveLength(4);
        expect(await sweepDb.transcodeJob.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({
          outputPrefix: kept.prefix,
        });
      }
      expect(await sweepDb.liveSegment.count({ where: { jobId: recent.id } })).toBe(1);
      expect(
        await Promise.all(
          [
            0,
            config.SNAPSHOT_RETENTION_DAYS,
            config.SNAPSHOT_RETENTION_DAYS + 1,
            config.SNAPSHOT_RETENTION_DAYS + 3,
          ].map((age) => objectExists(store, snapshot(age))),
        ),
      ).toEqual([true, true, false, false]);
      expect(expiredEvents).toEqual([{ jobIds: [old.id] }]);
      // Nothing left to do: nothing deleted, nothing announced.
      expect(await sweepExpiredMedia({ db: sweepDb, bus, store, config, logger }, now)).toEqual({
        recordings: 0,
        snapshotDays: 0,
      });
      expect(expiredEvents).toHaveLength(1);
    } finally {
      await sweepDb.$disconnect();
    }
  });
});

describe('media retention, as the service runs it (through its outbox)', () => {
  it('forgets expired recordings in the transaction that announces it: an unwritable announcement leaves the rows for the next sweep', async () => {
    const sweepDb = createTranscodingDb(database.url, 2);
    const live = new MemoryEventBus();
    const outbox = await ServiceEvents.open({
      service: 'transcoding-retention-test',
      schema: 'transcoding',
      databaseUrl: database.url,
      logger,
      bus: live,
      stream: new BusEventStream(untypedBus(live), logger),
    });
    const deps = { db: sweepDb, bus: outbox.outboxBus(live, sweepDb), store, config, logger };
    const id = randomUUID();
    const prefix = `live/${id}/`;
    const announced = async () =>
      (await outboxPayloads<RecordingsExpired>(sweepDb, 'transcoding', topics.recordingsExpired)).filter((e) =>
        e.jobIds.includes(id),
      );
    try {
      await sweepDb.transcodeJob.create({
        data: {
          id,
          kind: 'LIVE',
          status: 'SUCCEEDED',
          source: 'rtmp://cam/x',
          profile: 'live-hls-ladder',
          farmId: demo.farms.greenAcres,
          cameraId: demo.cameras.greenA1,
          outputPrefix: prefix,
          masterPlaylistKey: `${prefix}master.m3u8`,
          finishedAt: new Date(Date.now() - (config.RECORDING_RETENTION_HOURS + 1) * 3_600_000),
        },
      });
      await store.client.putObject(store.bucket, `${prefix}master.m3u8`, Buffer.from('#EXTM3U'));
      const fault = await failOutboxWrites(sweepDb, 'transcoding', topics.recordingsExpired);
      try {
        await expect(sweepExpiredMedia(deps)).rejects.toThrow();
        expect(await fault.attempts()).toBe(1);
        // The media went first (outside the transaction); the rows roll back with the announcement.
        expect(await listKeys(store, prefix)).toEqual([]);
        expect(await sweepDb.transcodeJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ outputPrefix: prefix });
        expect(await announced()).toEqual([]);
      } finally {
        await fault.restore();
      }
      expect((await sweepExpiredMedia(deps)).recordings).toBe(1);
      expect(await sweepDb.transcodeJob.findUniqueOrThrow({ where: { id } })).toMatchObject({ outputPrefix: null });
      expect(await announced()).toEqual([{ jobIds: [id] }]);
    } finally {
      await outbox.stop();
      await sweepDb.$disconnect();
    }
  });
});

describe('live jobs under a tiny CPU budget', () => {
  // A service of its own (its own database: in-process queues re-enqueue every unfinished job of their database).
  let liveDatabase: TestDatabase;
  let liveService: RunningTranscoding;
  let liveBus: MemoryEventBus;
  const statuses: LiveTranscodeStatus[] = [];
  const capacity: TranscoderCapacity[] = [];
  const UNREACHABLE = 'rtmp://127.0.0.1:9/live/nobody';

  beforeAll(async () => {
    liveDatabase = await createTestDatabase();
    const seedDb = createTranscodingDb(liveDatabase.url, 1);
    await seedTranscoding(seedDb);
    await seedDb.$disconnect();
    liveBus = new MemoryEventBus();
    await liveBus.subscribe(topics.liveTranscodeStatus, (s) => void statuses.push(s));
    await liveBus.subscribe(topics.transcoderCapacity, (c) => void capacity.push(c));
    const liveConfig = loadTranscodingConfig({
      DATABASE_URL: liveDatabase.url,
      PORT: '0',
      ...s3.env,
      CPU_BUDGET_CORES: '0.05',
      LIVE_ADMISSION_WAIT_MS: '1000',
      HEARTBEAT_MS: '500',
      LIVE_START_TIMEOUT_MS: '2000',
      WORK_DIR: join(work, 'live-jobs'),
    });
    liveService = await startTranscodingService(liveConfig, {
      logger,
      verifier: tokens.verifier,
      events: liveBus,
      revocationSource: withoutAuthService,
    });
  });
  afterAll(async () => {
    await liveService?.stop(1000);
    await liveDatabase?.drop();
  });

  const request = (cameraId: string, farmId: string): LiveTranscodeRequested => ({
    streamId: randomUUID(),
    cameraId,
    farmId,
    sourceUrl: UNREACHABLE,
    profile: 'live-hls-ladder',
  });
  const of = (streamId: string, status: string) =>
    statuses.filter((s) => s.streamId === streamId && s.status === status);

  it('refuses a second live job with CAPACITY_EXHAUSTED once the first takes the budget, and says so in its heartbeat', async () => {
    // The first live job is always admitted (nothing runs); its camera does not answer: RECONNECTING with the reason.
    const first = request(demo.cameras.greenA1, demo.farms.greenAcres);
    await liveBus.publish(topics.liveTranscodeRequested, first);
    await waitFor('first RECONNECTING', () => of(first.streamId, 'RECONNECTING').length > 0, 20_000, 50);
    const reconnecting = of(first.streamId, 'RECONNECTING')[0]!;
    expect(reconnecting.error).toMatch(/^camera not reachable: /);
    expect(reconnecting.error).not.toContain('\n');
    expect(reconnecting.cameraOnline).toBe(false);
    expect(statuses.find((s) => s.streamId === first.streamId)?.status).toBe('STARTING');
    expect(liveService.workers!.governor.liveHeadroom).toBe(0);
    // The heartbeat tells streaming there is no room for another one.
    const since = Date.now();
    await waitFor(
      'a full report',
      () => capacity.find((c) => Date.parse(c.at) >= since && c.liveHeadroom < c.liveJobCost),
      5_000,
      50,
    );
    // A request repeated while it reconnects (streaming re-publishes until it hears back) makes no second job.
    await liveBus.publish(topics.liveTranscodeRequested, first);

    // The second live job waits briefly for room, then fails clearly instead of timing out a minute later.
    const second = request(demo.cameras.orchard1, demo.farms.orchardHill);
    const requestedAt = Date.now();
    await liveBus.publish(topics.liveTranscodeRequested, second);
    await waitFor('second FAILED', () => of(second.streamId, 'FAILED').length > 0, 15_000, 50);
    expect(Date.now() - requestedAt).toBeLessThan(10_000);
    const refused = of(second.streamId, 'FAILED')[0]!;
    expect(refused.error).toMatch(/^CAPACITY_EXHAUSTED: no transcoder has CPU for another live stream/);
    expect(refused.masterPlaylistKey).toBeNull();
    const db2 = createTranscodingDb(liveDatabase.url, 1);
    try {
      const rows = await db2.transcodeJob.findMany({
        where: { streamId: { in: [first.streamId, second.streamId] } },
        orderBy: { createdAt: 'asc' },
      });
      expect(rows.map((r) => [r.streamId, r.farmId, r.status, r.liveKey])).toEqual([
        [first.streamId, demo.farms.greenAcres, 'RECONNECTING', first.streamId],
        [second.streamId, demo.farms.orchardHill, 'FAILED', null],
      ]);
      expect(rows[1]!.attempts).toBe(0);

      // Stopped while the camera never answered: ENDED, and no recording named (there is none).
      await liveBus.publish(topics.liveTranscodeStopRequested, { streamId: first.streamId });
      await waitFor('first ENDED', () => of(first.streamId, 'ENDED').length > 0, 10_000, 50);
      expect(of(first.streamId, 'ENDED')[0]!.masterPlaylistKey).toBeNull();
      const ended = await db2.transcodeJob.findFirstOrThrow({ where: { streamId: first.streamId } });
      expect(ended).toMatchObject({ status: 'SUCCEEDED', liveKey: null, masterPlaylistKey: null });

      // Room again: the next stream is admitted.
      const third = request(demo.cameras.orchard1, demo.farms.orchardHill);
      await liveBus.publish(topics.liveTranscodeRequested, third);
      await waitFor('third admitted', () => of(third.streamId, 'RECONNECTING').length > 0, 20_000, 50);
      // Its farmer cancels it; the Green Acres farmer cannot even see it.
      const thirdJob = await db2.transcodeJob.findFirstOrThrow({ where: { streamId: third.streamId } });
      const CANCEL = 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id status } }';
      expect(codeOf(await gql(liveService.url, CANCEL, { id: thirdJob.id }, farmer))).toBe('NOT_FOUND');
      const cancelled = await gql<{ cancelTranscodeJob: { status: string } }>(
        liveService.url,
        CANCEL,
        { id: thirdJob.id },
        farmer2,
      );
      expect(cancelled.data?.cancelTranscodeJob.status).toBe('CANCELLED');
      await waitFor('third ENDED', () => of(third.streamId, 'ENDED').length > 0, 10_000, 50);
      expect(of(third.streamId, 'ENDED')[0]).toMatchObject({ error: 'cancelled', masterPlaylistKey: null });
    } finally {
      await db2.$disconnect();
    }
  }, 90_000);
});

/** A short-lived client of the main service's database (for rows GraphQL does not show). */
let sharedDb: TranscodingDb | null = null;
function db(): TranscodingDb {
  sharedDb ??= createTranscodingDb(database.url, 1);
  return sharedDb;
}
afterAll(async () => {
  await sharedDb?.$disconnect();
});
