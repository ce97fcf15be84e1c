import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  GATEWAY_SECRET_HEADER,
  readBody,
  sendJson,
  type Logger,
  type RouteHandler,
} from '@vegshare/kit/gateway';

/** Auth's public OAuth surface, served at the gateway's origin (subgraphs listen on loopback only). */
export const OAUTH_PROXY_PATHS = [
  '/oauth/token',
  '/oauth/introspect',
  '/oauth/revoke',
  '/oauth/social/callback/*',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks.json',
] as const;

const MAX_BODY = 32_768;
const TIMEOUT_MS = 10_000;
const REQUEST_HEADERS = ['content-type', 'authorization', 'accept', 'user-agent'] as const;
const RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'pragma',
  'www-authenticate',
  'retry-after',
  'location',
  'referrer-policy',
] as const;

export interface OAuthProxyOptions {
  readonly authUrl: string;
  readonly gatewaySecret: string | undefined;
  readonly logger: Logger;
  /** The client's address as the gateway determines it (TRUSTED_PROXIES), forwarded as x-forwarded-for. */
  readonly clientIpOf: (req: IncomingMessage) => string;
}

/**
 * Forwards partners' OAuth requests (token, introspection, revocation, metadata, JWKS) and providers' form_post
 * sign-in callbacks to the auth service, with the gateway secret and the client's address; only a fixed set of
 * headers passes either way.
 */
export function oauthProxyRoutes(options: OAuthProxyOptions): Record<string, RouteHandler> {
  const forward: RouteHandler = async (req: IncomingMessage, res: ServerResponse, search: string) => {
    let body: string | undefined;
    if (req.method === 'POST') {
      try {
        body = await readBody(req, MAX_BODY);
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          return sendJson(res, 413, { error: 'invalid_request', error_description: 'Request body too large' });
        throw error;
      }
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed' });
    }
    const headers: Record<string, string> = { 'x-forwarded-for': options.clientIpOf(req) };
    for (const name of REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (options.gatewaySecret) headers[GATEWAY_SECRET_HEADER] = options.gatewaySecret;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let upstream: Response;
    try {
      upstream = await fetch(new URL(`${path}${search ? `?${search.replace(/^\?/, '')}` : ''}`, options.authUrl), {
        method: req.method ?? 'GET',
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      options.logger.error({ err, path }, 'oauth proxy: auth unreachable');
      return sendJson(res, 503, {
        error: 'temporarily_unavailable',
        error_description: 'Authentication service unavailable',
      });
    }
    const payload = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string | number> = { 'content-length': payload.length };
    for (const name of RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) out[name] = value;
    }
    res.writeHead(upstream.status, out);
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
  return Object.fromEntries(OAUTH_PROXY_PATHS.map((path) => [path, forward]));
}
