import { randomUUID } from 'node:crypto';
import type { AuthSql } from '../db.ts';
import type { Session as SessionRow, User as UserRow } from '../generated/prisma/client.ts';
import type { RequestMeta } from '../adapters/http/request-meta.ts';

/** What presenting a refresh token came to (see rotateRefreshToken). */
export type Rotation =
  | { readonly kind: 'ok'; readonly session: SessionRow; readonly user: UserRow }
  /** The token was spent before: a copy is being replayed. Its session and account as they were. */
  | { readonly kind: 'reused'; readonly session: SessionRow; readonly user: UserRow }
  /** Unknown token, or its session is revoked or expired (the token is spent all the same). */
  | { readonly kind: 'invalid' };

type RotationRow = { kind: 'ok' | 'reused' | 'invalid' } & { [K in keyof SessionRow as `s_${K}`]: SessionRow[K] } & {
  [K in keyof UserRow as `u_${K}`]: UserRow[K];
};

const ROTATE = {
  name: 'auth_rotate_refresh_token',
  text: `
    WITH found AS (
      SELECT session_id FROM auth.refresh_token WHERE token_hash = $1
    ), spent AS (
      UPDATE auth.refresh_token SET rotated_at = $2::timestamptz
      WHERE token_hash = $1 AND rotated_at IS NULL
      RETURNING session_id
    ), touched AS (
      UPDATE auth.session s SET last_seen_at = $2::timestamptz, ip = $3,
        user_agent = CASE WHEN $4::text = '' THEN s.user_agent ELSE $4::text END
      FROM spent
      WHERE s.id = spent.session_id AND s.revoked_at IS NULL AND s.expires_at > $2::timestamptz
      RETURNING s.*
    ), issued AS (
      INSERT INTO auth.refresh_token (id, session_id, token_hash)
      SELECT $5::uuid, touched.id, $6 FROM touched
    )
    SELECT
      CASE WHEN t.id IS NOT NULL THEN 'ok' WHEN EXISTS (SELECT 1 FROM spent) THEN 'invalid' ELSE 'reused' END AS kind,
      s.id AS s_id, s.user_id AS "s_userId", COALESCE(t.user_agent, s.user_agent) AS "s_userAgent",
      COALESCE(t.ip, s.ip) AS s_ip, s.created_at AS "s_createdAt",
      COALESCE(t.last_seen_at, s.last_seen_at) AS "s_lastSeenAt", s.expires_at AS "s_expiresAt",
      s.revoked_at AS "s_revokedAt", s.revoked_reason AS "s_revokedReason",
      u.id AS u_id, u.email AS u_email, u.password_hash AS "u_passwordHash", u.roles::text[] AS u_roles,
      u.email_verified_at AS "u_emailVerifiedAt", u.password_changed_at AS "u_passwordChangedAt",
      u.pending_sign_up AS "u_pendingSignUp", u.pending_display_name AS "u_pendingDisplayName",
      u.roles_changed_at AS "u_rolesChangedAt", u.created_at AS "u_createdAt", u.updated_at AS "u_updatedAt"
    FROM found
    JOIN auth.session s ON s.id = found.session_id
    JOIN auth."user" u ON u.id = s.user_id
    LEFT JOIN touched t ON t.id = s.id`,
};

/**
 * One refresh-token rotation in one statement (every refresh runs it; as Prisma model queries it was four queries in
 * an interactive transaction, see bench/auth):
 *   - `spent` marks the presented token rotated only if it was not (a concurrent rotation of the same token waits for
 *     the row lock, re-reads it, and finds it spent: exactly one of them wins);
 *   - `touched` updates the session only while it is neither revoked nor expired — re-checked on the locked row, so a
 *     revocation committed meanwhile wins and no token is issued for it;
 *   - `issued` stores the next token only for a touched session;
 *   - the final select reads the token's session and account from the statement's snapshot: no row = unknown token;
 *     spent but not touched = invalid; not spent = reuse (the caller revokes the session and audits it).
 * A prepared statement on the pool (see AuthSql) that names the schema itself (auth, AUTH_SCHEMA).
 */
export async function rotateRefreshToken(
  sql: AuthSql,
  input: { tokenHash: string; nextHash: string; now: Date; meta: RequestMeta },
): Promise<Rotation> {
  const { tokenHash, nextHash, now, meta } = input;
  const { rows } = await sql.query<RotationRow>({
    ...ROTATE,
    values: [tokenHash, now, meta.ip, meta.userAgent, randomUUID(), nextHash],
  });
  const [row] = rows;
  if (!row || row.kind === 'invalid') return { kind: 'invalid' };
  const session: SessionRow = {
    id: row.s_id,
    userId: row.s_userId,
    userAgent: row.s_userAgent,
    ip: row.s_ip,
    createdAt: row.s_createdAt,
    lastSeenAt: row.s_lastSeenAt,
    expiresAt: row.s_expiresAt,
    revokedAt: row.s_revokedAt,
    revokedReason: row.s_revokedReason,
  };
  const user: UserRow = {
    id: row.u_id,
    email: row.u_email,
    passwordHash: row.u_passwordHash,
    roles: row.u_roles,
    emailVerifiedAt: row.u_emailVerifiedAt,
    passwordChangedAt: row.u_passwordChangedAt,
    pendingSignUp: row.u_pendingSignUp,
    pendingDisplayName: row.u_pendingDisplayName,
    rolesChangedAt: row.u_rolesChangedAt,
    createdAt: row.u_createdAt,
    updatedAt: row.u_updatedAt,
  };
  return { kind: row.kind, session, user };
}
