import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  BodyTooLargeError,
  readBody,
  sendJson,
  sharedRateLimiter,
  type RateLimitFallback,
  type RouteHandler,
  type ServiceMetrics,
} from '@vegshare/kit';
import type { AuthDb } from '../../db.ts';
import type { OAuthClient as ClientRow } from '../../generated/prisma/client.ts';
import type { RequestMeta } from '../http/request-meta.ts';
import type { AccessRevocations } from '../../domain/revocations.ts';
import type { AccessTokenIssuer } from '../../domain/tokens/access-tokens.ts';
import { API_SCOPES } from '../../domain/validation.ts';
import { authenticateClient } from './client-auth.ts';
import { ASSERTION_ALGORITHMS, CLIENT_AUTH_METHODS, type OAuthClients } from '../../domain/oauth-clients.ts';
import { OAuthError, sendOAuthError, sendOAuthJson } from './errors.ts';

/** Where each endpoint is served (behind the gateway, at PUBLIC_API_URL). */
const OAUTH_PATHS = {
  token: '/oauth/token',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  jwks: '/.well-known/jwks.json',
  openidConfiguration: '/.well-known/openid-configuration',
  authorizationServerMetadata: '/.well-known/oauth-authorization-server',
} as const;

const MAX_BODY = 16_384;
const FORM = 'application/x-www-form-urlencoded';

export interface AuthorizationServerOptions {
  readonly db: AuthDb;
  readonly clients: OAuthClients;
  readonly tokens: AccessTokenIssuer;
  /** Publishes a revoked token, so the gateway and every subgraph refuse it too (not only introspection). */
  readonly revocations: AccessRevocations;
  /** Verifies our own access tokens (the signing key store, EdDSA only). */
  readonly verificationKeys: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string;
  readonly publicApiUrl: string;
  readonly tokenTtlSeconds: number;
  readonly ipLimitPerMinute: number;
  readonly rateLimitPrefix: string;
  readonly redis: Redis | null;
  readonly rateLimitFallback?: RateLimitFallback | null;
  readonly metaOf: (req: IncomingMessage) => RequestMeta;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
}

type Endpoint = 'token' | 'introspection' | 'revocation';

/**
 * Our OAuth 2.0 authorization server for partners: the client_credentials grant (RFC 6749 §4.4) issuing the same
 * EdDSA access tokens as every other sign-in (RFC 9068 profile: `scope`, `client_id`; `akid` names the client as it
 * names an API key, so scope enforcement and revocation treat both alike), token introspection (RFC 7662), token
 * revocation (RFC 7009) and metadata (RFC 8414, also at the OpenID Connect discovery path). Clients authenticate with
 * client_secret_basic, client_secret_post or private_key_jwt (RFC 7523).
 */
export class PartnerAuthorizationServer {
  readonly #limiter: RateLimiterAbstract;
  readonly #requests;
  #nextSweep = 0;

