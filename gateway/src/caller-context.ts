import type { IncomingHttpHeaders } from 'node:http';
import { viewerFromHeaders, type TokenVerifier, type Viewer } from '@vegshare/kit/gateway';
import type { GatewayContext } from './context.ts';
import { invalidApiKey, keyId, type ApiKeyExchanger } from './api-keys.ts';
import type { GatewayRateLimits } from './rate-limits.ts';

export interface CallerContextDeps {
  readonly verifier: TokenVerifier;
  readonly exchanger: ApiKeyExchanger;
  readonly limits: GatewayRateLimits;
}

/** The caller's credentials: its own Authorization header, or the token a partner API key is exchanged for. */
async function credentialsOf(
  headers: IncomingHttpHeaders,
  deps: CallerContextDeps,
): Promise<{ authHeaders: IncomingHttpHeaders; apiKey: string | null }> {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey !== 'string' || headers.authorization) return { authHeaders: headers, apiKey: null };
  await deps.limits.consumeApiKey(keyId(apiKey));
  return { authHeaders: { authorization: await deps.exchanger.authorizationFor(apiKey) }, apiKey };
}

/** The verified viewer; a refused token exchanged for a revoked key is forgotten, so the next call asks auth again. */
async function verifiedViewer(
  authHeaders: IncomingHttpHeaders,
  apiKey: string | null,
  deps: CallerContextDeps,
): Promise<Viewer | null> {
  try {
    return await viewerFromHeaders(authHeaders, deps.verifier);
  } catch (error) {
    if (apiKey === null) throw error;
    deps.exchanger.forget(apiKey);
    throw invalidApiKey();
  }
}

/**
 * The caller: a bearer token, or a partner API key exchanged for one; anonymous otherwise. Partner credentials are
 * rate-limited: an API key per key before the exchange, an OAuth client_credentials token per client once verified.
 */
export function callerContext(
  deps: CallerContextDeps,
): (headers: IncomingHttpHeaders, clientIp: string) => Promise<GatewayContext> {
  return async (headers, clientIp) => {
    const { authHeaders, apiKey } = await credentialsOf(headers, deps);
    const viaApiKey = apiKey !== null;
    const viewer = await verifiedViewer(authHeaders, apiKey, deps);
    // A partner's OAuth client_credentials token (no session, the client's id as `akid`): limited per client, as a key is
    // per key. Counted only once the token is verified, so nobody spends another client's budget with a forged one.
    const sessionless = viewer !== null && viewer.sessionId === null;
    if (!viaApiKey && viewer?.sessionId === null && viewer.apiKeyId !== null)
      await deps.limits.consumeOAuthClient(viewer.apiKeyId);
    return {
      viewer,
      authorization: viewer ? (authHeaders.authorization ?? null) : null,
      // A partner's OAuth client_credentials token (no session, like an exchanged API key) is the integration surface too.
      viaApiKey: viaApiKey || sessionless,
      clientIp,
      userAgent: headers['user-agent'] ?? null,
    };
  };
}

/** The headers a graphql-ws connection_init carries in its payload (and the upgrade request's user agent), as the HTTP path reads them. */
export function connectionHeaders(
  params: Readonly<Record<string, unknown>>,
  userAgent: string | null,
): IncomingHttpHeaders {
  const authorization = params['authorization'] ?? params['Authorization'];
  const apiKey = params['x-api-key'];
  return {
    ...(typeof authorization === 'string' ? { authorization } : {}),
    ...(typeof apiKey === 'string' ? { 'x-api-key': apiKey } : {}),
    ...(userAgent ? { 'user-agent': userAgent } : {}),
  };
}
