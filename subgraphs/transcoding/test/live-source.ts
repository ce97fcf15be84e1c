import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A live camera stand-in we control: an HTTP endpoint serving MPEG-TS from ffmpeg's testsrc2 + sine at real time
 * (-re), one ffmpeg per client. `cut()` drops every connection and refuses new ones; `restore()` serves again on the same port.
 */
export interface LiveSource {
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLiveSource(size = '320x180'): Promise<LiveSource> {
  const encoders = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  let server: Server;
  const make = () => {
    const s = createServer((req, res) => {
      const ff = spawn('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-re',
        '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`,
        '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-f', 'mpegts', 'pipe:1',
      ], { stdio: ['ignore', 'pipe', 'ignore'] });
      encoders.add(ff);
      ff.on('exit', () => encoders.delete(ff));
      res.writeHead(200, { 'content-type': 'video/mp2t' });
      ff.stdout!.pipe(res);
      req.on('close', () => ff.kill('SIGKILL'));
    });
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return s;
  };
  server = make();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    for (const ff of encoders) ff.kill('SIGKILL');
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}/camera.ts`,
    cut,
    async restore() {
      server = make();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    stop: async () => {
      if (server.listening) await cut();
    },
  };
}
