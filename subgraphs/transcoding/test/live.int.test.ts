import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createObjectStore, demo, eventTopics, MemoryEventBus, type LiveTranscodeRequested, type LiveTranscodeStatus, type ObjectStore } from '@vegshare/kit';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { loadTranscodingConfig, startTranscodingService, type RunningTranscoding } from '../src/service.ts';
import { createTranscodingDb, type TranscodingDb } from '../src/db.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../src/media/m3u8.ts';
import { listKeys, processesInDir, tempDir, waitFor, removeTempDirs } from './helpers.ts';
import { startLiveSource, type LiveSource } from './live-source.ts';

let database: TestDatabase;
let s3: LocalS3;
let store: ObjectStore;
let db: TranscodingDb;
let bus: MemoryEventBus;
let service: RunningTranscoding;
let source: LiveSource;
const statuses: LiveTranscodeStatus[] = [];

const text = async (key: string): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.client.getObject(store.bucket, key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};
const statusesOf = (streamId: string) => statuses.filter((s) => s.streamId === streamId).map((s) => s.status);

beforeAll(async () => {
  [database, s3, source] = await Promise.all([createTestDatabase(), startLocalS3(), startLiveSource()]);
  store = createObjectStore({ ...s3.env, S3_REGION: 'us-east-1' });
  db = createTranscodingDb(database.url, 2);
  bus = new MemoryEventBus();
  await bus.subscribe<LiveTranscodeStatus>(eventTopics.liveTranscodeStatus, (s) => statuses.push(s));
  const config = loadTranscodingConfig({
    DATABASE_URL: database.url,
    PORT: '0',
    ...s3.env,
    X264_PRESET: 'ultrafast',
    WORKER_CONCURRENCY: '2',
    LIVE_WINDOW_SEGMENTS: '3',
    LIVE_RECONNECT_BASE_MS: '300',
    LIVE_RECONNECT_MAX_MS: '1500',
    THUMBNAIL_INTERVAL_SECONDS: '2',
    WORK_DIR: join(await tempDir('live'), 'jobs'),
  });
  service = await startTranscodingService(config, { logger: createLogger('transcoding', 'silent'), events: bus });
});
afterAll(async () => {
  await service?.stop(1000);
  await source?.stop();
  await db?.$disconnect();
  await s3?.stop();
  await database?.drop();
  await removeTempDirs();
});

describe('live ladder from a camera', () => {
  it('goes LIVE, reconnects when the input is cut and restored, expires old segments, and ends on stop', async () => {
    const streamId = randomUUID();
    const request: LiveTranscodeRequested = { streamId, cameraId: demo.cameras.greenOverview, sourceUrl: source.url, profile: 'hls-360-240' };
    await bus.publish(eventTopics.liveTranscodeRequested, request);
    await waitFor('LIVE', () => statusesOf(streamId).includes('LIVE'), 40_000);
    expect(statusesOf(streamId)[0]).toBe('STARTING');
    const live = statuses.find((s) => s.streamId === streamId && s.status === 'LIVE')!;
    expect(live.masterPlaylistKey).toBe(`live/${streamId}/master.m3u8`);
    expect(live.renditions).toEqual(['360p', '240p', 'audio']);

    // idempotent per stream: a repeated request re-announces, never starts a second job
    await bus.publish(eventTopics.liveTranscodeRequested, request);
    await bus.publish(eventTopics.liveTranscodeRequested, request);
    await new Promise((r) => setTimeout(r, 300));
    const jobs = await db.transcodeJob.findMany({ where: { streamId } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: 'LIVE', status: 'RUNNING', liveKey: streamId });
    const jobId = jobs[0]!.id;

    // S3: master lists both renditions; every segment a media playlist names is already there
    const prefix = `live/${streamId}/`;
    const master = parseMasterPlaylist(await text(`${prefix}master.m3u8`));
    expect(master.variants.filter((v) => v.resolution).map((v) => v.resolution?.height)).toEqual([360, 240]);
    const keys = new Set(await listKeys(store, prefix));
    const firstPlaylist = parseMediaPlaylist(await text(`${prefix}360p/index.m3u8`));
    expect(firstPlaylist.endList).toBe(false);
    for (const s of firstPlaylist.segments) expect(keys.has(`${prefix}360p/${s.uri}`)).toBe(true);
    const firstSegment = `${prefix}360p/${firstPlaylist.segments[0]!.uri}`;

    // cut the camera: RECONNECTING (not a failure), then LIVE again once it is back
    const before = statusesOf(streamId).length;
    await source.cut();
    await waitFor('RECONNECTING', () => statusesOf(streamId).slice(before).includes('RECONNECTING'), 20_000);
    expect((await db.transcodeJob.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('RECONNECTING');
    await new Promise((r) => setTimeout(r, 1500));
    const cutAt = statusesOf(streamId).length;
    await source.restore();
    await waitFor('LIVE again', () => statusesOf(streamId).slice(cutAt).includes('LIVE'), 40_000);
    expect((await db.transcodeJob.findUniqueOrThrow({ where: { id: jobId } })).status).toBe('RUNNING');
    expect(statusesOf(streamId)).not.toContain('FAILED');

    // segments outside the live window leave S3
    await waitFor('old segment expired', async () => !(await listKeys(store, `${prefix}360p/`)).includes(firstSegment), 30_000, 500);
    const playlist = parseMediaPlaylist(await text(`${prefix}360p/index.m3u8`));
    expect(playlist.segments.length).toBeLessThanOrEqual(3);
    const now = new Set(await listKeys(store, `${prefix}360p/`));
    for (const s of playlist.segments) expect(now.has(`${prefix}360p/${s.uri}`)).toBe(true);
    expect((await listKeys(store, `${prefix}thumbnails/`)).length).toBeGreaterThan(0);

    // stop: ENDED, job SUCCEEDED, ffmpeg gone, and the stream may start a new job later
    await bus.publish(eventTopics.liveTranscodeStopRequested, { streamId });
    await waitFor('ENDED', () => statusesOf(streamId).includes('ENDED'), 15_000);
    const ended = await db.transcodeJob.findUniqueOrThrow({ where: { id: jobId } });
    expect(ended).toMatchObject({ status: 'SUCCEEDED', liveKey: null });
    await waitFor('ffmpeg gone', async () => (await processesInDir(jobId)).length === 0, 5_000);
  }, 150_000);

  it('ignores malformed live requests', async () => {
    const streamId = randomUUID();
    await bus.publish(eventTopics.liveTranscodeRequested, { streamId, cameraId: demo.cameras.orchard1, sourceUrl: 'file:///etc/passwd', profile: 'x' });
    await bus.publish(eventTopics.liveTranscodeRequested, { streamId: 'not-a-uuid' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await db.transcodeJob.count({ where: { streamId } })).toBe(0);
  });
});
