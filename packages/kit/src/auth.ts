import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { GraphQLError } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';

export const ROLES = ['CUSTOMER', 'FARMER', 'ADMIN', 'PARTNER'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking. Built only from a verified token: a bare user-id header is never trusted. */
export interface Viewer {
  readonly userId: string;
  readonly roles: readonly Role[];
  readonly sessionId: string | null;
  /** Scopes of a partner API key, empty for user sessions. */
  readonly scopes: readonly string[];
  /** The partner credential behind the token (`akid`): an API key's or an OAuth client's id; null for user sessions. */
  readonly apiKeyId: string | null;
  /** The token's own id (`jti`), so that one token can be revoked on its own (OAuth token revocation); null without. */
  readonly tokenId: string | null;
  /** When the token was issued (`iat`, seconds since the epoch): a role change after it overrides its roles. */
  readonly issuedAt: number;
}

/**
 * What ended since a token was issued (revoked sessions and API keys, changed roles), so that every service refuses
 * the token at once instead of when it expires. `current` is called on every verified token.
 */
export interface AccessView {
  /** The viewer as things stand: its roles as they are now; throws UNAUTHENTICATED when its session or key ended. */
  current(viewer: Viewer): Viewer;
}

export interface TokenVerifier {
  /** Resolves the viewer of a verified access token; throws UNAUTHENTICATED for anything else. */
  verify(token: string): Promise<Viewer>;
}

/** Asymmetric algorithms we sign with; verification is pinned to them (no `none`, no HMAC confusion). */
const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** JWKS URL of the auth service, or a key getter (tests, in-process). */
  readonly keys: URL | JWTVerifyGetKey;
  /**
   * How long a verified token's viewer is remembered, so that a client sending the same token on every request pays
   * for one signature check per period instead of one per request (default 60 s, never past the token's `exp`;
   * 0 = no cache). A signing key withdrawn from the JWKS stops tokens within this period.
   */
  readonly cacheMs?: number;
  /** Most tokens remembered at once (default 10 000, least recently used dropped first). */
  readonly cacheMax?: number;
}

export function unauthenticatedError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

function rolesOf(payload: JWTPayload): Role[] {
  const raw = payload['roles'];
  if (!Array.isArray(raw)) return [];
  return raw.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r));
}

interface Verified {
  readonly viewer: Viewer;
  /** The token's `exp`, in ms since the epoch. */
  readonly expiresAt: number;
}

export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const getKey =
    options.keys instanceof URL
      ? createRemoteJWKSet(options.keys, { cooldownDuration: 5_000, cacheMaxAge: 600_000 })
      : options.keys;
  const cacheMs = options.cacheMs ?? 60_000;
  // Only successful verifications are remembered: a bad token is checked (and refused) every time.
  const verified =
    cacheMs > 0 ? new LRUCache<string, Verified>({ max: options.cacheMax ?? 10_000, ttl: cacheMs }) : null;

  async function verifySignature(token: string): Promise<Verified> {
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...ACCESS_TOKEN_ALGORITHMS],
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const scopes = payload['scope'];
      const viewer: Viewer = Object.freeze({
        userId: payload.sub as string,
        roles: Object.freeze(rolesOf(payload)),
        sessionId: typeof payload['sid'] === 'string' ? payload['sid'] : null,
        scopes: Object.freeze(typeof scopes === 'string' ? scopes.split(' ').filter(Boolean) : []),
        apiKeyId: typeof payload['akid'] === 'string' ? payload['akid'] : null,
        tokenId: typeof payload.jti === 'string' ? payload.jti : null,
        issuedAt: payload.iat as number,
      });
      return { viewer, expiresAt: (payload.exp as number) * 1000 };
    } catch {
      throw unauthenticatedError('Access token is invalid or expired');
    }
  }

  return {
    async verify(token) {
      const known = verified?.get(token);
      if (known) {
        if (known.expiresAt > Date.now()) return known.viewer;
        verified?.delete(token);
        throw unauthenticatedError('Access token is invalid or expired');
      }
      const fresh = await verifySignature(token);
      verified?.set(token, fresh, { ttl: Math.max(1, Math.min(cacheMs, fresh.expiresAt - Date.now())) });
      return fresh.viewer;
    },
  };
}

/** A verifier whose every verified token is checked against what ended since (revocations, role changes). */
export function withAccessView(verifier: TokenVerifier, access: AccessView): TokenVerifier {
  return { verify: async (token) => access.current(await verifier.verify(token)) };
}

/** Reads `Authorization: Bearer <jwt>`; no header means an anonymous viewer (null). */
export async function viewerFromHeaders(
  headers: IncomingHttpHeaders,
  verifier: TokenVerifier | null,
): Promise<Viewer | null> {
  const header = headers.authorization;
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  if (!match?.[1]) throw unauthenticatedError('Authorization header must be "Bearer <token>"');
  if (!verifier) throw unauthenticatedError('This service does not accept tokens');
  return verifier.verify(match[1]);
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new GraphQLError('Sign in to do this', { extensions: { code: 'UNAUTHENTICATED' } });
  return viewer;
}

export function hasRole(viewer: Viewer | null, ...roles: Role[]): boolean {
  return viewer !== null && viewer.roles.some((r) => roles.includes(r));
}

export function requireRole(viewer: Viewer | null, ...roles: Role[]): Viewer {
  const v = requireViewer(viewer);
  if (!hasRole(v, ...roles))
    throw new GraphQLError(`Requires role ${roles.join(' or ')}`, { extensions: { code: 'FORBIDDEN' } });
  return v;
}
