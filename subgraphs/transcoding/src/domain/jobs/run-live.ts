import { join } from 'node:path';
import { backoffDelay, PermanentError } from '../../adapters/queue/job-queue.ts';
import { planLadder, ladderArgs, type LadderPlan } from '../hls/ladder-plan.ts';
import { FragmentSockets } from '../hls/fragment-sockets.ts';
import { LiveLadder, type LadderRun } from '../hls/live-ladder.ts';
import { SnapshotTaker } from '../hls/snapshots.ts';
import { liveInputArgs, liveProbeArgs } from '../media/live-input.ts';
import { probeInput, type ProbeResult } from '../media/probe.ts';
import { DEFAULT_LIVE_PROFILE, profileOf } from '../media/profiles.ts';
import { segmentLogOf } from './segment-log.ts';
import { redactCredentials, sleep, type JobRun } from './job-run.ts';

const firstLine = (error: unknown): string =>
  error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);

/** S3 prefix of a live session: one folder per job, so a recording keeps its own segments. */
const liveSessionPrefix = (streamId: string, jobId: string): string => `live/${streamId}/${jobId}/`;

/** Why an encoder run ended, in words for Stream.lastError. */
type RunEnd =
  { readonly kind: 'stopped' } | { readonly kind: 'lost'; readonly reason: string; readonly inputProblem: boolean };

/**
 * Live: a camera (RTSP/RTMP) → low-latency HLS ladder in S3 under live/<stream>/<job>/ until the stream is stopped.
 *
 * The source is probed once; an H.264 source is passed through as the top rung and only lower rungs are encoded.
 * ffmpeg writes each rendition as fragmented MP4 into a local socket; every fragment becomes an LL-HLS part in S3 and
 * segments close at keyframes. The stream is LIVE only once every rendition has a finished segment in S3 and the
 * master playlist is there. No video for LIVE_STALL_MS (or none within LIVE_START_TIMEOUT_MS of a start) counts as
 * the camera dropping: RECONNECTING with the reason, restarts with a short back-off, FAILED after LIVE_GIVE_UP_MS.
 * When the stream stops, each playlist becomes the VOD playlist of the whole session: the recording.
 */
