import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Signed playback grants: HMAC-SHA256 over (stream id, viewer id, expiry), carried as query parameters
 * `v` (viewer), `e` (expiry, unix seconds) and `s` (signature, base64url). One grant covers the stream's master
 * playlist and every playlist and segment below `/hls/<streamId>/`, so the HLS route can rewrite playlist URIs
 * to carry it. A grant for one stream or viewer does not verify for another.
 */
export interface PlaybackGrantParams {
  readonly streamId: string;
  readonly viewerId: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

const VIEWER = /^[A-Za-z0-9:_-]{1,80}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export type GrantCheck =
  | { readonly ok: true; readonly grant: PlaybackGrantParams }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' };

export class PlaybackSigner {
  readonly #key: Buffer;

  constructor(secret: string, private readonly ttlSeconds: number) {
    if (ttlSeconds <= 0 || ttlSeconds > 300) throw new RangeError('playback URLs live at most 5 minutes');
    this.#key = Buffer.from(secret, 'utf8');
  }

  #mac(streamId: string, viewerId: string, expiresAt: number): Buffer {
    return createHmac('sha256', this.#key).update(`vegshare-hls-v1\n${streamId}\n${viewerId}\n${expiresAt}`).digest();
  }

  /** A viewer id for someone watching a public camera without signing in. */
  static anonymousViewer(): string {
    return `anon:${randomUUID()}`;
  }

  /** Query string (without `?`) granting `viewerId` access to `streamId` until now + TTL. */
  sign(streamId: string, viewerId: string, now = Date.now()): { query: string; expiresAt: Date } {
    if (!VIEWER.test(viewerId)) throw new Error('viewer id not signable');
    const expiresAt = Math.floor(now / 1000) + Math.floor(this.ttlSeconds);
    const signature = this.#mac(streamId, viewerId, expiresAt).toString('base64url');
    const query = new URLSearchParams({ v: viewerId, e: String(expiresAt), s: signature }).toString();
    return { query, expiresAt: new Date(expiresAt * 1000) };
  }

  /** Checks a grant from a request's query string for `streamId`; constant-time on the signature. */
  verify(streamId: string, search: URLSearchParams, now = Date.now()): GrantCheck {
    const viewerId = search.get('v');
    const expiry = search.get('e');
    const signature = search.get('s');
    if (viewerId === null || expiry === null || signature === null) return { ok: false, reason: 'missing' };
    if (!VIEWER.test(viewerId) || !/^\d{1,12}$/.test(expiry) || !SIGNATURE.test(signature)) return { ok: false, reason: 'malformed' };
    const expiresAt = Number(expiry);
    const expected = this.#mac(streamId, viewerId, expiresAt);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    if (expiresAt * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { streamId, viewerId, expiresAt } };
  }
}
