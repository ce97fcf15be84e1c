import { GraphQLError } from 'graphql';
import { ROLES, unauthenticatedError, type AccessView, type Role, type Viewer } from '../auth.ts';
import type { AccessRevoked } from '../events/contracts.ts';

/** No access token lives longer than this (auth caps both user and API-key tokens at 15 minutes). */
export const MAX_ACCESS_TOKEN_LIFETIME_MS = 900_000;
/** Clock difference between auth and any service that is tolerated. */
const CLOCK_SKEW_MS = 60_000;

export interface RevocationViewOptions {
  /** How long a revocation is remembered after it arrives (default: the longest token lifetime plus clock skew). */
  readonly retentionMs?: number;
  /**
   * Whether the view can be trusted to hold every revocation (its feed is connected or was synced recently). When
   * it returns false, tokens are refused with SERVICE_UNAVAILABLE (503) rather than let through unchecked.
   */
  readonly isCurrent?: () => boolean;
  readonly now?: () => number;
}

const accessUnconfirmedError = (): GraphQLError =>
  new GraphQLError('Access cannot be confirmed right now; try again shortly', {
    extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
  });

interface RoleChange {
  readonly roles: readonly Role[];
  /** auth's clock: tokens issued before this carry older roles. */
  readonly at: number;
  readonly keepUntil: number;
}

/** Listener told that access of one user changed (a session or key ended, roles changed). */
export type AccessChangeListener = () => void;

/**
 * What ended recently, in memory, fed by `AccessRevoked` events (and the catch-up sync): sessions, API keys, OAuth
 * clients and single tokens that were revoked, accounts that were deleted, and the current roles of accounts whose roles changed. Entries are kept
 * for the longest token lifetime, after which every token they could affect has expired, so memory stays bounded by
 * the revocations of the last quarter of an hour.
 */
export class RevocationView implements AccessView {
  readonly #sessions = new Map<string, number>();
  readonly #apiKeys = new Map<string, number>();
  /** Single tokens revoked by their `jti` (OAuth token revocation). */
  readonly #tokens = new Map<string, number>();
  /** Deleted accounts: a deleted id never signs in again (a new account gets a new id), so all its tokens are refused. */
  readonly #deletedUsers = new Map<string, number>();
  readonly #roles = new Map<string, RoleChange>();
  readonly #watchers = new Map<string, Set<AccessChangeListener>>();
  readonly #retentionMs: number;
  readonly #isCurrent: () => boolean;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(options: RevocationViewOptions = {}) {
    this.#retentionMs = options.retentionMs ?? MAX_ACCESS_TOKEN_LIFETIME_MS + CLOCK_SKEW_MS;
    this.#isCurrent = options.isCurrent ?? (() => true);
    this.#now = options.now ?? Date.now;
  }

  /** Records one change and tells the watchers of its user. Idempotent: the same change twice is one change. */
  apply(change: AccessRevoked): void {
    const now = this.#now();
    const keepUntil = now + this.#retentionMs;
    switch (change.kind) {
      case 'SESSIONS_ENDED':
        for (const id of change.sessionIds) this.#sessions.set(id, keepUntil);
        break;
      case 'API_KEY_REVOKED':
        this.#apiKeys.set(change.apiKeyId, keepUntil);
        break;
      case 'TOKEN_REVOKED':
        this.#tokens.set(change.tokenId, keepUntil);
        break;
      case 'ACCOUNT_DELETED':
        this.#deletedUsers.set(change.userId, keepUntil);
        break;
      case 'ROLES_CHANGED': {
        const known = this.#roles.get(change.userId);
        if (known && known.at > change.at) break; // an older change arriving late
        const roles = change.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
        this.#roles.set(change.userId, { roles: Object.freeze(roles), at: change.at, keepUntil });
        break;
      }
    }
    this.#sweep(now);
    for (const listener of [...(this.#watchers.get(change.userId) ?? [])]) listener();
  }

  current(viewer: Viewer): Viewer {
    if (!this.#isCurrent()) throw accessUnconfirmedError();
    if (viewer.sessionId !== null && this.#sessions.has(viewer.sessionId))
      throw unauthenticatedError('This session has ended; sign in again');
    if (viewer.apiKeyId !== null && this.#apiKeys.has(viewer.apiKeyId))
      throw unauthenticatedError('API key is invalid or revoked');
    if (viewer.tokenId !== null && this.#tokens.has(viewer.tokenId))
      throw unauthenticatedError('Access token was revoked');
    if (this.#deletedUsers.has(viewer.userId)) throw unauthenticatedError('This account was deleted');
    const change = this.#roles.get(viewer.userId);
    // iat has a resolution of one second: a token issued in the second of the change may predate it.
    if (!change || viewer.issuedAt * 1000 >= change.at + 1000) return viewer;
    // A user token takes the account's roles as they are now; an API-key token never gains roles beyond its own.
    const roles = viewer.apiKeyId === null ? change.roles : viewer.roles.filter((r) => change.roles.includes(r));
    if (roles.length === viewer.roles.length && roles.every((r, i) => r === viewer.roles[i])) return viewer;
    return Object.freeze({ ...viewer, roles: Object.freeze([...roles]) });
  }

  /** Calls `listener` after every change of `userId`'s access; returns the function that stops it. */
  watch(userId: string, listener: AccessChangeListener): () => void {
    let set = this.#watchers.get(userId);
    if (!set) this.#watchers.set(userId, (set = new Set()));
    set.add(listener);
    const watchers = set;
    return () => {
      watchers.delete(listener);
      if (watchers.size === 0 && this.#watchers.get(userId) === watchers) this.#watchers.delete(userId);
    };
  }

  /** Entries remembered (sessions, keys, single tokens, role changes, deleted accounts), for metrics and tests. */
  get size(): number {
    return this.#sessions.size + this.#apiKeys.size + this.#tokens.size + this.#roles.size + this.#deletedUsers.size;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 10_000;
    for (const map of [this.#sessions, this.#apiKeys, this.#tokens, this.#deletedUsers])
      for (const [id, until] of map) if (until <= now) map.delete(id);
    for (const [id, change] of this.#roles) if (change.keepUntil <= now) this.#roles.delete(id);
  }
}

/** True when `next` lost a role `previous` had, or the access behind it ended: open subscriptions must be re-authorized. */
export function accessNarrowed(view: AccessView, viewer: Viewer): boolean {
  let now: Viewer;
  try {
    now = view.current(viewer);
  } catch {
    return true;
  }
  return viewer.roles.some((r) => !now.roles.includes(r));
}
