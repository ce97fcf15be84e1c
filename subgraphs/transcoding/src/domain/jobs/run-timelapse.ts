import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { topics, type TimelapseReady } from '@vegshare/kit';
import { PermanentError } from '../../adapters/queue/job-queue.ts';
import { timelapsePlan } from '../media/commands.ts';
import { probeInput } from '../media/probe.ts';
import { listKeys } from './s3-objects.ts';
import type { JobRun } from './job-run.ts';

const IMAGE = /\.(jpe?g)$/i;

const timelapseKey = (cameraId: string, day: string): string => `timelapses/${cameraId}/${day}.mp4`;

/** Runs `work` over `items` with at most `limit` at once. */
async function inPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

/**
 * Timelapse: the day's snapshots, which the live pipeline writes to snapshots/<camera>/<day>/ while the camera
 * streams, in time order → a short MP4 at timelapses/<camera>/<day>.mp4; streaming is told (TimelapseReady) and keeps
 * it for those allowed to watch the camera.
 */
export async function runTimelapse(run: JobRun): Promise<void> {
  const { job, store, config } = run;
  if (!job.cameraId || !job.day) throw new PermanentError('timelapse job needs a camera and a day');
  const dir = join(run.workDir, 'in');
  await mkdir(dir, { recursive: true });
  const snapshots = (await listKeys(store, `snapshots/${job.cameraId}/${job.day}/`)).filter((k) => IMAGE.test(k));
  if (snapshots.length < 2)
    throw new PermanentError(`no snapshots of camera ${job.cameraId} on ${job.day} (it did not stream that day)`);
  await inPool(snapshots, 8, (key, i) =>
    store.client.fGetObject(store.bucket, key, join(dir, `frame_${String(i).padStart(5, '0')}.jpg`)),
  );
  const frameRate = Math.min(30, Math.max(1, Math.round(snapshots.length / config.TIMELAPSE_SECONDS)));
  const outcome = await run.ffmpeg({
    input: join(dir, 'frame_%05d.jpg'),
    plan: timelapsePlan({ kind: 'frames', frameRate }, config.X264_PRESET, 'timelapse.mp4'),
    cwd: run.workDir,
  });
  if (outcome.kind === 'failed') throw new Error(outcome.message);
  if (outcome.kind === 'stopped') return;
  const file = join(run.workDir, 'timelapse.mp4');
  const durationSeconds = (await probeInput(run.binaries, file)).durationSeconds ?? snapshots.length / frameRate;
  const videoKey = timelapseKey(job.cameraId, job.day);
  await store.client.fPutObject(store.bucket, videoKey, file, {
    'Content-Type': 'video/mp4',
    'Cache-Control': 'max-age=31536000, immutable',
  });
  const ready: TimelapseReady = {
    jobId: job.id,
    cameraId: job.cameraId,
    day: job.day,
    videoKey,
    durationSeconds,
    frameCount: snapshots.length,
  };
  await run.update({ outputKey: videoKey, outputPrefix: `timelapses/${job.cameraId}/` }, (bus) =>
    bus.publish(topics.timelapseReady, ready),
  );
}
