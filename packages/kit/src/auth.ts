import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey, type JWTPayload } from 'jose';
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
}

export interface TokenVerifier {
  /** Resolves the viewer of a verified access token; throws UNAUTHENTICATED for anything else. */
  verify(token: string): Promise<Viewer>;
}

/** Asymmetric algorithms we sign with; verification is pinned to them (no `none`, no HMAC confusion). */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** JWKS URL of the auth service, or a key getter (tests, in-process). */
  readonly keys: URL | JWTVerifyGetKey;
}

export function unauthenticatedError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

function rolesOf(payload: JWTPayload): Role[] {
  const raw = payload['roles'];
  if (!Array.isArray(raw)) return [];
  return raw.filter((r): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r));
}

export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const getKey = options.keys instanceof URL ? createRemoteJWKSet(options.keys, { cooldownDuration: 5_000, cacheMaxAge: 600_000 }) : options.keys;
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...ACCESS_TOKEN_ALGORITHMS],
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const scopes = payload['scope'];
        return {
          userId: payload.sub as string,
          roles: rolesOf(payload),
          sessionId: typeof payload['sid'] === 'string' ? payload['sid'] : null,
          scopes: typeof scopes === 'string' ? scopes.split(' ').filter(Boolean) : [],
        };
      } catch {
        throw unauthenticatedError('Access token is invalid or expired');
      }
    },
  };
}

/** Reads `Authorization: Bearer <jwt>`; no header means an anonymous viewer (null). */
export async function viewerFromHeaders(headers: IncomingHttpHeaders, verifier: TokenVerifier | null): Promise<Viewer | null> {
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
  if (!hasRole(v, ...roles)) throw new GraphQLError(`Requires role ${roles.join(' or ')}`, { extensions: { code: 'FORBIDDEN' } });
  return v;
}
