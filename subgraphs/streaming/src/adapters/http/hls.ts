import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger, MediaSigner, ObjectStore } from '@vegshare/kit';
import type { StreamingDb } from '../../db.ts';
import { CONTENT_TYPES, objectKeyFor, parseHlsPath } from '../../domain/hls-path.ts';
import { signPlaylist } from '../../domain/hls-playlist.ts';
import { reachedMsn, reachedPart, type HlsProgressBoard } from '../../domain/hls-progress.ts';
import { allowCors, isMissing, preflight, readLimited, refuse } from './responses.ts';

export interface HlsHandlerDeps {
  readonly db: StreamingDb;
  readonly store: ObjectStore;
  readonly signer: MediaSigner;
  readonly logger: Logger;
  /** Where each live rendition stands; blocking playlist reloads wait on it. */
  readonly board: HlsProgressBoard;
  /** Longest a blocking playlist reload is held. */
  readonly blockMaxMs: number;
  /** A playlist request is a sign of life of its viewer. */
  readonly noteViewer: (streamId: string, viewerId: string) => Promise<unknown>;
  /** Whether the viewer may still watch the stream now (a playlist then carries a renewed grant). */
  readonly mayWatch: (streamId: string, viewerId: string) => Promise<boolean>;
}

const MAX_PLAYLIST_BYTES = 1024 * 1024;
const MASTER_KEY_CACHE_MS = 500;

/**
 * Stream id → master playlist key, cached briefly: every viewer fetches a playlist or part several times a second,
 * and one database read per stream per half second serves them all. "Not playable" is never cached.
 */
function masterKeyCache(db: StreamingDb): (streamId: string) => Promise<string | null> {
  const cache = new Map<string, { key: Promise<string | null>; at: number }>();
  return (streamId) => {
    const now = Date.now();
    const hit = cache.get(streamId);
    if (hit && now - hit.at < MASTER_KEY_CACHE_MS) return hit.key;
    if (cache.size > 10_000) cache.clear();
    const key = db.stream
      .findUnique({ where: { id: streamId }, select: { masterPlaylistKey: true, status: true } })
      .then((s) => (s && s.status !== 'IDLE' ? s.masterPlaylistKey : null));
    cache.set(streamId, { key, at: now });
    key.then(
      (k) => k ?? cache.delete(streamId),
      () => cache.delete(streamId),
    );
    return key;
  };
}

/** One S3 read of a playlist shared by every request that asks for the same version at the same time. */
function playlistReader(store: ObjectStore): (key: string, version: string) => Promise<string> {
  const inflight = new Map<string, Promise<string>>();
  return (key, version) => {
    const id = `${key}@${version}`;
    const hit = inflight.get(id);
    if (hit) return hit;
    const read = store.client.getObject(store.bucket, key).then((object) => readLimited(object, MAX_PLAYLIST_BYTES));
    inflight.set(id, read);
    void read.finally(() => setTimeout(() => inflight.delete(id), 50)).catch(() => undefined);
    return read;
  };
}

/** `_HLS_msn` / `_HLS_part` of an LL-HLS blocking playlist reload: non-negative integers, or absent. */
function blockingParams(search: URLSearchParams): { msn: number; part: number | null } | 'none' | 'bad' {
  const msn = search.get('_HLS_msn');
  const part = search.get('_HLS_part');
  if (msn === null) return part === null ? 'none' : 'bad';
  const int = (s: string) => (/^\d{1,9}$/.test(s) ? Number(s) : null);
  const m = int(msn);
  const p = part === null ? null : int(part);
  if (m === null || (part !== null && p === null)) return 'bad';
  return { msn: m, part: p };
}

/**
 * GET /hls/<streamId>/<file>?v=…&e=…&s=…: checks the playback grant, then serves the stream's playlists (rewritten
 * so their URIs carry the grant — renewed while the viewer may still watch, so live playback outlasts one grant) and
 * its parts and segments from S3. LL-HLS blocking reloads (`_HLS_msn`, `_HLS_part`) are held until the transcoder
 * reports that the playlist lists what was asked for. Bad paths and bad, foreign or expired grants are 403, missing
 * objects 404, malformed blocking parameters 400.
 */
