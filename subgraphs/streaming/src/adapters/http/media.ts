import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import {
  MAX_GRANT_SECONDS,
  MEDIA_CONTENT_TYPES,
  parseMediaPath,
  type Logger,
  type MediaSigner,
  type ObjectStore,
} from '@vegshare/kit';
import { playlistSeconds, signPlaylist } from '../../domain/hls-playlist.ts';
import { allowCors, isMissing, preflight, readLimited, refuse } from './responses.ts';

export interface MediaHandlerDeps {
  readonly store: ObjectStore;
  readonly signer: MediaSigner;
  readonly logger: Logger;
}

/** A recording's playlist lists hours of segments at most. */
const MAX_PLAYLIST_BYTES = 8 * 1024 * 1024;

/** A single `bytes=a-b` range within `size`, or null for none/unsatisfiable (then the whole object or 416). */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= size) return 'invalid';
  return { start, end };
}

/**
 * GET /media/<key>?v=…&e=…&s=…: finished media — recordings, VOD outputs, timelapses — for whoever holds a grant for
 * the key's scope (issued after checking who may watch). Playlists are rewritten so every URI carries a grant long
 * enough to play them through; files answer byte ranges (MP4 seeking). Keys outside the known shapes are 403.
 */
export function mediaHandler(deps: MediaHandlerDeps) {
  return async (req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> => {
    allowCors(res);
    if (req.method === 'OPTIONS') return preflight(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const target = parseMediaPath(path);
    if (!target) return refuse(res, 403, 'forbidden');
    const query = new URLSearchParams(search);
    const check = deps.signer.verify(target.scope, query);
    if (!check.ok) return refuse(res, 403, check.reason === 'expired' ? 'media URL expired' : 'forbidden');
    const contentType = MEDIA_CONTENT_TYPES[target.extension] ?? 'application/octet-stream';
    try {
      if (target.extension === 'm3u8') {
        const text = await readLimited(
          await deps.store.client.getObject(deps.store.bucket, target.key),
          MAX_PLAYLIST_BYTES,
        );
        // The grant is renewed to cover the whole playlist's playing time (rights were checked when the URL was issued).
        const seconds = Math.min(MAX_GRANT_SECONDS, Math.ceil(playlistSeconds(text)) + 600);
        const grant = deps.signer.sign(
          target.scope,
          check.grant.viewerId,
          Date.now(),
          Math.max(seconds, check.grant.expiresAt - Math.floor(Date.now() / 1000)),
        ).query;
        const body = signPlaylist(text, grant);
        res.writeHead(200, {
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
          'cache-control': 'private, no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      const { size } = await deps.store.client.statObject(deps.store.bucket, target.key);
      const range = byteRange(req.headers.range, size);
      if (range === 'invalid') {
        res.writeHead(416, { 'content-range': `bytes */${size}` });
        res.end();
        return;
      }
      const headers: Record<string, string | number> = {
        'content-type': contentType,
        'accept-ranges': 'bytes',
        'cache-control': 'private, max-age=3600',
      };
      if (req.method === 'HEAD') {
        res.writeHead(200, { ...headers, 'content-length': size });
        res.end();
        return;
      }
      let object: Readable;
      if (range) {
        object = await deps.store.client.getPartialObject(
          deps.store.bucket,
          target.key,
          range.start,
          range.end - range.start + 1,
        );
        res.writeHead(206, {
          ...headers,
          'content-length': range.end - range.start + 1,
          'content-range': `bytes ${range.start}-${range.end}/${size}`,
        });
      } else {
        object = await deps.store.client.getObject(deps.store.bucket, target.key);
        res.writeHead(200, { ...headers, 'content-length': size });
      }
      object.on('error', (err) => {
        deps.logger.warn({ err, key: target.key }, 'media stream failed');
        res.destroy();
      });
      object.pipe(res);
    } catch (error) {
      if (isMissing(error)) return refuse(res, 404, 'not found');
      deps.logger.warn({ err: error, key: target.key }, 'object store read failed');
      return refuse(res, 502, 'storage unavailable');
    }
  };
}
