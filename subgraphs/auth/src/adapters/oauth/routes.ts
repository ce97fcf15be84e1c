import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  BodyTooLargeError,
  readBody,
  type RateLimitFallback,
  type RouteHandler,
  type ServiceMetrics,
} from '@vegshare/kit';
import type { AuthDb } from '../../db.ts';
import type { AuthConfig } from '../../env.ts';
import type { RequestMeta } from '../http/request-meta.ts';
import type { AuthServices } from '../../domain/auth-services.ts';
import { socialSettingsFrom } from '../../domain/social/settings.ts';
import { PartnerAuthorizationServer } from './authorization-server.ts';

export interface OAuthRouteDeps {
  readonly config: AuthConfig;
  readonly db: AuthDb;
  readonly services: AuthServices;
  readonly redis: Redis | null;
  readonly rateLimitFallback?: RateLimitFallback | null;
  readonly metaOf: (req: IncomingMessage) => RequestMeta;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
}

const SOCIAL_CALLBACK_PREFIX = '/oauth/social/callback/';

function page(status: number, text: string): { status: number; body: string } {
  return { status, body: `<!doctype html><meta charset="utf-8"><title>VegShare</title><p>${text}</p>` };
}

/**
 * POST /oauth/social/callback/<provider>: where a form_post provider (Apple) sends the browser back. The sign-in's own
 * redirect URI (kept on the server when it started) receives the code; what the provider posts once (Apple's name) is
 * kept for the account.
 */
function socialCallbackRoute(services: AuthServices, logger: Logger): RouteHandler {
  return async (req, res) => {
    const provider = (req.url ?? '').split('?')[0]?.slice(SOCIAL_CALLBACK_PREFIX.length) ?? '';
    let answer = page(400, 'This sign-in has expired or was already used. Go back to the app and start again.');
    if (req.method !== 'POST') answer = page(405, 'Method not allowed.');
    else {
      try {
        const target = await services.social.relayFormPost(provider, new URLSearchParams(await readBody(req, 16_384)));
        if (target) {
          res.writeHead(303, {
            location: target,
            'cache-control': 'no-store',
            'referrer-policy': 'no-referrer',
            'content-length': 0,
          });
          res.end();
          return;
        }
        logger.info({ provider }, 'social callback with an unknown or spent state');
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        answer = page(413, 'Request too large.');
      }
    }
    res.writeHead(answer.status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
  };
}

/** Partner OAuth (token, introspection, revocation, metadata) and the social sign-in callback, behind the gateway. */
export function oauthRoutes(deps: OAuthRouteDeps): Record<string, RouteHandler> {
  const { config, services } = deps;
  const server = new PartnerAuthorizationServer({
    db: deps.db,
    clients: services.oauthClients,
    tokens: services.tokens,
    revocations: services.revocations,
    verificationKeys: services.keys.getKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    publicApiUrl: socialSettingsFrom(config).publicApiUrl,
    tokenTtlSeconds: config.API_KEY_TOKEN_TTL_SECONDS,
    ipLimitPerMinute: config.OAUTH_TOKEN_IP_LIMIT,
    rateLimitPrefix: config.RATE_LIMIT_PREFIX,
    redis: deps.redis,
    rateLimitFallback: deps.rateLimitFallback ?? null,
    metaOf: deps.metaOf,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  return { ...server.routes(), [`${SOCIAL_CALLBACK_PREFIX}*`]: socialCallbackRoute(services, deps.logger) };
}
