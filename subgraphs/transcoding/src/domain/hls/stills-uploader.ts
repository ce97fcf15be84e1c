import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectStore } from '@vegshare/kit';
import { objectMeta } from './media-types.ts';

/** Where a still goes in S3: from its file name and the time ffmpeg finished writing it. */
export type StillKey = (name: string, writtenAt: Date) => string;

/**
 * Moves the JPEG stills ffmpeg writes into a local folder to S3 (VOD thumbnails). The newest file may still be being written, so it waits for the next one (or for the final flush
 * once ffmpeg has stopped). Each file is removed locally once uploaded.
 */
export class StillsUploader {
  #timer: NodeJS.Timeout | null = null;
  #busy: Promise<void> = Promise.resolve();
  #uploaded = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly dir: string,
    /** A key prefix (the file keeps its name) or a function of name and time. */
    private readonly keyOf: string | StillKey,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  get uploaded(): number {
    return this.#uploaded;
  }

  start(everyMs: number): void {
    this.#timer = setInterval(() => void this.flush(false), everyMs);
    this.#timer.unref();
  }

  flush(final: boolean): Promise<void> {
    this.#busy = this.#busy.then(() => this.#pass(final)).catch(this.onError);
    return this.#busy;
  }

  async #pass(final: boolean): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.jpg')).sort();
    } catch {
      return;
    }
    for (const name of final ? names : names.slice(0, -1)) {
      const file = join(this.dir, name);
      const { mtime, size } = await stat(file);
      const key = typeof this.keyOf === 'string' ? `${this.keyOf}${name}` : this.keyOf(name, mtime);
      if (size > 0) await this.store.client.fPutObject(this.store.bucket, key, file, objectMeta(name));
      await rm(file, { force: true });
      this.#uploaded += 1;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush(true);
  }
}
