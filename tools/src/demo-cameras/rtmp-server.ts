import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../ports.ts';

export interface RtmpServer {
  /** rtmp://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The server's process (benchmarks leave it out of what they measure). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * A real RTMP server (node-media-server) on loopback, in a child process: cameras publish to it, the transcoder pulls
 * from it, like a farm's camera behind an RTMP relay. Its GOP cache lets a new puller start at the last keyframe.
 */
export async function startRtmpServer(options: { port?: number } = {}): Promise<RtmpServer> {
  const port = options.port ?? (await freePort());
  const data = await mkdtemp(join(tmpdir(), 'vegshare-rtmp-'));
  const script = fileURLToPath(new URL('./rtmp-server-process.cjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, String(port), data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`RTMP server did not start on port ${port}: ${output.slice(-500)}`)),
      15_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`RTMP server exited (${code}) on port ${port}: ${output.slice(-500)}`));
    });
  });
  // Past start-up its chatter is not ours to keep.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `rtmp://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(data, { recursive: true, force: true });
    },
  };
}
