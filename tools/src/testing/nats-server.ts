// A NATS server with JetStream of a test's own (the machine's shared one on 4222 must not be restarted under others).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER_BINARY = process.env['NATS_SERVER_BIN'] ?? '/usr/sbin/nats-server';

export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  /** Starts the server again on the same port and store (after `kill`). */
  start(): Promise<void>;
  /** kill -9: no clean shutdown, as a crashed node. */
  kill(): Promise<void>;
  /** Stops it and deletes its store. */
  close(): Promise<void>;
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** `nats-server -js -p <port> -sd <tmpdir>` on a free port, storage kept across `kill`/`start`. */
export async function startTestNatsServer(port: number): Promise<TestNatsServer> {
  const storeDir = mkdtempSync(join(tmpdir(), 'vegshare-nats-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(NATS_SERVER_BINARY, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: 'ignore',
    });
    const until = Date.now() + 10_000;
    while (!(await reachable(port))) {
      if (Date.now() > until) throw new Error(`nats-server did not listen on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    kill,
    async close() {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
