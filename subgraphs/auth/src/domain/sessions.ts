import { randomUUID } from 'node:crypto';
import { unauthenticated, type Role } from '@vegshare/kit';
import type { AuthDb, AuthSql } from '../db.ts';
import type { Session as SessionRow, User as UserRow } from '../generated/prisma/client.ts';
import type { RequestMeta } from '../adapters/http/request-meta.ts';
import { randomSecret, sha256 } from './secrets.ts';
import type { AccessTokenIssuer } from './tokens/access-tokens.ts';
import { auditLogin } from './audit.ts';
import { rotateRefreshToken } from './refresh-rotation.ts';
import type { AccessRevocations } from './revocations.ts';

export interface SignedIn {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly user: UserRow;
  readonly session: SessionRow;
  /** Proof that this device signed in to the account (login and registration only; see DeviceTokens). */
  readonly deviceToken?: string;
}

export interface SessionSettings {
  readonly accessTokenTtlSeconds: number;
  readonly sessionTtlDays: number;
}

const invalidRefresh = () => unauthenticated('Refresh token is invalid or expired');

/** The successful sign-in a session starts with, recorded in the sign-in audit with it. */
export interface SignInAudit {
  readonly email: string;
  /** `password` (the default) or `social:<provider>`. */
  readonly method?: string;
}

const START_SESSION = {
  name: 'auth_start_session',
  text: `
    WITH s AS (
      INSERT INTO auth.session (id, user_id, ip, user_agent, expires_at)
      VALUES ($1::uuid, $2::uuid, $3, $4, $5::timestamptz)
      RETURNING *
    ), t AS (
      INSERT INTO auth.refresh_token (id, session_id, token_hash)
      SELECT $6::uuid, s.id, $7 FROM s
    ), a AS (
      INSERT INTO auth.login_audit (email, user_id, ip, user_agent, outcome, method)
      SELECT $8, s.user_id, s.ip, s.user_agent, 'SUCCESS'::auth."LoginOutcome", $9
      FROM s WHERE $10::boolean
    )
    SELECT id, user_id AS "userId", user_agent AS "userAgent", ip, created_at AS "createdAt",
      last_seen_at AS "lastSeenAt", expires_at AS "expiresAt", revoked_at AS "revokedAt",
      revoked_reason AS "revokedReason"
    FROM s`,
};

/**
 * Sessions are refresh-token families. Each refresh token is single-use: exchanging it marks it rotated and
 * issues the next one; presenting a rotated token again (a stolen copy, or a replay) revokes the whole session.
 */
export class Sessions {
  constructor(
    private readonly db: AuthDb,
    private readonly sql: AuthSql,
    private readonly tokens: AccessTokenIssuer,
    private readonly settings: SessionSettings,
    private readonly revocations: AccessRevocations,
  ) {}

  async #signedIn(user: UserRow, session: SessionRow, refreshToken: string): Promise<SignedIn> {
    // An access token never outlives its session: the session's end is its end everywhere, event or no event.
    const sessionLeft = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
    const ttl = Math.max(1, Math.min(this.settings.accessTokenTtlSeconds, sessionLeft));
    const access = await this.tokens.issue(
      { userId: user.id, roles: user.roles as Role[], sessionId: session.id },
      ttl,
    );
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken, user, session };
  }

  /**
   * Starts a session on a device and returns its first tokens; `audit` records the sign-in that started it. The
   * session, its first refresh token and the audit row are written by one prepared statement on the pool (see
   * AuthSql): this is every sign-in's path, and as Prisma model queries it took a nested-create transaction (five
   * round trips) plus an insert, each query compiled anew on the event loop (about 2 ms of CPU each, see bench/auth).
   */
  async start(user: UserRow, meta: RequestMeta, audit?: SignInAudit): Promise<SignedIn> {
    const refreshToken = randomSecret();
    const sessionId = randomUUID();
    const expiresAt = new Date(Date.now() + this.settings.sessionTtlDays * 86_400_000);
    const { rows } = await this.sql.query<SessionRow>({
      ...START_SESSION,
      values: [
        sessionId,
        user.id,
        meta.ip,
        meta.userAgent,
        expiresAt,
        randomUUID(),
        sha256(refreshToken),
        (audit?.email ?? '').slice(0, 320),
        audit?.method ?? 'password',
        audit !== undefined,
      ],
    });
    const [session] = rows;
    if (!session) throw new Error('session insert returned no row');
    return this.#signedIn(user, session, refreshToken);
  }

  /**
   * Rotates a refresh token: the presented one is spent, a new one and a fresh access token are returned. One
   * statement (rotateRefreshToken) spends the token, checks and touches its session and stores the next token; a
   * spent token presented again ends its session (reuse) and is audited.
   */
  async refresh(refreshToken: string, meta: RequestMeta): Promise<SignedIn> {
    const next = randomSecret();
    const outcome = await rotateRefreshToken(this.sql, {
      tokenHash: sha256(refreshToken),
      nextHash: sha256(next),
      now: new Date(),
      meta,
    });
    if (outcome.kind === 'invalid') throw invalidRefresh();
    if (outcome.kind === 'reused') {
      // Someone holds a copy of an old token: end the family so neither copy can be used again.
      const { session, user } = outcome;
      if (!session.revokedAt) await this.revoke(session.id, 'refresh_token_reuse');
      await auditLogin(this.db, { email: user.email, userId: session.userId, outcome: 'REFRESH_REUSE', meta });
      throw invalidRefresh();
    }
    return this.#signedIn(outcome.user, outcome.session, next);
  }

  /** Ends one session; every service refuses its access tokens within a second (AccessRevoked event). */
  async revoke(sessionId: string, reason: string): Promise<boolean> {
    const at = new Date();
    const ended = await this.db.session.updateManyAndReturn({
      where: { id: sessionId, revokedAt: null },
      data: { revokedAt: at, revokedReason: reason },
      select: { id: true, userId: true },
    });
    const [session] = ended;
    if (session) await this.revocations.sessionsEnded(session.userId, [session.id], at);
    return ended.length > 0;
  }

  /** Revokes every active session of a user, except `keep`; returns how many were ended. */
  async revokeAll(userId: string, reason: string, keep?: string): Promise<number> {
    const at = new Date();
    const ended = await this.db.session.updateManyAndReturn({
      where: { userId, revokedAt: null, ...(keep ? { id: { not: keep } } : {}) },
      data: { revokedAt: at, revokedReason: reason },
      select: { id: true },
    });
    await this.revocations.sessionsEnded(
      userId,
      ended.map((s) => s.id),
      at,
    );
    return ended.length;
  }

  async isActive(sessionId: string, userId: string): Promise<boolean> {
    const session = await this.db.session.findUnique({
      where: { id: sessionId },
      select: { userId: true, revokedAt: true, expiresAt: true },
    });
    return !!session && session.userId === userId && !session.revokedAt && session.expiresAt > new Date();
  }

  activeOf(userId: string): Promise<SessionRow[]> {
    return this.db.session.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
      orderBy: [{ lastSeenAt: 'desc' }, { id: 'asc' }],
      take: 100,
    });
  }
}