export async function runLive(run: JobRun): Promise<void> {
  const { job, config, logger } = run;
  if (!job.streamId) throw new PermanentError('live job without a stream');
  const profile = profileOf(job.profile) ?? profileOf(DEFAULT_LIVE_PROFILE)!;
  const prefix = liveSessionPrefix(job.streamId, job.id);
  const probeArgs = liveProbeArgs(job.source, run.binaries, config.LIVE_STALL_MS);
  let cameraOnline: boolean | null = null;
  let renditions: string[] = [];
  // Reports apply in the order they are made: the watchdog's RECONNECTING is not awaited, and a slow write of it must
  // not land after the LIVE that follows it.
  let reported: Promise<void> = Promise.resolve();
  const report = (status: 'STARTING' | 'LIVE' | 'RECONNECTING', error: string | null = null): Promise<void> => {
    const state = { status, renditions, error, cameraOnline };
    reported = reported
      .then(() => run.live(state))
      .catch((err: unknown) => logger.warn({ err }, 'live status update failed'));
    return reported;
  };

  await run.update({ outputPrefix: prefix, masterPlaylistKey: `${prefix}master.m3u8` });
  await report('STARTING');

  // The source's codecs decide the ladder: probe until the camera answers.
  let failingSince: number | null = null;
  let failures = 0;
  const waitAfterFailure = async (reason: string): Promise<void> => {
    failingSince ??= Date.now();
    if (Date.now() - failingSince > config.LIVE_GIVE_UP_MS)
      throw new PermanentError(`live input gone for too long (${reason})`);
    failures += 1;
    logger.info({ failures, reason: redactCredentials(reason) }, 'live input lost; reconnecting');
    await report('RECONNECTING', reason);
    await sleep(backoffDelay(config.LIVE_RECONNECT_BASE_MS, failures, config.LIVE_RECONNECT_MAX_MS), run.signal);
  };

  let probe: ProbeResult | null = null;
  while (!run.signal.aborted && !probe) {
    try {
      const result = await probeInput(run.binaries, job.source, probeArgs, config.LIVE_START_TIMEOUT_MS);
      cameraOnline = true;
      if (!result.video) throw new PermanentError('the camera sends no video');
      probe = result;
    } catch (error) {
      if (error instanceof PermanentError) throw error;
      cameraOnline = false;
      await waitAfterFailure(`camera not reachable: ${firstLine(error)}`);
    }
  }
  if (!probe) {
    // Stopped before the camera ever answered: nothing was recorded, so the session must not name a recording.
    await run.update({ masterPlaylistKey: null });
    return;
  }
  let plan: LadderPlan;
  try {
    plan = planLadder(profile, probe, { passThrough: config.LIVE_PASSTHROUGH });
  } catch (error) {
    throw new PermanentError(firstLine(error));
  }
  renditions = plan.renditions.map((r) => r.name);
  logger.info(
    {
      renditions: plan.renditions,
      audio: plan.audio,
      passThroughRefused: plan.passThroughRefused,
      source: { ...probe.video },
    },
    'live ladder planned',
  );

  const ladder = await LiveLadder.create({
    store: run.store,
    prefix,
    plan,
    segmentSeconds: config.LIVE_SEGMENT_SECONDS,
    partSeconds: config.LIVE_PART_SECONDS,
    windowSegments: config.LIVE_WINDOW_SEGMENTS,
    log: segmentLogOf(run.db, job.id),
    onProgress: (p) => run.hlsProgress(p),
  });
  // Stills for the day's timelapse, from the newest finished segment (no decoder on every frame for them).
  let lastStill = -1;
  const snapshots = job.cameraId
    ? new SnapshotTaker({
        binaries: run.binaries,
        store: run.store,
        cameraId: job.cameraId,
        dir: join(run.workDir, 'snapshots'),
        latest: () => {
          const sample = ladder.latestSegment(lastStill);
          if (sample) lastStill = sample.msn;
          return sample;
        },
        onError: (err) => logger.warn({ err }, 'snapshot failed'),
      })
    : null;
  snapshots?.start(config.SNAPSHOT_INTERVAL_SECONDS * 1000);
  let onAir = false;
  let runs = 0;

  try {
    while (!run.signal.aborted) {
      runs += 1;
      const end = await encoderRun(
        run,
        ladder,
        plan,
        (reason) => {
          // Say so the moment the watchdog sees it, not after ffmpeg has wound down.
          onAir = false;
          cameraOnline = false;
          void report('RECONNECTING', reason);
        },
        () => {
          // Called on every watchdog tick while video flows.
          cameraOnline = true;
          failingSince = null;
          failures = 0;
        },
        async (current) => {
          if (onAir) return;
          const ready =
            runs === 1
              ? await ladder.publishMasterWhenReady()
              : current.renditionsFlowing === plan.renditions.length && (await ladder.publishMasterWhenReady());
          if (ready) {
            onAir = true;
            await report('LIVE');
          }
        },
      );
      if (end.kind === 'stopped' || run.signal.aborted) break;
      onAir = false;
      // Is it the camera or us? Ask the camera directly: health follows the answer, the reason goes to lastError.
      if (!end.inputProblem) {
        try {
          await probeInput(run.binaries, job.source, probeArgs, config.LIVE_STALL_MS + 2_000);
          cameraOnline = true;
        } catch {
          cameraOnline = false;
        }
      } else {
        cameraOnline = false;
      }
      await waitAfterFailure(end.reason);
    }
  } finally {
    snapshots?.stop();
    if (run.signal.aborted) {
      // Stopped (or cancelled, or handed over): the playlists become the session's recording.
      const reason = run.signal.reason as { kind?: string } | undefined;
      if (reason?.kind === 'stop') {
        await ladder.end().catch((err: unknown) => logger.warn({ err }, 'closing the live playlists failed'));
        // A recording only when its master playlist exists (every rendition recorded a segment), else nothing to play.
        await run.update({ masterPlaylistKey: ladder.playable ? ladder.masterKey : null });
      } else {
        await ladder.flush().catch(() => undefined);
      }
    }
  }
}

