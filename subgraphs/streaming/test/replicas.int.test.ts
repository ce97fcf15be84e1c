// Two replicas of the service on one database, one Redis: each event is applied once, grants verify on either.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, topics, RedisEventBus, type LiveTranscodeStatus } from '@vegshare/kit';
import { demo } from '@vegshare/demo';
import { loadStreamingConfig, startStreamingService, type RunningStreaming } from '../src/service.ts';
import { gql, recordTopic, REDIS_URL, startHarness, users, waitFor, type Harness } from './harness.ts';
import { withoutAuthService } from '@vegshare/tools/testing/revocations';

let h: Harness;
let second: RunningStreaming;
let secondBus: RedisEventBus;
const GATEWAY_SECRET = 'gateway-secret-for-replica-two';

beforeAll(async () => {
  h = await startHarness();
  const logger = createLogger('streaming', 'silent');
  secondBus = new RedisEventBus(REDIS_URL, logger, h.env['REDIS_KEY_PREFIX']);
  // Replica 2 runs as in production: /graphql only for the gateway; /hls/ stays public (signed URLs).
  second = await startStreamingService(loadStreamingConfig({ ...h.env, GATEWAY_SECRET }), {
    logger,
    events: secondBus,
    verifier: h.verifier,
    revocationSource: withoutAuthService,
  });
});
afterAll(async () => {
  await second?.stop(500);
  await secondBus?.close();
  await h?.stop();
});

describe('replicas', () => {
  it('apply each transcoder report once and serve each other’s playback URLs and viewers', async () => {
    const streamId = (await h.db.stream.findUniqueOrThrow({ where: { cameraId: demo.cameras.greenA1 } })).id;
    const statuses = await recordTopic(h.bus, topics.streamStatus(streamId));
    const customer = await h.token(users.customer.id, users.customer.roles);
    const grant = await gql<{ playbackUrl: { url: string } }>(
      h,
      'query($s: ID!) { playbackUrl(streamId: $s) { url } }',
      { s: streamId },
      customer,
    );
    const report: LiveTranscodeStatus = {
      streamId,
      jobId: 'job-r',
      status: 'LIVE',
      masterPlaylistKey: `live/${streamId}/job-r/master.m3u8`,
      renditions: ['480p'],
      error: null,
      at: new Date().toISOString(),
    };
    await h.bus.publish(topics.liveTranscodeStatus, report);
    await waitFor(
      () => statuses.events.map((e) => e.status),
      (s) => s.includes('LIVE'),
    );
    await new Promise((r) => setTimeout(r, 200));
    await Promise.all([h.service.eventsIdle(), second.eventsIdle()]);
    expect(statuses.events.map((e) => e.status)).toEqual(['STARTING', 'LIVE']);
    await statuses.stop();

    // The URL replica 1 signed is accepted by replica 2 (shared secret): 404 = signature fine, no playlist in S3 yet.
    const url = new URL(grant.data?.playbackUrl.url ?? '');
    expect((await fetch(`${second.url}${url.pathname}${url.search}`)).status).toBe(404);
    const tampered = url.search.replace(/s=[^&]+/, 's=' + 'A'.repeat(43));
    expect((await fetch(`${second.url}${url.pathname}${tampered}`)).status).toBe(403);

    expect(
      (
        await fetch(`${second.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ __typename }"}',
        })
      ).status,
    ).toBe(403);

    // Presence is shared through Redis: a heartbeat on replica 2 is counted by replica 1.
    const admin = await h.token(users.admin.id, users.admin.roles);
    const before =
      (await gql<{ stream: { viewers: number } }>(h, 'query($s: ID!) { stream(id: $s) { viewers } }', { s: streamId }))
        .data?.stream.viewers ?? 0;
    const res = await fetch(`${second.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${admin}`,
        'x-gateway-secret': GATEWAY_SECRET,
      },
      body: JSON.stringify({ query: 'mutation($s: ID!) { heartbeat(streamId: $s) }', variables: { s: streamId } }),
    });
    expect(await res.json()).toEqual({ data: { heartbeat: before + 1 } });
    expect((await gql(h, 'query($s: ID!) { stream(id: $s) { viewers } }', { s: streamId })).data).toEqual({
      stream: { viewers: before + 1 },
    });
  });

  it('publish a camera’s health change and notify its farmer once, though both replicas see the report', async () => {
    const streamId = (await h.db.stream.findUniqueOrThrow({ where: { cameraId: demo.cameras.greenA1 } })).id;
    const health = await recordTopic(h.bus, topics.cameraHealth(demo.farms.greenAcres));
    const notes = await recordTopic(h.bus, topics.notificationRequested);
    const report = (
      status: LiveTranscodeStatus['status'],
      cameraOnline: boolean,
      error: string | null,
    ): LiveTranscodeStatus => ({
      streamId,
      jobId: 'job-r',
      status,
      masterPlaylistKey: `live/${streamId}/job-r/master.m3u8`,
      renditions: ['480p'],
      error,
      at: new Date().toISOString(),
      cameraOnline,
    });
    await h.bus.publish(
      topics.liveTranscodeStatus,
      report('RECONNECTING', false, 'no video from the camera for 3.0 s'),
    );
    await waitFor(
      () => notes.events.length,
      (n) => n >= 1,
    );
    await h.bus.publish(topics.liveTranscodeStatus, report('LIVE', true, null));
    await waitFor(
      () => notes.events.length,
      (n) => n >= 2,
    );
    await new Promise((r) => setTimeout(r, 300));
    await Promise.all([h.service.eventsIdle(), second.eventsIdle()]);
    expect(health.events).toEqual([{ cameraId: demo.cameras.greenA1 }, { cameraId: demo.cameras.greenA1 }]);
    expect(notes.events.map((n) => n.title)).toEqual([
      'Camera “Plot A-1” is offline',
      'Camera “Plot A-1” is back online',
    ]);
    await health.stop();
    await notes.stop();
  });
});
