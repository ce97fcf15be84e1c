import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelay, PermanentError } from '../queue/job-queue.ts';
import { ladderPlan, liveInputOptions } from '../media/commands.ts';
import { HlsUploader } from '../media/hls-uploader.ts';
import { probeInput } from '../media/probe.ts';
import { DEFAULT_PROFILE, profileOf, renditionNames } from '../media/profiles.ts';
import { runFfmpeg } from '../media/run-ffmpeg.ts';
import { masterKeyOfStream } from './job-events.ts';
import { redactCredentials, sleep, type JobRun } from './job-run.ts';

const message = (error: unknown): string => (error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error));

/**
 * Live: a camera (RTSP/RTMP/HTTP/TCP) → sliding-window HLS ladder in S3 under live/<streamId>/, until the stream is
 * stopped. When the input drops (or cannot be reached) the job reports RECONNECTING and retries with exponential
 * back-off; it is LIVE again once fresh segments are in S3. It fails only after LIVE_GIVE_UP_MS without input.
 */
export async function runLive(run: JobRun): Promise<void> {
  const { job, config } = run;
  if (!job.streamId) throw new PermanentError('live job without a stream');
  const profile = profileOf(job.profile) ?? profileOf(DEFAULT_PROFILE);
  if (!profile) throw new PermanentError(`unknown profile ${job.profile}`);
  const prefix = `live/${job.streamId}/`;
  const out = join(run.workDir, 'out');
  await mkdir(join(out, 'thumbnails'), { recursive: true });
  await run.update({ outputPrefix: prefix, masterPlaylistKey: masterKeyOfStream(job.streamId) });
  const inputOptions = liveInputOptions(job.source);
  let uploader: HlsUploader | null = null;
  let renditions: string[] = renditionNames(profile);
  let failingSince: number | null = null;
  let failures = 0;
  let lastError = 'input not reachable';
  await run.live('STARTING', renditions);

  while (!run.signal.aborted) {
    let hasAudio: boolean | null = null;
    try {
      const probe = await probeInput(run.binaries, job.source, inputOptions, 10_000);
      if (probe.hasVideo) hasAudio = probe.hasAudio;
      else lastError = 'input has no video';
    } catch (error) {
      lastError = `input not reachable: ${message(error)}`;
    }
    if (run.signal.aborted) break;
    if (hasAudio !== null) {
      if (!uploader) {
        renditions = [...renditionNames(profile), ...(hasAudio ? ['audio'] : [])];
        uploader = new HlsUploader({
          store: run.store,
          dir: out,
          prefix,
          renditions,
          thumbnails: true,
          keepThumbnails: 30,
          expireAfterMs: config.LIVE_WINDOW_SEGMENTS * config.HLS_SEGMENT_SECONDS * 1000,
        });
      }
      const active = uploader;
      let onAir = false;
      let baseline: number | null = null;
      active.start(250, (state) => {
        baseline ??= state.segmentsUploaded;
        if (!onAir && state.playable && state.segmentsUploaded > baseline) {
          onAir = true;
          failingSince = null;
          failures = 0;
          void run.live('LIVE', renditions).catch((err: unknown) => run.logger.warn({ err }, 'live status update failed'));
        }
      });
      const outcome = await runFfmpeg({
        binaries: run.binaries,
        input: job.source,
        plan: ladderPlan({
          profile,
          segmentSeconds: config.HLS_SEGMENT_SECONDS,
          preset: config.X264_PRESET,
          hasAudio: renditions.includes('audio'),
          liveWindowSegments: config.LIVE_WINDOW_SEGMENTS,
          thumbnailEverySeconds: config.THUMBNAIL_INTERVAL_SECONDS,
          inputOptions,
        }),
        cwd: out,
        signal: run.signal,
        killGraceMs: config.CANCEL_GRACE_MS,
        onProgress: (p) => run.progress(p),
      });
      await active.finish(false).catch((err: unknown) => run.logger.warn({ err }, 'live upload pass failed'));
      if (run.signal.aborted) break;
      lastError = outcome.kind === 'failed' ? `input lost: ${outcome.message}` : 'input ended';
    }
    failingSince ??= Date.now();
    if (Date.now() - failingSince > config.LIVE_GIVE_UP_MS) throw new PermanentError(`live input gone for too long (${lastError})`);
    failures += 1;
    run.logger.info({ jobId: job.id, failures, lastError: redactCredentials(lastError) }, 'live input lost; reconnecting');
    await run.live('RECONNECTING', renditions, lastError);
    await sleep(backoffDelay(config.LIVE_RECONNECT_BASE_MS, failures, config.LIVE_RECONNECT_MAX_MS), run.signal);
  }
}