/**
 * One ffmpeg run: sockets per rendition, the ladder's sinks, a watchdog for silence. Resolves with how it ended;
 * `alive` is called on each tick while fragments arrive, `onTick` after every tick (LIVE detection).
 */
async function encoderRun(
  run: JobRun,
  ladder: LiveLadder,
  plan: LadderPlan,
  cameraSilent: (reason: string) => void,
  alive: () => void,
  onTick: (current: LadderRun) => Promise<void>,
): Promise<RunEnd> {
  const { config, logger } = run;
  const current = ladder.beginRun();
  const abort = new AbortController();
  let lost: RunEnd | null = null;
  const lose = (reason: string, inputProblem: boolean) => {
    if (lost) return;
    lost = { kind: 'lost', reason, inputProblem };
    if (inputProblem) cameraSilent(reason);
    abort.abort();
  };
  const onJobAbort = () => abort.abort();
  run.signal.addEventListener('abort', onJobAbort, { once: true });
  const sockets = await FragmentSockets.open(
    plan.renditions.map((r) => r.name),
    (name, chunk) => current.push(name, chunk),
    (name, error) => lose(`output ${name} broke: ${firstLine(error)}`, false),
  );
  const startedAt = Date.now();
  let ticking = false;
  const watchdog = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void (async () => {
      const last = current.lastFragmentAt;
      if (last === null && Date.now() - startedAt > config.LIVE_START_TIMEOUT_MS)
        lose(`no video from the camera within ${Math.round(config.LIVE_START_TIMEOUT_MS / 1000)} s`, true);
      else if (last !== null && Date.now() - last > config.LIVE_STALL_MS)
        lose(`no video from the camera for ${(config.LIVE_STALL_MS / 1000).toFixed(1)} s`, true);
      else if (ladder.failure) lose(`storage: ${firstLine(ladder.failure)}`, false);
      else if (last !== null) {
        alive();
        await onTick(current);
      }
    })()
      .catch((err: unknown) => logger.warn({ err }, 'live watchdog failed'))
      .finally(() => (ticking = false));
  }, 200);
  try {
    const outcome = await run.ffmpeg({
      input: run.job.source,
      plan: ladderArgs(plan, {
        outputs: sockets.urls,
        inputOptions: liveInputArgs(run.job.source, run.binaries, config.LIVE_STALL_MS),
        partSeconds: config.LIVE_PART_SECONDS,
        segmentSeconds: config.LIVE_SEGMENT_SECONDS,
        preset: config.LIVE_X264_PRESET,
        live: true,
        encoderThreads: 1,
      }),
      cwd: run.workDir,
      signal: abort.signal,
      // A stalled or stopped live run has nothing worth flushing.
      killGraceMs: 1_000,
    });
    if (run.signal.aborted) return { kind: 'stopped' };
    if (lost) return lost;
    return outcome.kind === 'failed'
      ? {
          kind: 'lost',
          reason: `ffmpeg: ${outcome.message}`,
          inputProblem:
            /Connection refused|timed out|End of file|Input\/output error|Server returned|No route|not found|Network is unreachable|Broken pipe/i.test(
              outcome.message,
            ),
        }
      : { kind: 'lost', reason: 'the camera ended its stream', inputProblem: true };
  } finally {
    clearInterval(watchdog);
    run.signal.removeEventListener('abort', onJobAbort);
    await ladder.endRun().catch((err: unknown) => logger.warn({ err }, 'finishing the run’s segments failed'));
    await sockets.close();
  }
}
