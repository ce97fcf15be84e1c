import { join } from 'node:path';
import { publishCamera, type CameraPublisher } from '@vegshare/tools/demo-cameras/camera-publisher';
import { startRtmpServer, type RtmpServer } from '@vegshare/tools/demo-cameras/rtmp-server';
import {
  ensureTestPattern,
  TEST_CAMERA_LIKE,
  type TestPatternOptions,
} from '@vegshare/tools/demo-cameras/test-pattern';

/** A test-pattern camera publishing to a real RTMP server (node-media-server), like a farm camera behind a relay. */
export interface TestCamera {
  readonly server: RtmpServer;
  readonly url: string;
  readonly publisher: CameraPublisher;
  stop(): Promise<void>;
}

export async function startTestCamera(
  ffmpeg: string,
  dir: string,
  name = 'cam',
  pattern: TestPatternOptions = TEST_CAMERA_LIKE,
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
