import { mkdir, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PermanentError } from '../queue/job-queue.ts';
import { timelapsePlan } from '../media/commands.ts';
import { probeInput } from '../media/probe.ts';
import { runFfmpeg } from '../media/run-ffmpeg.ts';
import { listKeys } from './s3-objects.ts';
import type { JobRun } from './job-run.ts';

const IMAGE = /\.(jpe?g)$/i;
const VIDEO = /\.(mp4|m4v|mov|mkv|ts)$/i;

export const timelapseKey = (cameraId: string, day: string): string => `timelapses/${cameraId}/${day}.mp4`;

/**
 * Timelapse: the day's snapshots (snapshots/<camera>/<day>/*.jpg, in name order) or, without snapshots, its
 * recordings (recordings/<camera>/<day>/*) sped up, into a short MP4 at timelapses/<camera>/<day>.mp4.
 */
export async function runTimelapse(run: JobRun): Promise<void> {
  const { job, store, config } = run;
  if (!job.cameraId || !job.day) throw new PermanentError('timelapse job needs a camera and a day');
  const dir = join(run.workDir, 'in');
  await mkdir(dir, { recursive: true });
  const snapshots = (await listKeys(store, `snapshots/${job.cameraId}/${job.day}/`)).filter((k) => IMAGE.test(k));
  let input: string;
  let plan;
  let frameCount: number;
  if (snapshots.length >= 2) {
    for (const [i, key] of snapshots.entries()) await store.client.fGetObject(store.bucket, key, join(dir, `frame_${String(i).padStart(5, '0')}.jpg`));
    const frameRate = Math.min(30, Math.max(1, Math.round(snapshots.length / config.TIMELAPSE_SECONDS)));
    input = join(dir, 'frame_%05d.jpg');
    plan = timelapsePlan({ kind: 'frames', frameRate }, config.X264_PRESET, 'timelapse.mp4');
    frameCount = snapshots.length;
  } else {
    const recordings = (await listKeys(store, `recordings/${job.cameraId}/${job.day}/`)).filter((k) => VIDEO.test(k));
    if (!recordings.length) throw new PermanentError(`no snapshots or recordings for camera ${job.cameraId} on ${job.day}`);
    let seconds = 0;
    const files: string[] = [];
    for (const [i, key] of recordings.entries()) {
      const file = join(dir, `rec_${i}${extname(key)}`);
      await store.client.fGetObject(store.bucket, key, file);
      seconds += (await probeInput(run.binaries, file)).durationSeconds ?? 0;
      files.push(file);
    }
    const list = join(dir, 'list.txt');
    await writeFile(list, files.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n'));
    input = list;
    const speedUp = Math.max(1, seconds / config.TIMELAPSE_SECONDS);
    const base = timelapsePlan({ kind: 'recording', speedUp }, config.X264_PRESET, 'timelapse.mp4');
    plan = { ...base, inputOptions: ['-f concat', '-safe 0', ...base.inputOptions] };
    frameCount = Math.round((seconds / speedUp) * 30);
  }
  const outcome = await runFfmpeg({ binaries: run.binaries, input, plan, cwd: run.workDir, signal: run.signal, killGraceMs: config.CANCEL_GRACE_MS, onProgress: (p) => run.progress(p) });
  if (outcome.kind === 'failed') throw new Error(outcome.message);
  if (outcome.kind === 'stopped') return;
  const file = join(run.workDir, 'timelapse.mp4');
  const durationSeconds = (await probeInput(run.binaries, file)).durationSeconds ?? 0;
  const videoKey = timelapseKey(job.cameraId, job.day);
  await store.client.fPutObject(store.bucket, videoKey, file, { 'Content-Type': 'video/mp4' });
  await run.db.timelapse.upsert({
    where: { cameraId_day: { cameraId: job.cameraId, day: job.day } },
    create: { cameraId: job.cameraId, day: job.day, jobId: job.id, videoKey, durationSeconds, frameCount },
    update: { jobId: job.id, videoKey, durationSeconds, frameCount },
  });
  await run.update({ outputKey: videoKey, outputPrefix: `timelapses/${job.cameraId}/` });
}
