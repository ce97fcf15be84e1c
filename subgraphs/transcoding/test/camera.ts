import { join } from 'node:path';
import { publishCamera, type CameraPublisher } from '@vegshare/tools/demo-cameras/camera-publisher';
import { startRtmpServer, type RtmpServer } from '@vegshare/tools/demo-cameras/rtmp-server';
import { ensureTestPattern, type TestPatternOptions } from '@vegshare/tools/demo-cameras/test-pattern';

/** A test-pattern camera publishing to a real RTMP server (node-media-server), like a farm camera behind a relay. */
export interface TestCamera {
  readonly server: RtmpServer;
  readonly url: string;
  readonly publisher: CameraPublisher;
  stop(): Promise<void>;
}

/** A 720p H.264/AAC camera (2 s keyframe interval) looping a 10 s clip in real time. */
const TEST_CAMERA: TestPatternOptions = {
  width: 1280,
  height: 720,
  fps: 30,
  gopSeconds: 2,
  seconds: 10,
  videoKbps: 2000,
  audio: true,
};

export async function startTestCamera(
  ffmpeg: string,
  dir: string,
  name = 'cam',
  pattern: TestPatternOptions = TEST_CAMERA,
): Promise<TestCamera> {
  const clip = await ensureTestPattern(
    ffmpeg,
    join(dir, `${name}-${pattern.width}x${pattern.height}-${pattern.audio ? 'av' : 'v'}.mp4`),
    pattern,
  );
  const server = await startRtmpServer();
  const url = `${server.url}/live/${name}`;
  const publisher = publishCamera(ffmpeg, clip, url);
  return {
    server,
    url,
    publisher,
    async stop() {
      await publisher.stop();
      await server.stop();
    },
  };
}
