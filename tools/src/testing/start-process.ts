// `npm start` as a user runs it, for tests: its own process group (stopped like Ctrl-C stops it), its output kept.
import { spawn, type ChildProcess } from 'node:child_process';

export interface StartProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves when stdout shows `text`; rejects when the process exits first or `timeoutMs` passes. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGINT to the whole process group (what Ctrl-C does), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Runs `npm start --ignore-scripts` (the start script without `prestart`'s code generation) in `cwd` with `env`. */
export function runNpmStart(cwd: string, env: Readonly<Record<string, string>>): StartProcess {
  // As a user's shell has it: not vitest's NODE_ENV=test (which would, for one, turn auth's dev mailbox off).
  const { NODE_ENV: _testRunner, ...inherited } = process.env;
  const child = spawn('npm', ['start', '--ignore-scripts'], {
    cwd,
    env: { ...inherited, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(text, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no "${text}" within ${timeoutMs} ms; stderr: ${err.slice(-2000)}`)),
          timeoutMs,
        );
        const check = () => {
          if (out.includes(text)) finish(null);
        };
        const onExit = (code: number | null) =>
          finish(new Error(`npm start exited (${code}) before "${text}"; stderr: ${err.slice(-2000)}`));
        function finish(error: Error | null) {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        }
        child.stdout?.on('data', check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      signalGroup('SIGINT');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
