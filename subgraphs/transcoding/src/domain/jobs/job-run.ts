import type { Logger } from 'pino';
import type { EventBus, ObjectStore, LiveTranscodeStatus } from '@vegshare/kit';
import type { WorkerConfig } from '../../env.ts';
import type { FfmpegBinaries } from '../media/ffmpeg-binary.ts';
import type { FfmpegProgress } from '../media/progress.ts';
import type { FfmpegOutcome, RunFfmpegOptions } from '../media/run-ffmpeg.ts';
import type { TranscodingDb } from '../../db.ts';
import type { Prisma, TranscodeJob as TranscodeJobRow } from '../../generated/prisma/client.ts';

/** Why a running job was told to stop. */
export type StopReason = { readonly kind: 'cancel' } | { readonly kind: 'stop' } | { readonly kind: 'shutdown' };

/** What a kind-specific runner gets: the job, its tools, and ways to report. */
export interface JobRun {
  readonly job: TranscodeJobRow;
  readonly config: WorkerConfig;
  readonly binaries: FfmpegBinaries;
  readonly store: ObjectStore;
  readonly db: TranscodingDb;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** A private directory for this attempt, removed afterwards. */
  readonly workDir: string;
  /** Aborted on cancel, live stop or shutdown; `signal.reason` is a StopReason. */
  readonly signal: AbortSignal;
  /** ffmpeg progress; throttled before it reaches Postgres and subscribers. */
  progress(progress: FfmpegProgress): void;
  /**
   * Runs ffmpeg for the job: its binaries, kill grace, progress, CPU accounting and (batch jobs) niceness filled in;
   * `signal` defaults to the job's.
   */
  ffmpeg(
    options: Omit<RunFfmpegOptions, 'binaries' | 'killGraceMs' | 'onSpawn' | 'signal' | 'onProgress'> & {
      readonly signal?: AbortSignal;
      readonly killGraceMs?: number;
    },
  ): Promise<FfmpegOutcome>;
  /** Records outputs (keys, counts) on the job; `announce` publishes what they mean, in the same transaction. */
  update(data: Prisma.TranscodeJobUpdateManyMutationInput, announce?: (bus: EventBus) => Promise<void>): Promise<void>;
  /** Live jobs: the stream's state for streaming (and the job status: RECONNECTING or RUNNING). */
  live(report: LiveReport): Promise<void>;
  /** Live jobs: a rendition's playlist moved on (LL-HLS blocking reloads); fire and forget. */
  hlsProgress(progress: { rendition: string; msn: number; part: number; partId: number }): void;
}

export interface LiveReport {
  readonly status: LiveTranscodeStatus['status'];
  readonly renditions: readonly string[];
  readonly error?: string | null;
  readonly cameraOnline?: boolean | null;
}

export type Runner = (run: JobRun) => Promise<void>;

/** Waits `ms`, or less when `signal` aborts. */
export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** `s3://<key>` sources name an object in the media bucket. */
export function s3KeyOf(source: string): string | null {
  return source.startsWith('s3://') ? source.slice(5) : null;
}

/** Camera URLs may carry credentials (rtsp://user:pass@host): never let them reach errors, logs or events. */
export const redactCredentials = (text: string): string =>
  text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
