import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Unix sockets ffmpeg writes its fMP4 outputs into (`unix://…` outputs), one per rendition, in a private
 * (mode 0700) directory so no other user's process can connect in ffmpeg's place. Each socket takes one
 * connection; its bytes go to the rendition's handler as they arrive.
 */
export class FragmentSockets {
  readonly #servers = new Map<string, Server>();
  readonly #sockets = new Set<Socket>();
  readonly #urls = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  /** `onData(name, chunk)` sees every chunk; `onError(name, error)` a broken connection. */
  static async open(
    names: readonly string[],
    onData: (name: string, chunk: Buffer) => void,
    onError: (name: string, error: Error) => void,
  ): Promise<FragmentSockets> {
    // Socket paths are limited to ~100 bytes: a short private directory under the temp dir.
    const sockets = new FragmentSockets(await mkdtemp(join(tmpdir(), 'vs-frag-')));
    try {
      for (const [i, name] of names.entries()) {
        const path = join(sockets.dir, `${i}.sock`);
        const server = createServer((socket) => {
          if (server.listening) server.close(); // one writer per rendition
          sockets.#sockets.add(socket);
          socket.on('data', (chunk: Buffer) => {
            try {
              onData(name, chunk);
            } catch (error) {
              socket.destroy();
              onError(name, error instanceof Error ? error : new Error(String(error)));
            }
          });
          socket.on('error', (error) => onError(name, error));
          socket.on('close', () => sockets.#sockets.delete(socket));
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(path, () => resolve());
        });
        sockets.#servers.set(name, server);
        sockets.#urls.set(name, `unix://${path}`);
      }
    } catch (error) {
      await sockets.close();
      throw error;
    }
    return sockets;
  }

  url(name: string): string {
    const url = this.#urls.get(name);
    if (!url) throw new Error(`no socket for ${name}`);
    return url;
  }

  get urls(): ReadonlyMap<string, string> {
    return this.#urls;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(
      [...this.#servers.values()].map(
        (s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}
