import { join } from 'node:path';
import { demoCameras } from '@vegshare/demo';
import { publishCamera, type CameraPublisher } from './camera-publisher.ts';
import { startRtmpServer, type RtmpServer } from './rtmp-server.ts';
import { ensureTestPattern } from './test-pattern.ts';

export interface DemoCameras {
  /** What the demo cameras' source URLs start with: rtmp://127.0.0.1:<port>/demo */
  readonly baseUrl: string;
  readonly server: RtmpServer;
  readonly publishers: ReadonlyMap<string, CameraPublisher>;
  stop(): Promise<void>;
}

/**
 * The demo farm's cameras for the embedded start: a local RTMP server and one test-pattern camera per demo camera,
 * so `npm start` shows live video with nothing else installed (ffmpeg is the one the transcoder found).
 */
export async function startDemoCameras(options: {
  ffmpeg: string;
  dataDir: string;
  port?: number;
}): Promise<DemoCameras> {
  const clip = await ensureTestPattern(options.ffmpeg, join(options.dataDir, 'demo-camera-720p-v1.mp4'));
  const server = await startRtmpServer(options.port ? { port: options.port } : {});
  const baseUrl = `${server.url}/demo`;
  const publishers = new Map<string, CameraPublisher>();
  for (const camera of demoCameras)
    publishers.set(camera.id, publishCamera(options.ffmpeg, clip, `${baseUrl}/${camera.path}`));
  return {
    baseUrl,
    server,
    publishers,
    async stop() {
      await Promise.all([...publishers.values()].map((p) => p.stop()));
      await server.stop();
    },
  };
}
