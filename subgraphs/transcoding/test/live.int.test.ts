// The live pipeline end to end in one process, with each ffmpeg a user may have: the static build npm ships (and
// no ffmpeg on the PATH at all — the default of `npm start` on a machine with only Node) and Debian's. A camera
// publishes a test pattern to a real RTMP server; the transcoder pulls it; nothing here publishes a status itself.
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import HLS from 'hls-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';
import {
  createLogger,
  createObjectStore,
  topics,
  MemoryEventBus,
  type LiveTranscodeRequested,
  type LiveTranscodeStatus,
  type ObjectStore,
  type TimelapseReady,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { loadTranscodingConfig, startTranscodingService, type RunningTranscoding } from '../src/service.ts';
import { createTranscodingDb, type TranscodingDb } from '../src/db.ts';
import { seedTranscoding } from '../src/seed.ts';
import { resolveFfmpeg, type FfmpegBinaries } from '../src/domain/media/ffmpeg-binary.ts';
import { startTestCamera, type TestCamera } from './camera.ts';
import {
  createTokens,
  objectExists,
  gql,
  listKeys,
  processesInDir,
  removeTempDirs,
  run,
  tempDir,
  waitFor,
  type Tokens,
} from './harness.ts';

const DEBIAN = '/usr/bin/ffmpeg';

interface Variant {
  readonly name: string;
  /** Environment for the service (nothing: it must find ffmpeg itself). */
  readonly env: Record<string, string>;
  /** Changes the PATH for the service's own resolution; returns how to undo it. */
  prepare(work: string): Promise<() => void>;
}

const variants: Variant[] = [
  {
    name: 'the npm-shipped ffmpeg 4.1, no ffmpeg on the PATH',
    env: {},
    async prepare(work) {
      // The PATH of a machine with Node and the base system but no ffmpeg: the service must fall back to
      // @ffmpeg-installer / @ffprobe-installer.
      const bin = join(work, 'path-without-ffmpeg');
      await mkdir(bin, { recursive: true });
      await symlink(process.execPath, join(bin, 'node'));
      for (const tool of ['sh', 'getconf', 'ps'])
        if (existsSync(`/usr/bin/${tool}`)) await symlink(`/usr/bin/${tool}`, join(bin, tool));
      const before = process.env['PATH'];
      process.env['PATH'] = bin;
      return () => {
        process.env['PATH'] = before;
      };
    },
  },
  {
    name: "Debian's ffmpeg",
    env: { FFMPEG_PATH: DEBIAN, FFPROBE_PATH: '/usr/bin/ffprobe' },
    prepare: async () => () => undefined,
  },
];

const text = async (store: ObjectStore, key: string): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.client.getObject(store.bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

interface ProbeJson {
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    duration?: string;
    start_time?: string;
  }[];
  format: { duration?: string };
}

describe.each(variants)('live camera → LL-HLS in S3 with $name', (variant) => {
  const skip = variant.env['FFMPEG_PATH'] === DEBIAN && !existsSync(DEBIAN);
  let database: TestDatabase;
  let s3: LocalS3;
  let store: ObjectStore;
  let db: TranscodingDb;
  let bus: MemoryEventBus;
  let service: RunningTranscoding;
  let camera: TestCamera;
  let binaries: FfmpegBinaries;
  let restorePath: () => void = () => undefined;
  let tokens: Tokens;
  let work: string;
  const statuses: (LiveTranscodeStatus & { receivedAt: number })[] = [];
  const playableAtLive: Promise<string[]>[] = [];
  let progressEvents = 0;

  beforeAll(async () => {
    if (skip) return;
    work = await tempDir('live');
    restorePath = await variant.prepare(work);
    binaries = await resolveFfmpeg({
      ffmpegPath: variant.env['FFMPEG_PATH'],
      ffprobePath: variant.env['FFPROBE_PATH'],
    });
    if (!variant.env['FFMPEG_PATH']) expect(binaries.ffmpegSource).toBe('npm');
    [database, s3, camera] = await Promise.all([
      createTestDatabase(),
      startLocalS3(),
      startTestCamera(binaries.ffmpeg, work),
    ]);
    store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
    db = createTranscodingDb(database.url, 2);
    await seedTranscoding(db);
    tokens = await createTokens();
    bus = new MemoryEventBus();
    await bus.subscribe(topics.liveHlsProgress, () => void (progressEvents += 1));
    await bus.subscribe(topics.liveTranscodeStatus, (s) => {
      statuses.push({ ...s, receivedAt: Date.now() });
      // What a player finds the moment LIVE is announced: the master and a finished segment of every rendition.
      if (s.status === 'LIVE' && s.masterPlaylistKey) playableAtLive.push(playableNow(s));
    });
    const config = loadTranscodingConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      ...s3.env,
      ...variant.env,
      SNAPSHOT_INTERVAL_SECONDS: '1',
      TIMELAPSE_SECONDS: '2',
      WORK_DIR: join(work, 'jobs'),
    });
    service = await startTranscodingService(config, {
      logger: createLogger('transcoding', 'silent'),
      events: bus,
      verifier: tokens.verifier,
      revocationSource: withoutAuthService,
    });
  }, 120_000);

  async function playableNow(s: LiveTranscodeStatus): Promise<string[]> {
    const problems: string[] = [];
    const prefix = s.masterPlaylistKey!.replace(/master\.m3u8$/, '');
    const master = HLS.parse(await text(store, s.masterPlaylistKey!)) as HLS.types.MasterPlaylist;
    for (const v of master.variants) {
      const media = HLS.parse(await text(store, prefix + v.uri)) as HLS.types.MediaPlaylist;
      const done = media.segments.filter((seg) => seg.uri);
      if (!done.length) problems.push(`${v.uri} lists no finished segment`);
      for (const seg of done)
        if (!(await objectExists(store, prefix + v.uri.replace(/index\.m3u8$/, '') + seg.uri)))
          problems.push(`${seg.uri} missing`);
    }
    return problems;
  }

  afterAll(async () => {
    await service?.stop(1000);
    await camera?.stop();
    await db?.$disconnect();
    await s3?.stop();
    await database?.drop();
    restorePath();
    await removeTempDirs();
  });

  it.skipIf(skip)(
    'goes LIVE only when playable, plays at low latency, survives a camera drop, and leaves a recording and a timelapse',
    async () => {
      const streamId = randomUUID();
      const of = (status: string) => statuses.filter((s) => s.streamId === streamId && s.status === status);
      const requested = Date.now();
      const request: LiveTranscodeRequested = {
        streamId,
        cameraId: demo.cameras.greenOverview,
        farmId: demo.farms.greenAcres,
        sourceUrl: camera.url,
        profile: 'live-hls-ladder',
      };
      await bus.publish(topics.liveTranscodeRequested, request);
      await waitFor('LIVE', () => of('LIVE').length > 0, 30_000);
      const live = of('LIVE')[0]!;
      expect(statuses.find((s) => s.streamId === streamId)?.status).toBe('STARTING');
      expect(await playableAtLive[0]).toEqual([]);
      expect(live.cameraOnline).toBe(true);
      expect(live.renditions).toEqual(['720p', '360p']);
      expect(live.receivedAt - requested).toBeLessThan(15_000);

      // The ladder: the camera's 720p H.264 passed through, a 360p rung encoded; LL-HLS playlists with wall-clock times.
      const prefix = live.masterPlaylistKey!.replace(/master\.m3u8$/, '');
      expect(prefix).toMatch(new RegExp(`^live/${streamId}/[0-9a-f-]{36}/$`));
      const master = HLS.parse(await text(store, live.masterPlaylistKey!)) as HLS.types.MasterPlaylist;
      expect(master.variants.map((v) => [v.uri, v.resolution?.height, v.codecs?.split(',')[0]?.slice(0, 4)])).toEqual([
        ['720p/index.m3u8', 720, 'avc1'],
        ['360p/index.m3u8', 360, 'avc1'],
      ]);
      await new Promise((r) => setTimeout(r, 4000));
      const livePlaylist = await text(store, `${prefix}720p/index.m3u8`);
      // Parts of 0.5 s (PART-TARGET one frame more: ffmpeg cuts a fragment once it reached the length); players hold back three.
      const partTarget = Number(/#EXT-X-PART-INF:PART-TARGET=([\d.]+)/.exec(livePlaylist)?.[1]);
      expect(partTarget).toBeGreaterThanOrEqual(0.5);
      expect(partTarget).toBeLessThanOrEqual(0.55);
      expect(livePlaylist).toContain(
        `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${Math.round(partTarget * 3 * 1e5) / 1e5}`,
      );
      const media = HLS.parse(livePlaylist) as HLS.types.MediaPlaylist;
      const segments = media.segments.filter((s) => s.uri);
      expect(segments.length).toBeGreaterThan(1);
      for (const s of segments) expect(s.duration).toBeLessThanOrEqual(media.targetDuration);
      // No part is longer than the part target (EXT-X-PART-INF), and the next part is hinted.
      const partDurations = media.segments.flatMap((s) => s.parts.map((p) => p.duration ?? 0));
      expect(partDurations.filter((d) => d > (media.partTargetDuration ?? 0) + 1e-6)).toEqual([]);
      expect(livePlaylist).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part\d+\.m4s"/);
      // The newest dated segment (hls-parser turns a trailing preload hint into a segment of its own, without a date).
      const newest = [...media.segments].reverse().find((s) => s.programDateTime)!;
      expect(newest.parts.length).toBeGreaterThan(0);
      expect(Date.now() - newest.programDateTime!.getTime()).toBeLessThan(5_000);
      expect(progressEvents).toBeGreaterThan(8);

      // Each rendition's init + a segment is real H.264 + AAC of the right size.
      for (const [rendition, height] of [
        ['720p', 720],
        ['360p', 360],
      ] as const) {
        const playlist = HLS.parse(await text(store, `${prefix}${rendition}/index.m3u8`)) as HLS.types.MediaPlaylist;
        // Not the first segment: it starts with the RTMP server's GOP cache, whose audio reaches further back.
        const seg = playlist.segments.filter((s) => s.uri)[1]!;
        const dir = join(work, `probe-${rendition}`);
        await mkdir(dir, { recursive: true });
        const init = (await store.client.getObject(
          store.bucket,
          `${prefix}${rendition}/${seg.map!.uri}`,
        )) as AsyncIterable<Buffer>;
        const body = (await store.client.getObject(
          store.bucket,
          `${prefix}${rendition}/${seg.uri}`,
        )) as AsyncIterable<Buffer>;
        const chunks: Buffer[] = [];
        for await (const c of init) chunks.push(c);
        for await (const c of body) chunks.push(c);
        await writeFile(join(dir, 'seg.mp4'), Buffer.concat(chunks));
        const { stdout } = await run(binaries.ffprobe, [
          '-v',
          'error',
          '-print_format',
          'json',
          '-show_streams',
          '-show_format',
          join(dir, 'seg.mp4'),
        ]);
        const probe = JSON.parse(stdout) as ProbeJson;
        const video = probe.streams.find((s) => s.codec_type === 'video');
        expect(video).toMatchObject({ codec_name: 'h264', height });
        expect(probe.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
        // Timestamps continue the camera's (ffmpeg -copyts): the segment's media time starts where the previous ended.
        expect(Math.abs(Number(video?.duration) - Number(video?.start_time) - seg.duration)).toBeLessThan(0.1);
      }

      // The camera drops: RECONNECTING with the reason within 5 s, the camera OFFLINE; back within 5 s of its return.
      const cutAt = Date.now();
      await camera.publisher.cut();
      await waitFor('RECONNECTING', () => of('RECONNECTING').length > 0, 10_000, 50);
      const reconnecting = of('RECONNECTING')[0]!;
      expect(reconnecting.receivedAt - cutAt).toBeLessThanOrEqual(5_000);
      expect(reconnecting.error).toMatch(/no video from the camera/);
      expect(reconnecting.cameraOnline).toBe(false);
      await new Promise((r) => setTimeout(r, 2_000));
      const restoredAt = Date.now();
      camera.publisher.restore();
      await waitFor('LIVE again', () => of('LIVE').some((s) => s.receivedAt > restoredAt), 15_000, 50);
      expect(of('LIVE').find((s) => s.receivedAt > restoredAt)!.receivedAt - restoredAt).toBeLessThanOrEqual(5_000);
      await new Promise((r) => setTimeout(r, 3_000));

      // Stop: ENDED naming the recording, whose playlists are complete VOD playlists over segments still in S3.
      await bus.publish(topics.liveTranscodeStopRequested, { streamId });
      await waitFor('ENDED', () => of('ENDED').length > 0, 15_000);
      const ended = of('ENDED')[0]!;
      expect(ended.masterPlaylistKey).toBe(live.masterPlaylistKey);
      const keys = new Set(await listKeys(store, prefix));
      for (const rendition of ['720p', '360p']) {
        const recording = await text(store, `${prefix}${rendition}/index.m3u8`);
        expect(recording).toMatch(/#EXT-X-PLAYLIST-TYPE:VOD/);
        expect(recording).toMatch(/#EXT-X-ENDLIST/);
        expect(recording).toMatch(/#EXT-X-DISCONTINUITY/);
        const vod = HLS.parse(recording) as HLS.types.MediaPlaylist;
        expect(vod.segments.length).toBeGreaterThan(4);
        for (const s of vod.segments) expect(keys.has(`${prefix}${rendition}/${s.uri}`)).toBe(true);
        // No parts are left behind: they are only for the live edge.
        expect([...keys].filter((k) => k.startsWith(`${prefix}${rendition}/p`))).toEqual([]);
      }
      const job = await db.transcodeJob.findFirstOrThrow({ where: { streamId } });
      expect(job).toMatchObject({
        status: 'SUCCEEDED',
        liveKey: null,
        farmId: demo.farms.greenAcres,
        renditions: ['720p', '360p'],
      });
      await waitFor('ffmpeg gone', async () => (await processesInDir(job.id)).length === 0, 5_000);

      // The live stream took snapshots; today's timelapse is made from them.
      const day = new Date().toISOString().slice(0, 10);
      const snapshots = await listKeys(store, `snapshots/${demo.cameras.greenOverview}/${day}/`);
      expect(snapshots.length).toBeGreaterThanOrEqual(3);
      const ready = new Promise<TimelapseReady>((resolve) => void bus.subscribe(topics.timelapseReady, resolve));
      const farmer = await tokens.mint(demo.users.farmer.id, ['FARMER']);
      const requestedTimelapse = await gql<{ requestTimelapse: { id: string } }>(
        service.url,
        'mutation($c: ID!, $d: String!) { requestTimelapse(input: { cameraId: $c, day: $d }) { id } }',
        { c: demo.cameras.greenOverview, d: day },
        farmer,
      );
      expect(requestedTimelapse.errors).toBeUndefined();
      const timelapse = await ready;
      expect(timelapse).toMatchObject({
        jobId: requestedTimelapse.data!.requestTimelapse.id,
        cameraId: demo.cameras.greenOverview,
        day,
        frameCount: snapshots.length,
      });
      const mp4 = join(work, 'timelapse.mp4');
      await store.client.fGetObject(store.bucket, timelapse.videoKey, mp4);
      const { stdout } = await run(binaries.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', mp4]);
      expect((JSON.parse(stdout) as ProbeJson).streams[0]).toMatchObject({
        codec_type: 'video',
        codec_name: 'h264',
        height: 720,
      });
    },
    180_000,
  );
});
