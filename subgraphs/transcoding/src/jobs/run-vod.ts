import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PermanentError } from '../queue/job-queue.ts';
import { ladderPlan, thumbnailPlan } from '../media/commands.ts';
import { dashManifestFromHls } from '../media/dash-manifest.ts';
import { HlsUploader } from '../media/hls-uploader.ts';
import { probeInput } from '../media/probe.ts';
import { DEFAULT_PROFILE, profileOf, renditionNames } from '../media/profiles.ts';
import { runFfmpeg } from '../media/run-ffmpeg.ts';
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

/** VOD: a recording in S3 → HLS ladder (fMP4/CMAF), DASH manifest over the same segments, thumbnails. */
export async function runVod(run: JobRun): Promise<void> {
  const profile = profileOf(run.job.profile) ?? profileOf(DEFAULT_PROFILE);
  if (!profile) throw new PermanentError(`unknown profile ${run.job.profile}`);
  const source = await downloadSource(run);
  const probe = await probeInput(run.binaries, source);
  if (!probe.hasVideo) throw new PermanentError('source has no video stream');
  const out = join(run.workDir, 'out');
  await mkdir(join(out, 'thumbnails'), { recursive: true });
  const prefix = `vod/${run.job.id}/`;
  const renditions = [...renditionNames(profile), ...(probe.hasAudio ? ['audio'] : [])];
  await run.update({ outputPrefix: prefix });
  const uploader = new HlsUploader({ store: run.store, dir: out, prefix, renditions, thumbnails: true });
  uploader.start(250, () => undefined);
  const outcome = await runFfmpeg({
    binaries: run.binaries,
    input: source,
    plan: ladderPlan({ profile, segmentSeconds: run.config.HLS_SEGMENT_SECONDS, preset: run.config.X264_PRESET, hasAudio: probe.hasAudio, thumbnailEverySeconds: run.config.THUMBNAIL_INTERVAL_SECONDS }),
    cwd: out,
    signal: run.signal,
    killGraceMs: run.config.CANCEL_GRACE_MS,
    onProgress: (p) => run.progress(p),
  });
  if (outcome.kind !== 'finished') {
    // Cancelled or failed: nothing more to publish.
    await uploader.stop();
    if (outcome.kind === 'failed') throw new Error(outcome.message);
    return;
  }
  const state = await uploader.finish(true);
  const master = await readFile(join(out, 'master.m3u8'), 'utf8');
  const media = new Map([...uploader.playlists()].map(([r, text]) => [`${r}/index.m3u8`, text]));
  const mpd = dashManifestFromHls(master, media);
  await run.store.client.putObject(run.store.bucket, `${prefix}manifest.mpd`, Buffer.from(mpd), undefined, { 'Content-Type': 'application/dash+xml' });
  await run.update({ masterPlaylistKey: `${prefix}master.m3u8`, dashManifestKey: `${prefix}manifest.mpd`, thumbnailCount: state.thumbnails });
}

/** Thumbnails only: a JPEG every N seconds of a recording. */
export async function runThumbnails(run: JobRun): Promise<void> {
  const source = await downloadSource(run);
  const out = join(run.workDir, 'out');
  await mkdir(join(out, 'thumbnails'), { recursive: true });
  const prefix = `stills/${run.job.id}/`;
  await run.update({ outputPrefix: prefix });
  const uploader = new HlsUploader({ store: run.store, dir: out, prefix, renditions: [], thumbnails: true });
  const outcome = await runFfmpeg({ binaries: run.binaries, input: source, plan: thumbnailPlan(run.config.THUMBNAIL_INTERVAL_SECONDS), cwd: out, signal: run.signal, killGraceMs: run.config.CANCEL_GRACE_MS, onProgress: (p) => run.progress(p) });
  if (outcome.kind === 'failed') throw new Error(outcome.message);
  if (outcome.kind === 'stopped') return;
  const state = await uploader.finish(true);
  await run.update({ thumbnailCount: state.thumbnails });
}