export function hlsHandler(deps: HlsHandlerDeps) {
  const masterKeyOf = masterKeyCache(deps.db);
  const readPlaylist = playlistReader(deps.store);
  return async (req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> => {
    allowCors(res);
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const target = parseHlsPath(path);
    if (!target) return refuse(res, 403, 'forbidden');
    const query = new URLSearchParams(search);
    const check = deps.signer.verify(target.streamId, query);
    if (!check.ok) return refuse(res, 403, check.reason === 'expired' ? 'playback URL expired' : 'forbidden');
    const masterKey = await masterKeyOf(target.streamId);
    if (!masterKey) return refuse(res, 404, 'stream not playable yet');
    const key = objectKeyFor(masterKey, target.file);
    const contentType = CONTENT_TYPES[target.extension] ?? 'application/octet-stream';

    if (target.extension === 'm3u8') {
      const blocking = blockingParams(query);
      if (blocking === 'bad')
        return refuse(res, 400, '_HLS_msn and _HLS_part must be non-negative integers (and _HLS_part needs _HLS_msn)');
      let version = String(Date.now() >> 9);
      if (blocking !== 'none') {
        const rendition = target.file.endsWith('/index.m3u8') ? target.file.slice(0, -'/index.m3u8'.length) : null;
        if (!rendition || rendition.includes('/'))
          return refuse(res, 400, 'blocking reload applies to media playlists only');
        const now = deps.board.position(target.streamId, rendition);
        if (now && blocking.msn > now.msn + 2)
          return refuse(res, 400, `_HLS_msn ${blocking.msn} is too far ahead of the live edge (${now.msn})`);
        await deps.board.waitUntil(
          target.streamId,
          rendition,
          reachedMsn(blocking.msn, blocking.part),
          deps.blockMaxMs,
        );
        const at = deps.board.position(target.streamId, rendition);
        version = at ? `${at.jobId}:${at.msn}.${at.part}` : version;
      }
      let text: string;
      try {
        text = await readPlaylist(key, version);
      } catch (error) {
        if (isMissing(error)) return refuse(res, 404, 'not found');
        deps.logger.warn({ err: error, key }, 'object store read failed');
        return refuse(res, 502, 'storage unavailable');
      }
      const { viewerId } = check.grant;
      const renewed = await deps.mayWatch(target.streamId, viewerId).catch(() => false);
      const grant = renewed
        ? deps.signer.sign(target.streamId, viewerId).query
        : new URLSearchParams({ v: viewerId, e: String(check.grant.expiresAt), s: query.get('s') ?? '' }).toString();
      const playlist = signPlaylist(text, grant);
      deps
        .noteViewer(target.streamId, viewerId)
        .catch((err: unknown) => deps.logger.warn({ err }, 'viewer presence failed'));
      res.writeHead(200, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(playlist),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : playlist);
      return;
    }

    let object: Readable;
    try {
      object = await deps.store.client.getObject(deps.store.bucket, key).catch(async (error: unknown) => {
        // A preload-hinted part (EXT-X-PRELOAD-HINT) is asked for before it exists: hold the request until it does.
        const hinted = isMissing(error) ? /^([A-Za-z0-9_-]+)\/part(\d{1,15})\.m4s$/.exec(target.file) : null;
        if (!hinted) throw error;
        const reached = await deps.board.waitUntil(
          target.streamId,
          hinted[1]!,
          reachedPart(Number(hinted[2])),
          deps.blockMaxMs,
        );
        if (!reached) throw error;
        return deps.store.client.getObject(deps.store.bucket, key);
      });
    } catch (error) {
      if (isMissing(error)) return refuse(res, 404, 'not found');
      deps.logger.warn({ err: error, key }, 'object store read failed');
      return refuse(res, 502, 'storage unavailable');
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
