import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger, ObjectStore } from '@vegshare/kit';
import type { StreamingDb } from '../db.ts';
import { CONTENT_TYPES, objectKeyFor, parseHlsPath } from '../hls-path.ts';
import { signPlaylist } from '../hls-playlist.ts';
import type { PlaybackSigner } from '../playback-signing.ts';

export interface HlsHandlerDeps {
  readonly db: StreamingDb;
  readonly store: ObjectStore;
  readonly signer: PlaybackSigner;
  readonly logger: Logger;
  /** A playlist request is a sign of life of its viewer. */
  readonly noteViewer: (streamId: string, viewerId: string) => Promise<unknown>;
}

const MAX_PLAYLIST_BYTES = 1024 * 1024;

function refuse(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

async function readLimited(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new Error('playlist too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const MASTER_KEY_CACHE_MS = 1000;

/**
 * Stream id → master playlist key, cached for a second: every viewer fetches a segment or playlist every few seconds,
 * and one database read per stream per second serves them all.
 */
function masterKeyCache(db: StreamingDb): (streamId: string) => Promise<string | null> {
  const cache = new Map<string, { key: Promise<string | null>; at: number }>();
  return (streamId) => {
    const now = Date.now();
    const hit = cache.get(streamId);
    if (hit && now - hit.at < MASTER_KEY_CACHE_MS) return hit.key;
    if (cache.size > 10_000) cache.clear();
    const key = db.stream.findUnique({ where: { id: streamId }, select: { masterPlaylistKey: true } }).then((s) => s?.masterPlaylistKey ?? null);
    cache.set(streamId, { key, at: now });
    key.catch(() => cache.delete(streamId));
    return key;
  };
}

const isMissing = (error: unknown): boolean => ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes((error as { code?: string }).code ?? '');

/**
 * GET /hls/<streamId>/<file>?v=…&e=…&s=…: checks the playback grant, then serves the stream's playlists (rewritten
 * so their URIs carry the same grant) and segments from S3. Bad paths and bad, foreign or expired grants are 403,
 * missing objects 404; nothing here answers 500 for a client's input.
 */
export function hlsHandler(deps: HlsHandlerDeps) {
  const masterKeyOf = masterKeyCache(deps.db);
  return async (req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> => {
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD', 'access-control-max-age': '600' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const target = parseHlsPath(path);
    if (!target) return refuse(res, 403, 'forbidden');
    const check = deps.signer.verify(target.streamId, new URLSearchParams(search));
    if (!check.ok) return refuse(res, 403, check.reason === 'expired' ? 'playback URL expired' : 'forbidden');
    const masterKey = await masterKeyOf(target.streamId);
    if (!masterKey) return refuse(res, 404, 'stream not playable yet');
    const key = objectKeyFor(masterKey, target.file);
    let object: Readable;
    try {
      object = await deps.store.client.getObject(deps.store.bucket, key);
    } catch (error) {
      if (isMissing(error)) return refuse(res, 404, 'not found');
      deps.logger.warn({ err: error, key }, 'object store read failed');
      return refuse(res, 502, 'storage unavailable');
    }
    const contentType = CONTENT_TYPES[target.extension] ?? 'application/octet-stream';
    if (target.extension === 'm3u8') {
      const { v, e, s } = { v: check.grant.viewerId, e: String(check.grant.expiresAt), s: new URLSearchParams(search).get('s') ?? '' };
      const playlist = signPlaylist(await readLimited(object, MAX_PLAYLIST_BYTES), new URLSearchParams({ v, e, s }).toString());
      deps.noteViewer(target.streamId, check.grant.viewerId).catch((err: unknown) => deps.logger.warn({ err }, 'viewer presence failed'));
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(playlist), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : playlist);
      return;
    }
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'private, max-age=60' });
    if (req.method === 'HEAD') {
      object.destroy();
      res.end();
      return;
    }
    object.on('error', (err) => {
      deps.logger.warn({ err, key }, 'segment stream failed');
      res.destroy();
    });
    object.pipe(res);
  };
}
