import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { GATEWAY_SECRET_HEADER, type Logger } from '@vegshare/kit/gateway';

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
 * one request (lru-cache's `fetch`; a failed exchange is not cached).
 */
export class ApiKeyExchanger {
  readonly #cache: LRUCache<string, Exchanged | false, string>;
  readonly #maxCacheMs: number;

  constructor(private readonly options: ApiKeyExchangerOptions) {
    this.#maxCacheMs = options.maxCacheMs ?? 60_000;
    this.#cache = new LRUCache<string, Exchanged | false, string>({
      max: 10_000,
      ttlAutopurge: false,
      // The key itself travels as the fetch context: the cache is keyed by its hash only.
      fetchMethod: (_id, _stale, { options: entry, context: apiKey }) => this.#exchange(apiKey, entry),
    });
  }

  /** Drops what is remembered for a key (its token was refused: the key was revoked). */
  forget(apiKey: string): void {
    this.#cache.delete(keyId(apiKey));
  }

  /** `Bearer <jwt>` for a valid key; throws UNAUTHENTICATED otherwise. */
  async authorizationFor(apiKey: string): Promise<string> {
    if (apiKey.length < 16 || apiKey.length > 200) throw invalidApiKey();
    const result = await this.#cache.fetch(keyId(apiKey), { context: apiKey });
    if (!result) throw invalidApiKey();
    return result.authorization;
  }

  /** Asks auth for a token; sets how long the answer is remembered on the cache entry (`entry.ttl`). */
  async #exchange(apiKey: string, entry: { ttl?: number }): Promise<Exchanged | false> {
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
      throw new GraphQLError('Authentication service unavailable', {
        extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
      });
    }
    if (res.status === 401) {
      entry.ttl = 30_000;
      return false;
    }
    if (!res.ok) {
      this.options.logger.error({ status: res.status }, 'api key exchange failed');
      throw new GraphQLError('Authentication service unavailable', {
        extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
      });
    }
    const body = (await res.json()) as { accessToken?: unknown; expiresIn?: unknown };
    if (typeof body.accessToken !== 'string' || typeof body.expiresIn !== 'number')
      throw new Error('malformed api key exchange response');
    // Reuse well before the token expires, and never longer than the revocation window.
    entry.ttl = Math.max(1000, Math.min(this.#maxCacheMs, body.expiresIn * 1000 - 30_000));
    return { authorization: `Bearer ${body.accessToken}` };
  }
}
