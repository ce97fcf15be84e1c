import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Signed media grants: HMAC-SHA256 over (scope, viewer id, expiry), carried as query parameters `v` (viewer), `e`
 * (expiry, unix seconds) and `s` (signature, base64url). A scope is a live stream's id (everything below
 * `/hls/<streamId>/`) or an S3 key prefix of finished media (`/media/<prefix>…`, see media-paths.ts), so the routes
 * can rewrite playlist URIs to carry the same grant. A grant for one scope or viewer does not verify for another.
 * Every service that issues media URLs shares the key (PLAYBACK_SIGNING_SECRET).
 */
interface PlaybackGrantParams {
  /** The stream id or key prefix the grant covers. */
  readonly scope: string;
  readonly viewerId: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

const VIEWER = /^[A-Za-z0-9:_-]{1,80}$/;
/** No grant lives longer than this, however long the media it opens. */
export const MAX_GRANT_SECONDS = 6 * 3600;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

export type GrantCheck =
  | { readonly ok: true; readonly grant: PlaybackGrantParams }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' };

export class MediaSigner {
  readonly #key: Buffer;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    if (ttlSeconds <= 0 || ttlSeconds > 300) throw new RangeError('playback URLs live at most 5 minutes');
    this.#key = Buffer.from(secret, 'utf8');
  }

  #mac(scope: string, viewerId: string, expiresAt: number): Buffer {
    return createHmac('sha256', this.#key).update(`vegshare-hls-v1\n${scope}\n${viewerId}\n${expiresAt}`).digest();
  }

  /** A viewer id for someone watching a public camera without signing in. */
  static anonymousViewer(): string {
    return `anon:${randomUUID()}`;
  }

  /**
   * Query string (without `?`) granting `viewerId` access to `scope` until now + TTL. `ttlSeconds` may lengthen one
   * grant (up to MAX_GRANT_SECONDS) so the segments of a long recording stay fetchable while it plays.
   */
  sign(
    scope: string,
    viewerId: string,
    now = Date.now(),
    ttlSeconds = this.ttlSeconds,
  ): { query: string; expiresAt: Date } {
    if (!VIEWER.test(viewerId)) throw new Error('viewer id not signable');
    const expiresAt = Math.floor(now / 1000) + Math.floor(Math.min(Math.max(1, ttlSeconds), MAX_GRANT_SECONDS));
    const signature = this.#mac(scope, viewerId, expiresAt).toString('base64url');
    const query = new URLSearchParams({ v: viewerId, e: String(expiresAt), s: signature }).toString();
    return { query, expiresAt: new Date(expiresAt * 1000) };
  }

  /** Checks a grant from a request's query string for `scope`; constant-time on the signature. */
  verify(scope: string, search: URLSearchParams, now = Date.now()): GrantCheck {
    const viewerId = search.get('v');
    const expiry = search.get('e');
    const signature = search.get('s');
    if (viewerId === null || expiry === null || signature === null) return { ok: false, reason: 'missing' };
    if (!VIEWER.test(viewerId) || !/^\d{1,12}$/.test(expiry) || !SIGNATURE.test(signature))
      return { ok: false, reason: 'malformed' };
    const expiresAt = Number(expiry);
    const expected = this.#mac(scope, viewerId, expiresAt);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'bad-signature' };
    if (expiresAt * 1000 <= now) return { ok: false, reason: 'expired' };
    return { ok: true, grant: { scope, viewerId, expiresAt } };
  }
}
