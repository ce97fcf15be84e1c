import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLogger, createObjectStore, demo, MemoryEventBus, type ObjectStore } from '@vegshare/kit';
import { createTranscodingDb } from '../src/db.ts';
import { createDailyTimelapses } from '../src/jobs/job-commands.ts';
import { seedTranscoding } from '../src/seed.ts';
import type { JobQueue } from '../src/queue/job-queue.ts';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { loadTranscodingConfig, startTranscodingService, type RunningTranscoding } from '../src/service.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../src/media/m3u8.ts';
import { collect, createTokens, downloadPrefix, ffprobe, gql, listKeys, makeClip, processesInDir, run, tempDir, waitFor, wsClient, type Tokens, removeTempDirs } from './helpers.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

let database: TestDatabase;
let s3: LocalS3;
let store: ObjectStore;
let service: RunningTranscoding;
let tokens: Tokens;
let farmer: string;
let admin: string;
let customer: string;
let work: string;

const JOB_FIELDS = 'id kind status attempts error renditions progress { fps speed processedMs bitrateKbps } output { prefix masterPlaylistKey dashManifestKey thumbnailCount }';
interface Job {
  id: string;
  status: string;
  attempts: number;
  error: string | null;
  renditions: string[];
  progress: { fps: number | null; speed: number | null; processedMs: number | null; bitrateKbps: number | null } | null;
  output: { prefix: string | null; masterPlaylistKey: string | null; dashManifestKey: string | null; thumbnailCount: number };
}

async function job(id: string): Promise<Job> {
  const { data, errors } = await gql<{ transcodeJob: Job }>(service.url, `query($id: ID!) { transcodeJob(id: $id) { ${JOB_FIELDS} } }`, { id }, farmer);
  if (errors) throw new Error(JSON.stringify(errors));
  return data!.transcodeJob;
}

async function upload(seconds: number, key: string): Promise<void> {
  const file = join(work, key);
  await makeClip(file, seconds);
  await store.client.fPutObject(store.bucket, key, file, {});
}

async function requestVod(sourceKey: string, token = farmer) {
  return gql<{ requestVodTranscode: Job }>(service.url, `mutation($k: String!) { requestVodTranscode(input: { sourceKey: $k, cameraId: "${demo.cameras.greenA1}" }) { ${JOB_FIELDS} } }`, { k: sourceKey }, token);
}

beforeAll(async () => {
  [database, s3, tokens, work] = await Promise.all([createTestDatabase(), startLocalS3(), createTokens(), tempDir('vod')]);
  store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
  const config = loadTranscodingConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    ...s3.env,
    X264_PRESET: 'ultrafast',
    WORKER_CONCURRENCY: '2',
    THUMBNAIL_INTERVAL_SECONDS: '1',
    PROGRESS_INTERVAL_MS: '200',
    CANCEL_GRACE_MS: '2000',
    TIMELAPSE_SECONDS: '4',
    WORK_DIR: join(work, 'jobs'),
  });
  const seedDb = createTranscodingDb(database.url, 1);
  await seedTranscoding(seedDb);
  await seedDb.$disconnect();
  service = await startTranscodingService(config, { logger: createLogger('transcoding', 'silent'), verifier: tokens.verifier, revocationSource: withoutAuthService });
  [farmer, admin, customer] = await Promise.all([
    tokens.mint(demo.users.farmer.id, ['FARMER']),
    tokens.mint(demo.users.admin.id, ['ADMIN']),
    tokens.mint(demo.users.customer.id, ['CUSTOMER']),
  ]);
});
afterAll(async () => {
  await service?.stop(1000);
  await s3?.stop();
  await database?.drop();
  await removeTempDirs();
});

