import { spawn, type ChildProcess } from 'node:child_process';

export interface CameraPublisher {
  /** The publishing ffmpeg, while it runs. */
  readonly pid: number | undefined;
  /** The RTMP URL the camera publishes to (and the transcoder pulls from). */
  readonly url: string;
  readonly running: boolean;
  /** Drops the camera off the network: its stream ends, no restart until `restore()`. */
  cut(): Promise<void>;
  restore(): void;
  stop(): Promise<void>;
}

/**
 * A camera: ffmpeg sends a clip in a loop at real time (-re, -c copy) to an RTMP server, and is restarted if it
 * exits, the way a camera reconnects to its relay.
 */
export function publishCamera(
  ffmpeg: string,
  clip: string,
  url: string,
  onExit?: (code: number | null) => void,
): CameraPublisher {
  let child: ChildProcess | null = null;
  let wanted = true;
  let restartTimer: NodeJS.Timeout | null = null;
  const launch = () => {
    if (!wanted) return;
    const proc = spawn(
      ffmpeg,
      ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-c', 'copy', '-f', 'flv', url],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    child = proc;
    proc.once('exit', (code) => {
      if (child === proc) child = null;
      onExit?.(code);
      if (wanted) restartTimer = setTimeout(launch, 500);
    });
  };
  const kill = async () => {
    if (restartTimer) clearTimeout(restartTimer);
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  launch();
  return {
    url,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== null;
    },
    async cut() {
      wanted = false;
      await kill();
    },
    restore() {
      if (wanted) return;
      wanted = true;
      launch();
    },
    async stop() {
      wanted = false;
      await kill();
    },
  };
}
