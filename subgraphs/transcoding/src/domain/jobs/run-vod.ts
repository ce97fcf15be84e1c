import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PermanentError } from '../../adapters/queue/job-queue.ts';
import { FragmentSockets } from '../hls/fragment-sockets.ts';
import { ladderArgs, planLadder } from '../hls/ladder-plan.ts';
import { objectMeta } from '../hls/media-types.ts';
import { VodLadder } from '../hls/vod-ladder.ts';
import { thumbnailPlan } from '../media/commands.ts';
import { dashManifestFromHls } from '../media/dash-manifest.ts';
import { probeInput } from '../media/probe.ts';
import { DEFAULT_PROFILE, profileOf } from '../media/profiles.ts';
import { StillsUploader } from '../hls/stills-uploader.ts';
import { s3KeyOf, type JobRun } from './job-run.ts';

async function downloadSource(run: JobRun): Promise<string> {
  const key = s3KeyOf(run.job.source);
  if (!key) throw new PermanentError(`unsupported VOD source ${run.job.source}`);
  const file = join(run.workDir, 'source');
  try {
    await run.store.client.fGetObject(run.store.bucket, key, file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'NoSuchKey' || code === 'NotFound') throw new PermanentError(`source object ${key} not found`);
    throw error;
  }
  return file;
}

/** VOD: a recording in S3 → HLS ladder (fMP4/CMAF segments, audio muxed per rendition), DASH manifest, thumbnails. */
export async function runVod(run: JobRun): Promise<void> {
  const profile = profileOf(run.job.profile) ?? profileOf(DEFAULT_PROFILE)!;
  const source = await downloadSource(run);
  const probe = await probeInput(run.binaries, source).catch(() => null);
  if (!probe?.video) throw new PermanentError('the uploaded file is not a video ffmpeg can read');
  const plan = planLadder(profile, probe, { passThrough: false });
  const prefix = `vod/${run.job.id}/`;
  await run.update({ outputPrefix: prefix, renditions: plan.renditions.map((r) => r.name) });
  const ladder = new VodLadder(run.store, prefix, plan, run.config.HLS_SEGMENT_SECONDS);
  const thumbs = join(run.workDir, 'thumbnails');
  await mkdir(thumbs, { recursive: true });
  const stills = new StillsUploader(run.store, thumbs, `${prefix}thumbnails/`);
  stills.start(1_000);
  let broken: Error | null = null;
  const abort = new AbortController();
  const onJobAbort = () => abort.abort(run.signal.reason);
  run.signal.addEventListener('abort', onJobAbort, { once: true });
  const sockets = await FragmentSockets.open(
    plan.renditions.map((r) => r.name),
    (name, chunk) => ladder.push(name, chunk),
    (_name, error) => {
      broken ??= error;
      abort.abort();
    },
  );
  try {
    const outcome = await run.ffmpeg({
      input: source,
      plan: ladderArgs(plan, {
        outputs: sockets.urls,
        inputOptions: [],
        partSeconds: null,
        segmentSeconds: run.config.HLS_SEGMENT_SECONDS,
        preset: run.config.X264_PRESET,
        live: false,
        encoderThreads: null,
        thumbnails: { pattern: join(thumbs, 'thumb_%05d.jpg'), everySeconds: run.config.THUMBNAIL_INTERVAL_SECONDS },
      }),
      cwd: run.workDir,
      signal: abort.signal,
    });
    if (run.signal.aborted) return;
    if (broken) throw broken;
    if (outcome.kind === 'failed') throw new Error(outcome.message);
  } finally {
    run.signal.removeEventListener('abort', onJobAbort);
    await sockets.close();
    await stills.stop();
  }
  const { masterKey, master, media } = await ladder.finish();
  const mpd = dashManifestFromHls(master, media);
  await run.store.client.putObject(
    run.store.bucket,
    `${prefix}manifest.mpd`,
    Buffer.from(mpd),
    Buffer.byteLength(mpd),
    objectMeta('manifest.mpd'),
  );
  await run.update({
    masterPlaylistKey: masterKey,
    dashManifestKey: `${prefix}manifest.mpd`,
    thumbnailCount: stills.uploaded,
  });
}

/** Thumbnails only: a JPEG every N seconds of a recording. */
export async function runThumbnails(run: JobRun): Promise<void> {
  const source = await downloadSource(run);
  const dir = join(run.workDir, 'thumbnails');
  await mkdir(dir, { recursive: true });
  const prefix = `stills/${run.job.id}/`;
  await run.update({ outputPrefix: prefix });
  const stills = new StillsUploader(run.store, dir, `${prefix}thumbnails/`);
  const outcome = await run.ffmpeg({
    input: source,
    plan: thumbnailPlan(run.config.THUMBNAIL_INTERVAL_SECONDS),
    cwd: run.workDir,
  });
  if (outcome.kind === 'failed') throw new Error(outcome.message);
  if (outcome.kind === 'stopped') return;
  await stills.stop();
  await run.update({ thumbnailCount: stills.uploaded });
}