describe('VOD ladder', () => {
  it('encodes 720p/480p/360p HLS (fMP4) with aligned 2 s keyframes, uploads every segment, writes DASH, and streams progress', async () => {
    await upload(6, 'recordings/test/clip.mp4');
    const client = wsClient(service.url, farmer);
    const { data, errors } = await requestVod('recordings/test/clip.mp4');
    expect(errors).toBeUndefined();
    const id = data!.requestVodTranscode.id;
    expect(data!.requestVodTranscode.renditions).toEqual(['720p', '480p', '360p']);
    const sub = collect<{ transcodeJobUpdated: Job }>(client, `subscription($id: ID!) { transcodeJobUpdated(jobId: $id) { ${JOB_FIELDS} } }`, { id });
    const done = await waitFor('job finished', async () => {
      const j = await job(id);
      return ['SUCCEEDED', 'FAILED'].includes(j.status) && j;
    }, 60_000);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    await waitFor('final event', () => sub.events.some((e) => e.transcodeJobUpdated.status === 'SUCCEEDED'), 5_000);
    sub.dispose();
    await client.dispose();
    // progress events arrived on the subscription with ffmpeg's figures
    const progress = sub.events.map((e) => e.transcodeJobUpdated.progress).filter((p) => p !== null);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((p) => (p?.processedMs ?? 0) > 0 && (p?.speed ?? 0) > 0 && (p?.fps ?? -1) >= 0)).toBe(true);
    expect(sub.events.map((e) => e.transcodeJobUpdated.status)).toContain('RUNNING');

    const prefix = `vod/${id}/`;
    expect(done.output).toMatchObject({ prefix, masterPlaylistKey: `${prefix}master.m3u8`, dashManifestKey: `${prefix}manifest.mpd` });
    expect(done.output.thumbnailCount).toBeGreaterThanOrEqual(5);
    const dir = await tempDir('vod-out');
    const keys = new Set(await downloadPrefix(store, prefix, dir));

    // master playlist: a variant per rendition with BANDWIDTH/RESOLUTION/CODECS, audio as its own group
    const master = parseMasterPlaylist(await readFile(join(dir, 'master.m3u8'), 'utf8'));
    const video = master.variants.filter((v) => v.resolution);
    expect(video.map((v) => v.resolution)).toEqual([{ width: 1280, height: 720 }, { width: 854, height: 480 }, { width: 640, height: 360 }]);
    for (const v of video) {
      expect(v.bandwidth).toBeGreaterThan(100_000);
      expect(v.codecs).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/);
      expect(v.audioGroup).toBe('group_aud');
    }
    expect(master.audio.map((a) => a.uri)).toEqual(['audio/index.m3u8']);

    for (const [i, name] of ['720p', '480p', '360p'].entries()) {
      const playlistText = await readFile(join(dir, name, 'index.m3u8'), 'utf8');
      expect(playlistText).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
      const playlist = parseMediaPlaylist(playlistText);
      expect(playlist.endList).toBe(true);
      expect(playlist.targetDuration).toBe(2);
      expect(playlist.mapUri).toBeTruthy();
      // every referenced segment (and the init segment) is in S3
      for (const uri of [playlist.mapUri!, ...playlist.segments.map((s) => s.uri)]) expect(keys.has(`${prefix}${name}/${uri}`)).toBe(true);
      expect(playlist.segments.map((s) => s.duration)).toEqual([2, 2, 2]);
      // ffprobe: resolution, codec, keyframes exactly on segment boundaries
      const probe = (await ffprobe(join(dir, name, 'index.m3u8'), ['-show_streams', '-show_entries', 'packet=pts_time,flags', '-select_streams', 'v:0'])) as {
        streams: { codec_name: string; width: number; height: number }[];
        packets: { pts_time: string; flags: string }[];
      };
      expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: video[i]!.resolution!.width, height: video[i]!.resolution!.height });
      const keyTimes = probe.packets.filter((p) => p.flags.startsWith('K')).map((p) => Math.round(Number(p.pts_time) * 100) / 100);
      const start = keyTimes[0] ?? 0;
      expect(keyTimes.map((t) => Math.round((t - start) * 100) / 100)).toEqual([0, 2, 4]);
    }
    const audio = (await ffprobe(join(dir, 'audio', 'index.m3u8'), ['-show_streams'])) as { streams: { codec_name: string }[] };
    expect(audio.streams[0]?.codec_name).toBe('aac');

    // DASH over the same segments: every URL it names is in S3
    const mpd = await readFile(join(dir, 'manifest.mpd'), 'utf8');
    expect(mpd).toContain('type="static"');
    const urls = [...mpd.matchAll(/(?:media|sourceURL)="([^"]+)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(3 * 4 + 4);
    for (const url of urls) expect(keys.has(prefix + url)).toBe(true);
    expect(mpd.match(/<Representation /g)?.length).toBe(4);
    expect(mpd).toContain('height="720"');
    expect(keys.has(`${prefix}thumbnails/thumb_00001.jpg`)).toBe(true);
  }, 90_000);

  it('cancels a running job and ffmpeg is gone within 5 s', async () => {
    await upload(90, 'recordings/test/long.mp4');
    const { data } = await requestVod('recordings/test/long.mp4');
    const id = data!.requestVodTranscode.id;
    await waitFor('ffmpeg running', async () => (await job(id)).progress !== null && (await processesInDir(id)).length > 0, 30_000);
    const cancelledAt = Date.now();
    const { data: cancelled, errors } = await gql<{ cancelTranscodeJob: Job }>(service.url, 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id status } }', { id }, farmer);
    expect(errors).toBeUndefined();
    expect(cancelled!.cancelTranscodeJob.status).toBe('CANCELLED');
    await waitFor('ffmpeg stopped', async () => (await processesInDir(id)).length === 0, 5_000, 50);
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect((await job(id)).status).toBe('CANCELLED');
    // cancelling again is a conflict, not a silent success
    const again = await gql(service.url, 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id } }', { id }, farmer);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, 60_000);

  it('fails a job whose source is missing without retrying forever', async () => {
    const { data } = await requestVod('recordings/test/missing.mp4');
    const id = data!.requestVodTranscode.id;
    const failed = await waitFor('failed', async () => {
      const j = await job(id);
      return j.status === 'FAILED' && j;
    }, 20_000);
    expect(failed.error).toContain('not found');
    expect(failed.attempts).toBe(1);
  });

  it('pages jobs newest first with a Relay connection and filters by status and kind', async () => {
    const first = await gql<{ transcodeJobs: { edges: { cursor: string; node: Job }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      service.url, '{ transcodeJobs(first: 2, kind: VOD) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }', {}, admin);
    expect(first.errors).toBeUndefined();
    expect(first.data!.transcodeJobs.edges).toHaveLength(2);
    expect(first.data!.transcodeJobs.pageInfo.hasNextPage).toBe(true);
    const next = await gql<{ transcodeJobs: { edges: { node: Job }[]; pageInfo: { hasNextPage: boolean } } }>(
      service.url, 'query($a: String) { transcodeJobs(first: 2, after: $a, kind: VOD) { edges { node { id } } pageInfo { hasNextPage } } }', { a: first.data!.transcodeJobs.pageInfo.endCursor }, admin);
    expect(next.data!.transcodeJobs.edges).toHaveLength(1);
    const seen = [...first.data!.transcodeJobs.edges.map((e) => e.node.id), ...next.data!.transcodeJobs.edges.map((e) => e.node.id)];
    expect(new Set(seen).size).toBe(3);
    const cancelled = await gql<{ transcodeJobs: { edges: { node: Job }[] } }>(service.url, '{ transcodeJobs(status: CANCELLED) { edges { node { status } } } }', {}, farmer);
    expect(cancelled.data!.transcodeJobs.edges.map((e) => e.node.status)).toEqual(['CANCELLED']);
    const bad = await gql(service.url, '{ transcodeJobs(after: "nope") { edges { cursor } } }', {}, farmer);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('authorization and validation', () => {
  it('lets only farmers and admins see jobs, and only admins see workers', async () => {
    const anyJob = (await gql<{ transcodeJobs: { edges: { node: { id: string } }[] } }>(service.url, '{ transcodeJobs(first: 1) { edges { node { id } } } }', {}, farmer)).data!.transcodeJobs.edges[0]!.node.id;
    const asCustomer = await gql(service.url, 'query($id: ID!) { transcodeJob(id: $id) { id } }', { id: anyJob }, customer);
    expect(asCustomer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await gql(service.url, '{ transcodeJobs { edges { cursor } } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(service.url, '{ workers { id } }', {}, farmer)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const forbiddenMutation = await gql(service.url, 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id } }', { id: anyJob }, customer);
    expect(forbiddenMutation.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // the worker behind a job: admins see it, farmers get null
    const q = 'query($id: ID!) { transcodeJob(id: $id) { worker { id } } }';
    expect((await gql<{ transcodeJob: { worker: unknown } }>(service.url, q, { id: anyJob }, farmer)).data!.transcodeJob.worker).toBeNull();
    expect((await gql<{ transcodeJob: { worker: { id: string } } }>(service.url, q, { id: anyJob }, admin)).data!.transcodeJob.worker.id).toBe(service.workers!.workerId);
    // entity references of jobs are hidden from non-operators
    const entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on TranscodeJob { id } } }';
    expect((await gql<{ _entities: unknown[] }>(service.url, entities, { r: [{ __typename: 'TranscodeJob', id: anyJob }] }, customer)).data!._entities).toEqual([null]);
    expect((await gql<{ _entities: unknown[] }>(service.url, entities, { r: [{ __typename: 'TranscodeJob', id: anyJob }] }, admin)).data!._entities).toEqual([{ id: anyJob }]);
  });

  it('serves health and readiness over Postgres, the queue and S3', async () => {
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
    const ready = await fetch(`${service.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: [{ name: 'postgres', ok: true }, { name: 'queue', ok: true }, { name: 's3', ok: true }, { name: 'revocations', ok: true }] });
  });

  it('exports job metrics', async () => {
    const text = await (await fetch(`${service.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/transcode_jobs_total\{[^}]*kind="VOD"[^}]*outcome="succeeded"[^}]*\} [1-9]/);
    expect(text).toMatch(/transcode_jobs_total\{[^}]*outcome="cancel"/);
    // Queue depth from the job table, as the alert rules and dashboard read it.
    expect(text).toMatch(/transcoding_queue_jobs\{[^}]*state="waiting"[^}]*\} \d+/);
    expect(text).toMatch(/transcoding_queue_jobs\{[^}]*state="active"[^}]*\} \d+/);
  });

  it('shows the worker pool to admins: capacity, heartbeat and ffmpeg version', async () => {
    type Workers = { workers: { id: string; capacity: number; online: boolean; ffmpegVersion: string; runningJobIds: string[]; runningJobs: unknown[] }[] };
    const query = '{ workers { id host pid capacity online ffmpegVersion lastHeartbeatAt runningJobIds runningJobs { id } } }';
    // a cancelled job's clean-up may still be finishing; the heartbeat catches up
    const { data, errors } = await waitFor('idle worker', async () => {
      const r = await gql<Workers>(service.url, query, {}, admin);
      return (r.errors || r.data?.workers[0]?.runningJobIds.length === 0) && r;
    }, 15_000, 250);
    expect(errors).toBeUndefined();
    expect(data!.workers).toHaveLength(1);
    expect(data!.workers[0]).toMatchObject({ id: service.workers!.workerId, capacity: 2, online: true, runningJobIds: [], runningJobs: [] });
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
    // keys that look almost valid, with traversal, control and unicode characters mixed in
    const key = fc.oneof(fc.string({ maxLength: 600 }), fc.array(fc.constantFrom('a', '/', '.', '..', '-', '%00', '\\u0000', 'é', ' ', '_'), { maxLength: 30 }).map((p) => p.join('')));
    await fc.assert(fc.asyncProperty(key, fc.option(fc.string(), { nil: null }), fc.option(fc.string(), { nil: null }), async (sourceKey, cameraId, profile) => {
      noInternal(await gql(service.url, 'mutation($i: RequestVodTranscodeInput!) { requestVodTranscode(input: $i) { id } }', { i: { sourceKey, cameraId, profile } }, farmer));
    }), { numRuns: 40 });
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), fc.uuid()), fc.oneof(fc.string(), fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString().slice(0, 10)))), async (cameraId, day) => {
      const res = await gql(service.url, 'mutation($i: RequestTimelapseInput!) { requestTimelapse(input: $i) { id } }', { i: { cameraId, day: day.startsWith('20') ? `9${day}` : day } }, farmer);
      noInternal(res);
    }), { numRuns: 40 });
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), fc.uuid()), async (id) => {
      noInternal(await gql(service.url, 'mutation($id: ID!) { cancelTranscodeJob(id: $id) { id } }', { id }, farmer));
    }), { numRuns: 40 });
    expect([...codes].every((c) => ['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT'].includes(c))).toBe(true);
  }, 60_000);

  it('rejects bad input with BAD_USER_INPUT naming the field', async () => {
    for (const key of ['../etc/passwd', '/abs/key', 'a//b', 'bad key']) {
      const res = await requestVod(key);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sourceKey' });
    }
    const profile = await gql(service.url, 'mutation { requestVodTranscode(input: { sourceKey: "a.mp4", profile: "8k" }) { id } }', {}, farmer);
    expect(profile.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'profile' });
    const day = await gql(service.url, `mutation { requestTimelapse(input: { cameraId: "${demo.cameras.greenA1}", day: "2026-02-30" }) { id } }`, {}, farmer);
    expect(day.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'day' });
    const missing = await gql(service.url, 'mutation { cancelTranscodeJob(id: "nope") { id } }', {}, farmer);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gql(service.url, '{ transcodeJob(id: "nope") { id } }', {}, farmer)).data).toEqual({ transcodeJob: null });
  });
});

