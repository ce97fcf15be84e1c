import { print } from 'graphql';
import type { AuthPayloadFieldsFragment } from '../gql/graphql';
import { RefreshSessionDocument } from '../graphql/operations';
import type { TokenStorage } from './storage-types';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  readonly expiresAt: number;
  readonly user: { readonly id: string; readonly email: string | null; readonly roles: readonly string[] };
}

/** Refresh this long before the access token expires, so requests in flight never carry a stale token. */
export const REFRESH_MARGIN_MS = 30_000;

export function sessionFromPayload(payload: AuthPayloadFieldsFragment, now = Date.now()): Session {
  return {
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    expiresAt: now + payload.expiresIn * 1000,
    user: { id: payload.user.id, email: payload.user.email ?? null, roles: payload.user.roles },
  };
}

function parseSession(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (
      typeof s.accessToken !== 'string' ||
      typeof s.refreshToken !== 'string' ||
      typeof s.expiresAt !== 'number' ||
      typeof s.user?.id !== 'string'
    )
      return null;
    return s as Session;
  } catch {
    return null;
  }
}

type Listener = (session: Session | null) => void;

/**
 * The signed-in session: kept in memory and in `storage` (the device's secure store; memory only on the web),
 * refreshed transparently. Refresh tokens rotate on every use, so concurrent refreshes are collapsed into one request
 * (a second use of the same refresh token would revoke the session).
 */
export class SessionStore {
  private session: Session | null = null;
  private listeners = new Set<Listener>();
  private refreshing: Promise<Session | null> | null = null;

  constructor(
    private readonly httpUrl: string,
    private readonly storage: TokenStorage,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  get current(): Session | null {
    return this.session;
  }

  async load(): Promise<Session | null> {
    try {
      this.session = parseSession(await this.storage.get());
    } catch {
      this.session = null;
    }
    return this.session;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async set(session: Session | null): Promise<void> {
    this.session = session;
    try {
      if (session) await this.storage.set(JSON.stringify(session));
      else await this.storage.remove();
    } finally {
      for (const l of this.listeners) l(session);
    }
  }

  /** A token that is valid for a while yet: refreshes first when the current one is about to expire. */
  async freshAccessToken(now = Date.now()): Promise<string | null> {
    const s = this.session;
    if (!s) return null;
    if (s.expiresAt - now > REFRESH_MARGIN_MS) return s.accessToken;
    const next = await this.refresh();
    return next?.accessToken ?? null;
  }

  /** Exchanges the refresh token (once, however many callers ask at the same time). Signs out when it is refused. */
  refresh(): Promise<Session | null> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<Session | null> {
    const s = this.session;
    if (!s) return null;
    let response: Response;
    try {
      response = await this.fetchImpl(this.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(RefreshSessionDocument), variables: { refreshToken: s.refreshToken } }),
      });
    } catch {
      return s; // offline: keep the session, the next request tries again
    }
    const body = (await response.json().catch(() => null)) as {
      data?: { refreshSession?: AuthPayloadFieldsFragment } | null;
      errors?: { extensions?: { code?: string } }[];
    } | null;
    const payload = body?.data?.refreshSession;
    if (payload) {
      // Signed out meanwhile: do not bring the session back.
      if (this.session !== s) return this.session;
      const next = sessionFromPayload(payload);
      await this.set(next);
      return next;
    }
    const refused = body?.errors?.some((e) =>
      ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT'].includes(e.extensions?.code ?? ''),
    );
    if (refused) {
      await this.set(null);
      return null;
    }
    return s;
  }
}
