import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { GATEWAY_SECRET_HEADER, type Logger } from '@vegshare/kit';

interface Exchanged {
  readonly authorization: string;
}

export interface ApiKeyExchangerOptions {
  /** Base URL of the auth service (its internal routes). */
  readonly authUrl: string;
  readonly gatewaySecret: string | undefined;
  readonly logger: Logger;
  /** Longest time an exchanged token is reused, so a revoked key stops working within this time. */
  readonly maxCacheMs?: number;
}

export const keyId = (apiKey: string): string => createHash('sha256').update(apiKey).digest('base64url');

export const invalidApiKey = (): GraphQLError =>
  new GraphQLError('API key is invalid or revoked', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });

/**
 * Swaps a partner's `x-api-key` for a short-lived access token from the auth service, so subgraphs only ever see
 * verified JWTs. Tokens are cached by the key's hash (never the key itself) for at most `maxCacheMs`; unknown keys
 * are remembered briefly so a flood of bad keys does not reach the auth service; concurrent exchanges of one key share
 * one request.
 */
export class ApiKeyExchanger {
  readonly #cache: LRUCache<string, Exchanged | false>;
  readonly #inflight = new Map<string, Promise<Exchanged | false>>();
  readonly #maxCacheMs: number;

  constructor(private readonly options: ApiKeyExchangerOptions) {
    this.#maxCacheMs = options.maxCacheMs ?? 60_000;
    this.#cache = new LRUCache({ max: 10_000, ttlAutopurge: false });
  }

  /** Drops what is remembered for a key (its token was refused: the key was revoked). */
  forget(apiKey: string): void {
    const id = keyId(apiKey);
    this.#cache.delete(id);
  }

  /** `Bearer <jwt>` for a valid key; throws UNAUTHENTICATED otherwise. */
  async authorizationFor(apiKey: string): Promise<string> {
    if (apiKey.length < 16 || apiKey.length > 200) throw invalidApiKey();
    const id = keyId(apiKey);
    const cached = this.#cache.get(id);
    if (cached === false) throw invalidApiKey();
    if (cached) return cached.authorization;
    let pending = this.#inflight.get(id);
    if (!pending) {
      pending = this.#exchange(apiKey, id).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    const result = await pending;
    if (!result) throw invalidApiKey();
    return result.authorization;
  }

  async #exchange(apiKey: string, id: string): Promise<Exchanged | false> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.gatewaySecret) headers[GATEWAY_SECRET_HEADER] = this.options.gatewaySecret;
    let res: Response;
    try {
      res = await fetch(new URL('/internal/api-key-token', this.options.authUrl), {
        method: 'POST',
        headers,
        body: JSON.stringify({ apiKey }),
        signal: AbortSignal.timeout(3000),
      });
    } catch (err) {
      this.options.logger.error({ err }, 'api key exchange unreachable');
      throw new GraphQLError('Authentication service unavailable', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
    }
    if (res.status === 401) {
      this.#cache.set(id, false, { ttl: 30_000 });
      return false;
    }
    if (!res.ok) {
      this.options.logger.error({ status: res.status }, 'api key exchange failed');
      throw new GraphQLError('Authentication service unavailable', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
    }
    const body = (await res.json()) as { accessToken?: unknown; expiresIn?: unknown };
    if (typeof body.accessToken !== 'string' || typeof body.expiresIn !== 'number') throw new Error('malformed api key exchange response');
    const exchanged: Exchanged = { authorization: `Bearer ${body.accessToken}` };
    // Reuse well before the token expires, and never longer than the revocation window.
    const ttl = Math.max(1000, Math.min(this.#maxCacheMs, body.expiresIn * 1000 - 30_000));
    this.#cache.set(id, exchanged, { ttl });
    return exchanged;
  }
}
