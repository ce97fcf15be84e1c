// The embedded default: no REDIS_URL (in-process event bus and presence), no PLAYBACK_SIGNING_SECRET (per-process key).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  topics,
  MemoryEventBus,
  type LiveTranscodeRequested,
  type LiveTranscodeStatus,
} from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { createTestDatabase, type TestDatabase } from '@vegshare/tools/testing/database';
import { startLocalS3, type LocalS3 } from '@vegshare/tools/testing/s3';
import { createStreamingDb } from '../src/db.ts';
import { seedStreaming } from '../src/seed.ts';
import { loadStreamingConfig, startStreamingService, type RunningStreaming } from '../src/service.ts';
import { waitFor } from './harness.ts';

let database: TestDatabase;
let s3: LocalS3;
let service: RunningStreaming;
const bus = new MemoryEventBus();

beforeAll(async () => {
  database = await createTestDatabase();
  const db = createStreamingDb(database.url);
  await seedStreaming(db);
  await db.$disconnect();
  s3 = await startLocalS3();
  service = await startStreamingService(
    loadStreamingConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      STREAM_IDLE_STOP_SECONDS: '1',
      VIEWER_TTL_SECONDS: '0.5',
      PRESENCE_SWEEP_SECONDS: '0.2',
      ...s3.env,
    }),
    {
      logger: createLogger('streaming', 'silent'),
      events: bus,
    },
  );
});
afterAll(async () => {
  await service?.stop(500);
  await s3?.stop();
  await database?.drop();
});

describe('streaming on the embedded defaults', () => {
  it('starts a public stream on demand, goes LIVE on the transcoder’s report, and stops by itself when nobody watches', async () => {
    const requests: LiveTranscodeRequested[] = [];
    const stops: string[] = [];
    await bus.subscribe(topics.liveTranscodeRequested, (e) => requests.push(e));
    await bus.subscribe(topics.liveTranscodeStopRequested, (e) => stops.push(e.streamId));
    const camera = (await (
      await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($id: ID!) { camera(id: $id) { stream { id } } }',
          variables: { id: demo.cameras.greenOverview },
        }),
      })
    ).json()) as { data: { camera: { stream: { id: string } } } };
    const streamId = camera.data.camera.stream.id;
    const res = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query($s: ID!) { playbackUrl(streamId: $s) { url stream { status } } }',
        variables: { s: streamId },
      }),
    });
    const body = (await res.json()) as { data: { playbackUrl: { url: string; stream: { status: string } } } };
    expect(body.data.playbackUrl.stream.status).toBe('STARTING');
    // Players reach /hls/ through the gateway's origin by default (PLAYBACK_BASE_URL), not this service's port.
    expect(body.data.playbackUrl.url).toMatch(
      new RegExp(`^http://localhost:4000/hls/${streamId}/master\\.m3u8\\?v=anon%3A`),
    );
    await waitFor(
      () => requests.length,
      (n) => n >= 1,
    );
    const live: LiveTranscodeStatus = {
      streamId,
      jobId: 'j',
      status: 'LIVE',
      masterPlaylistKey: `live/${streamId}/j/master.m3u8`,
      renditions: ['360p'],
      error: null,
      at: new Date().toISOString(),
    };
    await bus.publish(topics.liveTranscodeStatus, live);
    // The timers run for real here: 0.5 s viewer TTL, then 1 s idle, swept every 0.2 s.
    await waitFor(
      () => stops,
      (s) => s.includes(streamId),
      6000,
    );
    const db = createStreamingDb(database.url);
    expect((await db.stream.findUniqueOrThrow({ where: { id: streamId } })).status).toBe('ENDED');
    await db.$disconnect();
  });
});