describe('timelapse', () => {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const snapCamera = demo.cameras.greenA1;
  const recCamera = demo.cameras.orchard1;

  async function timelapse(cameraId: string): Promise<Job & { output: { videoKey: string | null } }> {
    const { data, errors } = await gql<{ requestTimelapse: Job }>(service.url, `mutation($c: ID!, $d: String!) { requestTimelapse(input: { cameraId: $c, day: $d }) { id } }`, { c: cameraId, d: yesterday }, farmer);
    expect(errors).toBeUndefined();
    const id = data!.requestTimelapse.id;
    return waitFor('timelapse done', async () => {
      const r = await gql<{ transcodeJob: Job & { output: { videoKey: string | null } } }>(service.url, `query($id: ID!) { transcodeJob(id: $id) { ${JOB_FIELDS} output { videoKey } } }`, { id }, farmer);
      const j = r.data!.transcodeJob;
      return ['SUCCEEDED', 'FAILED'].includes(j.status) && j;
    }, 60_000);
  }

  it('turns the day\'s snapshots into a short MP4 in S3, listed on the camera', async () => {
    const dir = await tempDir('snaps');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=1', '-frames:v', '24', join(dir, 'snap_%02d.jpg')]);
    for (let i = 1; i <= 24; i++) {
      const n = String(i).padStart(2, '0');
      await store.client.fPutObject(store.bucket, `snapshots/${snapCamera}/${yesterday}/${n}00.jpg`, join(dir, `snap_${n}.jpg`), {});
    }
    const job = await timelapse(snapCamera);
    expect(job.error).toBeNull();
    const key = `timelapses/${snapCamera}/${yesterday}.mp4`;
    expect(job.output.videoKey).toBe(key);
    const file = join(dir, 'out.mp4');
    await store.client.fGetObject(store.bucket, key, file);
    const probe = (await ffprobe(file, ['-show_streams', '-show_format'])) as { streams: { codec_name: string; height: number }[]; format: { duration: string } };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', height: 720 });
    expect(Number(probe.format.duration)).toBeGreaterThan(3);
    expect(Number(probe.format.duration)).toBeLessThan(5);

    const list = await gql<{ timelapses: { day: string; videoKey: string; frameCount: number; camera: { id: string }; job: { id: string } }[] }>(
      service.url, 'query($c: ID!) { timelapses(cameraId: $c) { day videoKey frameCount durationSeconds camera { id } job { id } } }', { c: snapCamera }, customer);
    expect(list.errors).toBeUndefined();
    expect(list.data!.timelapses).toEqual([expect.objectContaining({ day: yesterday, videoKey: key, frameCount: 24, camera: { id: snapCamera }, job: { id: job.id } })]);
    // contributed to streaming's Camera entity, batched per camera
    const entities = await gql<{ _entities: { timelapses: { day: string }[] }[] }>(service.url, 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Camera { timelapses(first: 5) { day } } } }', {
      r: [{ __typename: 'Camera', id: snapCamera }, { __typename: 'Camera', id: demo.cameras.greenOverview }],
    }, customer);
    expect(entities.data!._entities).toEqual([{ timelapses: [{ day: yesterday }] }, { timelapses: [] }]);
    expect((await gql(service.url, 'query($c: ID!) { timelapses(cameraId: $c) { day } }', { c: snapCamera })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 90_000);

  it('speeds up the day\'s recording when there are no snapshots', async () => {
    const dir = await tempDir('rec');
    await makeClip(join(dir, 'rec.mp4'), 10);
    await store.client.fPutObject(store.bucket, `recordings/${recCamera}/${yesterday}/0800.mp4`, join(dir, 'rec.mp4'), {});
    const job = await timelapse(recCamera);
    expect(job.error).toBeNull();
    const file = join(dir, 'out.mp4');
    await store.client.fGetObject(store.bucket, `timelapses/${recCamera}/${yesterday}.mp4`, file);
    const probe = (await ffprobe(file, ['-show_format'])) as { format: { duration: string } };
    expect(Number(probe.format.duration)).toBeGreaterThan(3);
    expect(Number(probe.format.duration)).toBeLessThan(5);
  }, 90_000);

  it('the daily tick makes one job per known camera for yesterday, idempotently', async () => {
    const db = createTranscodingDb(database.url, 1);
    const enqueued: string[] = [];
    const queue: JobQueue = {
      enqueue: async (id) => void enqueued.push(id),
      remove: async () => undefined,
      scheduleDaily: async () => undefined,
      startWorker: () => ({ close: async () => undefined }),
      ping: async () => undefined,
      close: async () => undefined,
    };
    try {
      const deps = { db, bus: new MemoryEventBus(), queue, config: { JOB_ATTEMPTS: 3, JOB_BACKOFF_MS: 1000 }, logger: createLogger('test', 'silent') };
      const now = new Date(`${new Date().toISOString().slice(0, 10)}T00:30:00Z`);
      const first = await createDailyTimelapses(deps, now);
      const cameras = await db.timelapseCamera.findMany();
      // every known camera (the seeded demo cameras among them) gets yesterday's job
      expect(first.map((j) => j.cameraId).sort()).toEqual(cameras.map((c) => c.cameraId).sort());
      expect(cameras.map((c) => c.cameraId)).toEqual(expect.arrayContaining(Object.values(demo.cameras)));
      expect(new Set(first.map((j) => j.day))).toEqual(new Set([yesterday]));
      // yesterday's jobs already succeeded for the two cameras above, so those are returned, not redone
      expect(first.filter((j) => j.status === 'SUCCEEDED').map((j) => j.cameraId)).toEqual(expect.arrayContaining([snapCamera, recCamera]));
      expect(enqueued).toContain(first.find((j) => j.cameraId === demo.cameras.greenOverview)!.id);
      expect(enqueued).not.toContain(first.find((j) => j.cameraId === snapCamera)!.id);
      const again = await createDailyTimelapses(deps, now);
      expect(again.map((j) => j.id)).toEqual(first.map((j) => j.id));
      expect(new Set(enqueued).size).toBe(enqueued.length);
    } finally {
      await db.$disconnect();
    }
  });
});
