import { topics, type AccessRevoked, type EventBus, type Logger, type RevocationSource } from '@vegshare/kit';
import type { AuthDb } from '../db.ts';

/** Most rows one catch-up returns per kind; a larger burst is still complete by the next catch-up's overlap. */
const MAX_ROWS = 20_000;

/**
 * Publishes every end of access (sessions, role changes, API keys and OAuth clients, single OAuth tokens, deleted accounts) as an `auth.access.revoked` event
 * once it is committed, and serves the same facts from the tables for catch-up. The tables are the truth: a lost event is
 * recovered by the next catch-up of each service (see the kit's RevocationSync), never by trusting the bus.
 */
export class AccessRevocations {
  constructor(
    private readonly db: AuthDb,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  async #publish(change: AccessRevoked): Promise<void> {
    try {
      await this.bus.publish(topics.accessRevoked, change);
    } catch (err) {
      // Catch-up covers it: every service re-reads the tables within REVOCATION_SYNC_SECONDS (1 s while the bus is down).
      this.logger.warn(
        { err, kind: change.kind, userId: change.userId },
        'publishing an access revocation failed; catch-up will deliver it',
      );
    }
  }

  sessionsEnded(userId: string, sessionIds: readonly string[], at: Date): Promise<void> {
    if (sessionIds.length === 0) return Promise.resolve();
    return this.#publish({ kind: 'SESSIONS_ENDED', userId, sessionIds: [...sessionIds], at: at.getTime() });
  }

  rolesChanged(userId: string, roles: readonly string[], at: Date): Promise<void> {
    return this.#publish({ kind: 'ROLES_CHANGED', userId, roles: [...roles], at: at.getTime() });
  }

  accountDeleted(userId: string, at: Date): Promise<void> {
    return this.#publish({ kind: 'ACCOUNT_DELETED', userId, at: at.getTime() });
  }

  /** An API key or an OAuth client (its id is the `akid` of its tokens, as a key's is) was revoked. */
  apiKeyRevoked(partnerId: string, apiKeyId: string, at: Date): Promise<void> {
    return this.#publish({ kind: 'API_KEY_REVOKED', userId: partnerId, apiKeyId, at: at.getTime() });
  }

  /** One access token (by `jti`) was revoked at the OAuth revocation endpoint. */
  tokenRevoked(partnerId: string, tokenId: string, at: Date): Promise<void> {
    return this.#publish({ kind: 'TOKEN_REVOKED', userId: partnerId, tokenId, at: at.getTime() });
  }

  /**
   * Every change recorded since `sinceMs`, from the tables (auth's own catch-up, and the /internal/revocations feed).
   * A deleted account's sessions and keys are gone with it; its `account_deletion` row is what remains. Revoked OAuth
   * clients are reported as API_KEY_REVOKED (their id is their tokens' `akid`), revoked single tokens as TOKEN_REVOKED.
   */
  readonly source: RevocationSource = {
    changesSince: async (sinceMs) => {
      const since = new Date(sinceMs);
      const [sessions, users, keys, deletions, clients, tokens] = await Promise.all([
        this.db.session.findMany({
          where: { revokedAt: { gte: since } },
          select: { id: true, userId: true, revokedAt: true },
          orderBy: { revokedAt: 'asc' },
          take: MAX_ROWS,
        }),
        this.db.user.findMany({
          where: { rolesChangedAt: { gte: since } },
          select: { id: true, roles: true, rolesChangedAt: true },
          orderBy: { rolesChangedAt: 'asc' },
          take: MAX_ROWS,
        }),
        this.db.apiKey.findMany({
          where: { revokedAt: { gte: since } },
          select: { id: true, partnerId: true, revokedAt: true },
          orderBy: { revokedAt: 'asc' },
          take: MAX_ROWS,
        }),
        this.db.accountDeletion.findMany({
          where: { deletedAt: { gte: since } },
          select: { userId: true, deletedAt: true },
          orderBy: { deletedAt: 'asc' },
          take: MAX_ROWS,
        }),
        this.db.oAuthClient.findMany({
          where: { revokedAt: { gte: since } },
          select: { id: true, partnerId: true, revokedAt: true },
          orderBy: { revokedAt: 'asc' },
          take: MAX_ROWS,
        }),
        this.db.oAuthRevokedToken.findMany({
          where: { revokedAt: { gte: since } },
          select: { jti: true, revokedAt: true, client: { select: { partnerId: true } } },
          orderBy: { revokedAt: 'asc' },
          take: MAX_ROWS,
        }),
      ]);
      const changes: AccessRevoked[] = [];
      const byUser = new Map<string, { ids: string[]; at: number }>();
      for (const s of sessions) {
        const entry = byUser.get(s.userId) ?? { ids: [], at: 0 };
        entry.ids.push(s.id);
        entry.at = Math.max(entry.at, s.revokedAt?.getTime() ?? 0);
        byUser.set(s.userId, entry);
      }
      for (const [userId, { ids, at }] of byUser) changes.push({ kind: 'SESSIONS_ENDED', userId, sessionIds: ids, at });
      for (const u of users)
        changes.push({ kind: 'ROLES_CHANGED', userId: u.id, roles: u.roles, at: u.rolesChangedAt?.getTime() ?? 0 });
      for (const k of [...keys, ...clients])
        changes.push({ kind: 'API_KEY_REVOKED', userId: k.partnerId, apiKeyId: k.id, at: k.revokedAt?.getTime() ?? 0 });
      for (const t of tokens)
        changes.push({ kind: 'TOKEN_REVOKED', userId: t.client.partnerId, tokenId: t.jti, at: t.revokedAt.getTime() });
      for (const d of deletions) changes.push({ kind: 'ACCOUNT_DELETED', userId: d.userId, at: d.deletedAt.getTime() });
      return changes;
    },
  };
}
