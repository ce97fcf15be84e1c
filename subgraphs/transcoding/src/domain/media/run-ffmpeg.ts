import type { ChildProcess } from 'node:child_process';
import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegBinaries } from './ffmpeg-binary.ts';
import type { FfmpegPlan } from './commands.ts';
import { parseProgressLine, type FfmpegProgress } from './progress.ts';

export interface RunFfmpegOptions {
  readonly binaries: FfmpegBinaries;
  readonly input: string;
  readonly plan: FfmpegPlan;
  /** Working directory: relative output paths land here. */
  readonly cwd: string;
  /** Aborting stops ffmpeg: SIGTERM (it closes its outputs), then SIGKILL after `killGraceMs`. */
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  readonly onProgress?: (progress: FfmpegProgress) => void;
  readonly onStart?: (commandLine: string) => void;
  /** The ffmpeg process's pid, once spawned (CPU accounting, niceness). */
  readonly onSpawn?: (pid: number) => void;
}

export type FfmpegOutcome =
  | { readonly kind: 'finished' }
  | { readonly kind: 'stopped'; readonly reason: unknown }
  | { readonly kind: 'failed'; readonly message: string };

/** The lines of ffmpeg's stderr that say what went wrong (or its last lines). */
const lastLines = (stderr: string, n = 3): string => {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l && !parseProgressLine(l));
  const telling = lines.filter(
    (l) =>
      /error|invalid|could not|cannot|no such|not found|refused|failed|unable/i.test(l) &&
      !/^Conversion failed/.test(l),
  );
  return (telling.length ? telling : lines).slice(-n).join(' | ');
};

/** "-option value" strings to argv; the value may contain spaces (fluent-ffmpeg itself splits only two-word strings). */
export const toArgs = (options: readonly string[]): string[] =>
  options.flatMap((o) => {
    const i = o.indexOf(' ');
    return i < 0 ? [o] : [o.slice(0, i), o.slice(i + 1)];
  });

/** Runs one ffmpeg command through fluent-ffmpeg; resolves with how it ended, never rejects for ffmpeg's own failures. */
export function runFfmpeg(options: RunFfmpegOptions): Promise<FfmpegOutcome> {
  return new Promise((resolve) => {
    const command = ffmpeg({ cwd: options.cwd, stdoutLines: 0 } as ffmpeg.FfmpegCommandOptions);
    command.setFfmpegPath(options.binaries.ffmpeg);
    command.input(options.input);
    const inputArgs = toArgs(options.plan.inputOptions);
    if (inputArgs.length === 1) command.inputOptions(inputArgs);
    else if (inputArgs.length > 1) command.inputOptions(inputArgs[0]!, ...inputArgs.slice(1));
    command.addOption('-nostdin');
    if (options.plan.complexFilter) command.complexFilter(options.plan.complexFilter);
    for (const output of options.plan.outputs) {
      command.output(output.path);
      const args = toArgs(output.options);
      if (args.length === 1) command.outputOptions(args);
      else if (args.length > 1) command.outputOptions(args[0]!, ...args.slice(1));
    }
    let killTimer: NodeJS.Timeout | null = null;
    const stop = () => {
      command.kill('SIGTERM');
      killTimer = setTimeout(() => command.kill('SIGKILL'), options.killGraceMs);
      killTimer.unref();
    };
    const settle = (outcome: FfmpegOutcome) => {
      if (killTimer) clearTimeout(killTimer);
      options.signal.removeEventListener('abort', stop);
      resolve(outcome);
    };
    command.on('start', (line: string) => {
      options.onStart?.(line);
      // fluent-ffmpeg keeps the child process here once it has spawned it (not in its typings).
      const pid = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc?.pid;
      if (pid !== undefined) options.onSpawn?.(pid);
      if (options.signal.aborted) stop();
    });
    command.on('stderr', (line: string) => {
      const progress = parseProgressLine(line);
      if (progress) options.onProgress?.(progress);
    });
    command.on('end', () =>
      settle(options.signal.aborted ? { kind: 'stopped', reason: options.signal.reason } : { kind: 'finished' }),
    );
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      if (options.signal.aborted) settle({ kind: 'stopped', reason: options.signal.reason });
      else
        settle({
          kind: 'failed',
          message: `${error.message.split('\n')[0] ?? 'ffmpeg failed'}${stderr ? `: ${lastLines(stderr)}` : ''}`.slice(
            0,
            1000,
          ),
        });
    });
    options.signal.addEventListener('abort', stop, { once: true });
    command.run();
  });
}
