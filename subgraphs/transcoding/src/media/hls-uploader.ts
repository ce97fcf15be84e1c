import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ObjectStore } from '@vegshare/kit';
import { parseMediaPlaylist } from './m3u8.ts';

export const contentTypeOf = (name: string): string =>
  name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl'
  : name.endsWith('.m4s') ? 'video/iso.segment'
  : name.endsWith('.mp4') ? 'video/mp4'
  : name.endsWith('.mpd') ? 'application/dash+xml'
  : name.endsWith('.jpg') ? 'image/jpeg'
  : 'application/octet-stream';

export interface HlsUploaderOptions {
  readonly store: ObjectStore;
  /** Local directory ffmpeg writes into. */
  readonly dir: string;
  /** S3 key prefix, ending in '/'. */
  readonly prefix: string;
  /** Rendition directories (e.g. 720p, 480p, 360p, audio). */
  readonly renditions: readonly string[];
  /** Live: segments that left the playlist are deleted from S3 after this long. */
  readonly expireAfterMs?: number;
  readonly thumbnails: boolean;
  /** Live: keep only this many newest thumbnails (locally and in S3). */
  readonly keepThumbnails?: number;
}

export interface SyncState {
  /** Every rendition has a segment in S3 and the master playlist is there: a player can start. */
  readonly playable: boolean;
  readonly segmentsUploaded: number;
  readonly thumbnails: number;
}

interface Known {
  readonly key: string;
  droppedAt: number | null;
}

/**
 * Mirrors an ffmpeg HLS output directory to S3 as it is written. A segment is complete once a playlist lists it,
 * so each pass uploads the listed segments first, then the playlist text it read; the master playlist goes only
 * after every media playlist. Live segments that left the window are removed one window later.
 */
export class HlsUploader {
  readonly #signatures = new Map<string, string>();
  readonly #playlists = new Map<string, string>();
  readonly #published = new Map<string, string>();
  readonly #segments = new Map<string, Map<string, Known>>();
  #master: string | null = null;
  #segmentsUploaded = 0;
  #thumbnails = 0;
  #loop: { stop: boolean; done: Promise<void> } | null = null;
  #lastError: unknown = null;

  constructor(private readonly options: HlsUploaderOptions) {}

  get lastError(): unknown {
    return this.#lastError;
  }

  async #put(relative: string, body?: string): Promise<void> {
    const { client, bucket } = this.options.store;
    const key = this.options.prefix + relative;
    const meta = { 'Content-Type': contentTypeOf(relative), 'Cache-Control': relative.endsWith('.m3u8') || relative.endsWith('.mpd') ? 'max-age=1' : 'max-age=31536000' };
    if (body !== undefined) await client.putObject(bucket, key, Buffer.from(body), undefined, meta);
    else await client.fPutObject(bucket, key, join(this.options.dir, relative), meta);
  }

  async #signature(relative: string): Promise<string | null> {
    try {
      const s = await stat(join(this.options.dir, relative));
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return null;
    }
  }

  async #syncRendition(rendition: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(join(this.options.dir, rendition, 'index.m3u8'), 'utf8');
    } catch {
      return;
    }
    const known = this.#segments.get(rendition) ?? new Map<string, Known>();
    this.#segments.set(rendition, known);
    if (text !== this.#playlists.get(rendition)) {
      const playlist = parseMediaPlaylist(text);
      // A finished EVENT playlist is a VOD playlist.
      const published = playlist.endList ? text.replace('#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-PLAYLIST-TYPE:VOD') : text;
      if (playlist.mapUri) {
        const rel = posix.join(rendition, playlist.mapUri);
        const sig = await this.#signature(rel);
        if (sig && sig !== this.#signatures.get(rel)) {
          await this.#put(rel);
          this.#signatures.set(rel, sig);
        }
      }
      for (const segment of playlist.segments) {
        if (known.has(segment.uri)) continue;
        const rel = posix.join(rendition, segment.uri);
        await this.#put(rel);
        known.set(segment.uri, { key: this.options.prefix + rel, droppedAt: null });
        this.#segmentsUploaded += 1;
      }
      await this.#put(posix.join(rendition, 'index.m3u8'), published);
      this.#playlists.set(rendition, text);
      this.#published.set(rendition, published);
      const listed = new Set(playlist.segments.map((s) => s.uri));
      for (const [uri, k] of known) if (!listed.has(uri) && k.droppedAt === null) k.droppedAt = Date.now();
    }
    if (this.options.expireAfterMs !== undefined) {
      const expired = [...known].filter(([, k]) => k.droppedAt !== null && Date.now() - k.droppedAt >= (this.options.expireAfterMs ?? 0));
      if (expired.length) {
        await this.options.store.client.removeObjects(this.options.store.bucket, expired.map(([, k]) => k.key));
        for (const [uri] of expired) known.delete(uri);
      }
    }
  }

  async #syncThumbnails(final: boolean): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(join(this.options.dir, 'thumbnails'))).filter((n) => n.endsWith('.jpg')).sort();
    } catch {
      return;
    }
    // The newest file may still be being written until a later one appears or ffmpeg has finished.
    const ready = final ? names : names.slice(0, -1);
    for (const name of ready) {
      const rel = posix.join('thumbnails', name);
      if (this.#signatures.has(rel)) continue;
      await this.#put(rel);
      this.#signatures.set(rel, 'done');
      this.#thumbnails += 1;
    }
    const keep = this.options.keepThumbnails;
    if (keep !== undefined && ready.length > keep) {
      const old = ready.slice(0, ready.length - keep).map((name) => posix.join('thumbnails', name));
      await this.options.store.client.removeObjects(this.options.store.bucket, old.map((rel) => this.options.prefix + rel));
      for (const rel of old) {
        await rm(join(this.options.dir, rel), { force: true });
        this.#signatures.delete(rel);
      }
    }
  }

  /** One pass over the directory; `final` after ffmpeg has exited. */
  async sync(final = false): Promise<SyncState> {
    for (const rendition of this.options.renditions) await this.#syncRendition(rendition);
    const allListed = this.options.renditions.every((r) => (this.#segments.get(r)?.size ?? 0) > 0);
    if (allListed) {
      try {
        const master = await readFile(join(this.options.dir, 'master.m3u8'), 'utf8');
        if (master !== this.#master) {
          await this.#put('master.m3u8', master);
          this.#master = master;
        }
      } catch {
        // not written yet
      }
    }
    if (this.options.thumbnails) await this.#syncThumbnails(final);
    return { playable: allListed && this.#master !== null, segmentsUploaded: this.#segmentsUploaded, thumbnails: this.#thumbnails };
  }

  /** Syncs every `intervalMs` until `stop()`; `onSync` sees each pass's state. */
  start(intervalMs: number, onSync: (state: SyncState) => void): void {
    const loop = { stop: false, done: Promise.resolve() };
    loop.done = (async () => {
      while (!loop.stop) {
        try {
          onSync(await this.sync());
          this.#lastError = null;
        } catch (error) {
          this.#lastError = error;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
    this.#loop = loop;
  }

  /** Stops the loop after its current pass. */
  async stop(): Promise<void> {
    if (!this.#loop) return;
    this.#loop.stop = true;
    await this.#loop.done;
    this.#loop = null;
  }

  /** Stops the loop and runs a last pass. */
  async finish(final: boolean): Promise<SyncState> {
    await this.stop();
    return this.sync(final);
  }

  /** Media playlists as last uploaded, by rendition. */
  playlists(): ReadonlyMap<string, string> {
    return this.#published;
  }
}