  constructor(private readonly options: AuthorizationServerOptions) {
    // While Redis fails the limit holds per replica (counted and logged by the fallback), never refusing every client.
    this.#limiter = sharedRateLimiter({
      redis: options.redis,
      fallback: options.rateLimitFallback ?? null,
      name: 'oauth-ip',
      keyPrefix: `${options.rateLimitPrefix}:oauth-ip`,
      points: options.ipLimitPerMinute,
      duration: 60,
    });
    this.#requests = options.metrics.counter(
      'auth_oauth_requests_total',
      'Partner OAuth requests by endpoint and outcome',
      ['endpoint', 'outcome'],
    );
  }

  #url(path: string): string {
    return `${this.options.publicApiUrl}${path}`;
  }

  /** RFC 8414 metadata (served at both well-known paths; we issue no ID tokens and run no authorization endpoint). */
  metadata(): Record<string, unknown> {
    const authMethods = [...CLIENT_AUTH_METHODS];
    const algs = [...ASSERTION_ALGORITHMS];
    return {
      issuer: this.options.issuer,
      token_endpoint: this.#url(OAUTH_PATHS.token),
      introspection_endpoint: this.#url(OAUTH_PATHS.introspection),
      revocation_endpoint: this.#url(OAUTH_PATHS.revocation),
      jwks_uri: this.#url(OAUTH_PATHS.jwks),
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      scopes_supported: [...API_SCOPES],
      token_endpoint_auth_methods_supported: authMethods,
      token_endpoint_auth_signing_alg_values_supported: algs,
      introspection_endpoint_auth_methods_supported: authMethods,
      introspection_endpoint_auth_signing_alg_values_supported: algs,
      revocation_endpoint_auth_methods_supported: authMethods,
      revocation_endpoint_auth_signing_alg_values_supported: algs,
      service_documentation: this.#url('/explorer'),
    };
  }

  async #form(req: IncomingMessage): Promise<URLSearchParams> {
    if (req.method !== 'POST') throw new OAuthError(405, 'invalid_request', 'Use POST');
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim()
      .toLowerCase();
    if (type !== FORM) throw new OAuthError(400, 'invalid_request', `Send the parameters as ${FORM}`);
    let raw: string;
    try {
      raw = await readBody(req, MAX_BODY);
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new OAuthError(413, 'invalid_request', 'Request body too large');
      throw error;
    }
    const body = new URLSearchParams(raw);
    for (const key of new Set(body.keys())) {
      if (body.getAll(key).length > 1) throw new OAuthError(400, 'invalid_request', `Parameter ${key} is repeated`);
    }
    return body;
  }

  async #limit(req: IncomingMessage): Promise<void> {
    try {
      await this.#limiter.consume(this.options.metaOf(req).ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new OAuthError(
          429,
          'temporarily_unavailable',
          'Too many requests; slow down',
          false,
          Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        );
      }
      throw rejection;
    }
  }

  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 60_000;
    const before = new Date(now - 60_000);
    await this.options.db.oAuthAssertion.deleteMany({ where: { expiresAt: { lt: before } } });
    await this.options.db.oAuthRevokedToken.deleteMany({ where: { expiresAt: { lt: before } } });
  }

  async #client(req: IncomingMessage, body: URLSearchParams): Promise<ClientRow> {
    const audiences = [
      this.options.issuer,
      this.#url(OAUTH_PATHS.token),
      this.#url(OAUTH_PATHS.introspection),
      this.#url(OAUTH_PATHS.revocation),
    ];
    return authenticateClient(this.options.db, this.options.clients, req.headers, body, { audiences });
  }

  /** One of our access tokens, verified (signature, issuer, audience, expiry), or null. */
  async #verify(token: string): Promise<JWTPayload | null> {
    if (token.length > 4096) return null;
    try {
      const { payload } = await jwtVerify(token, this.options.verificationKeys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ['EdDSA'],
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      return payload;
    } catch {
      return null;
    }
  }

  async token(req: IncomingMessage): Promise<Record<string, unknown>> {
    const body = await this.#form(req);
    const client = await this.#client(req, body);
    const grant = body.get('grant_type');
    if (!grant) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    if (grant !== 'client_credentials')
      throw new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported');
    const requested = (body.get('scope') ?? '').split(' ').filter(Boolean);
    const refused = requested.filter((s) => !client.scopes.includes(s));
    if (refused.length)
      throw new OAuthError(400, 'invalid_scope', `Not granted to this client: ${refused.slice(0, 5).join(' ')}`);
    const scopes = requested.length ? [...new Set(requested)] : client.scopes;
    const issued = await this.options.tokens.issue(
      { userId: client.partnerId, roles: ['PARTNER'], scopes, apiKeyId: client.id, clientId: client.clientId },
      this.options.tokenTtlSeconds,
    );
    await this.options.db.oAuthClient.update({ where: { id: client.id }, data: { lastUsedAt: new Date() } });
    await this.#sweep();
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: scopes.join(' ') };
  }

  /** RFC 7662: a client learns about its own tokens only; anything else is `{"active": false}`. */
  async introspect(req: IncomingMessage): Promise<Record<string, unknown>> {
    const body = await this.#form(req);
    const client = await this.#client(req, body);
    const token = body.get('token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
    const payload = await this.#verify(token);
    if (!payload || payload['client_id'] !== client.clientId) return { active: false };
    const revoked = await this.options.db.oAuthRevokedToken.findUnique({ where: { jti: String(payload.jti) } });
    if (revoked) return { active: false };
    return {
      active: true,
      scope: typeof payload['scope'] === 'string' ? payload['scope'] : '',
      client_id: client.clientId,
      token_type: 'Bearer',
      sub: payload.sub,
      aud: payload.aud,
      iss: payload.iss,
      exp: payload.exp,
      iat: payload.iat,
      jti: payload.jti,
    };
  }

  /**
   * RFC 7009: always 200 for an authenticated client; its own valid token is remembered as revoked until it expires
   * and published as TOKEN_REVOKED, so the gateway and every subgraph refuse it within a second like any revocation.
   */
  async revoke(req: IncomingMessage): Promise<void> {
    const body = await this.#form(req);
    const client = await this.#client(req, body);
    const token = body.get('token');
    if (!token) throw new OAuthError(400, 'invalid_request', 'token is required');
    const payload = await this.#verify(token);
    if (!payload || payload['client_id'] !== client.clientId) return;
    const jti = String(payload.jti);
    const row = await this.options.db.oAuthRevokedToken.upsert({
      where: { jti },
      create: { jti, clientId: client.id, expiresAt: new Date((payload.exp as number) * 1000) },
      update: {},
    });
    await this.options.revocations.tokenRevoked(client.partnerId, jti, row.revokedAt);
  }

  #handle(endpoint: Endpoint, run: (req: IncomingMessage, res: ServerResponse) => Promise<void>): RouteHandler {
    return async (req, res) => {
      try {
        await this.#limit(req);
        await run(req, res);
        this.#requests.inc({ endpoint, outcome: 'ok' });
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        this.#requests.inc({ endpoint, outcome: error.error });
        if (error.error === 'invalid_client')
          this.options.logger.info({ endpoint, reason: error.description }, 'oauth client authentication failed');
        sendOAuthError(res, error);
      }
    };
  }

  /** The routes, mounted behind the gateway-secret guard; the gateway forwards them from PUBLIC_API_URL. */
  routes(): Record<string, RouteHandler> {
    const metadata: RouteHandler = (req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
      const body = JSON.stringify(this.metadata());
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'public, max-age=300',
        'content-length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    return {
      [OAUTH_PATHS.token]: this.#handle('token', async (req, res) => sendOAuthJson(res, 200, await this.token(req))),
      [OAUTH_PATHS.introspection]: this.#handle('introspection', async (req, res) =>
        sendOAuthJson(res, 200, await this.introspect(req)),
      ),
      [OAUTH_PATHS.revocation]: this.#handle('revocation', async (req, res) => {
        await this.revoke(req);
        sendOAuthJson(res, 200, {});
      }),
      [OAUTH_PATHS.openidConfiguration]: metadata,
      [OAUTH_PATHS.authorizationServerMetadata]: metadata,
    };
  }
}
