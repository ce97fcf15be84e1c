import * as oidc from 'openid-client';
import { z } from 'zod';
import { PROVIDER_TIMEOUT_S, type ProviderClients } from './provider-clients.ts';
import type { ProviderSettings } from './settings.ts';

/** Who signed in at the provider, as far as the provider vouches for it. */
export interface ProviderProfile {
  /** The provider's stable user id. */
  readonly subject: string;
  /** Lowercased; null when the provider shared none. */
  readonly email: string | null;
  /** The provider states that the user controls this address (OpenID Connect `email_verified`). */
  readonly emailVerified: boolean;
  /** An Apple private relay address. */
  readonly privateEmail: boolean;
  readonly displayName: string | null;
}

/** What the app hands back from the provider's redirect, and what the start of the sign-in kept on the server. */
export interface CodeExchange {
  /** The redirect URI the provider was given (the app's, or our relay). */
  readonly redirectUri: string;
  readonly code: string;
  readonly state: string;
  /** RFC 9207 `iss` from the redirect, when the provider sends one. */
  readonly iss: string | null;
  /** VK ID's `device_id` from the redirect, required by its token endpoint. */
  readonly deviceId: string | null;
  readonly codeVerifier: string;
  readonly nonce: string;
  /** A name the provider posted once (Apple's `user` on the first sign-in). */
  readonly postedName: string | null;
}

/** The provider refused or answered something we cannot trust; `detail` is for the log only. */
class ProviderRejected extends Error {
  override readonly name = 'ProviderRejected';
}

const MAX_NAME = 80;
const cleanName = (...parts: (string | null | undefined)[]): string | null => {
  const name = parts
    .filter((p): p is string => typeof p === 'string' && p.trim().length > 0)
    .join(' ')
    // eslint-disable-next-line no-control-regex -- matching control characters is the point: they are stripped
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, MAX_NAME);
  return name || null;
};
const cleanEmail = (email: unknown): string | null => {
  if (typeof email !== 'string') return null;
  const parsed = z.email().max(254).safeParse(email.trim().toLowerCase());
  return parsed.success ? parsed.data : null;
};
/** Apple sends booleans as strings ("true"); others as booleans. */
const truthy = (value: unknown): boolean => value === true || value === 'true';

const vkUserInfo = z.object({
  user: z.object({
    user_id: z.union([z.string().regex(/^\d{1,20}$/), z.number().int().positive()]).transform(String),
    first_name: z.string().max(200).optional(),
    last_name: z.string().max(200).optional(),
    email: z.string().max(320).optional(),
  }),
});

const yandexInfo = z.object({
  id: z.string().regex(/^\d{1,30}$/),
  client_id: z.string().optional(),
  login: z.string().max(200).optional(),
  default_email: z.string().max(320).optional(),
  display_name: z.string().max(200).optional(),
  real_name: z.string().max(200).optional(),
  first_name: z.string().max(200).optional(),
  last_name: z.string().max(200).optional(),
});

async function fetchJson(url: string, init: RequestInit, what: string): Promise<unknown> {
  const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(PROVIDER_TIMEOUT_S * 1000) });
  const text = await res.text();
  if (!res.ok) throw new ProviderRejected(`${what} answered ${res.status}`);
  if (text.length > 65_536) throw new ProviderRejected(`${what} answer too large`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderRejected(`${what} answered something other than JSON`);
  }
}

/** VK ID: user data from its own `user_info` method (POST client_id + access_token), not OpenID Connect's. */
async function vkProfile(
  provider: ProviderSettings & { endpoints: { kind: 'oauth2' } },
  accessToken: string,
  tokenUserId: unknown,
): Promise<ProviderProfile> {
  const body = new URLSearchParams({ client_id: provider.clientId, access_token: accessToken });
  const parsed = vkUserInfo.safeParse(
    await fetchJson(
      provider.endpoints.userInfoEndpoint,
      { method: 'POST', body, headers: { accept: 'application/json' } },
      'VK ID user_info',
    ),
  );
  if (!parsed.success) throw new ProviderRejected('VK ID user_info: unexpected shape');
  const { user } = parsed.data;
  if (tokenUserId !== undefined && String(tokenUserId) !== user.user_id)
    throw new ProviderRejected('VK ID user_info is about another user than the token');
  // VK ID does not say whether the address was confirmed: it is treated as unverified.
  return {
    subject: user.user_id,
    email: cleanEmail(user.email),
    emailVerified: false,
    privateEmail: false,
    displayName: cleanName(user.first_name, user.last_name),
  };
}

/** Yandex ID: `GET /info?format=json` with `Authorization: OAuth <token>` (its own scheme, not Bearer). */
async function yandexProfile(
  provider: ProviderSettings & { endpoints: { kind: 'oauth2' } },
  accessToken: string,
): Promise<ProviderProfile> {
  const parsed = yandexInfo.safeParse(
    await fetchJson(
      provider.endpoints.userInfoEndpoint,
      { headers: { authorization: `OAuth ${accessToken}`, accept: 'application/json' } },
      'Yandex ID info',
    ),
  );
  if (!parsed.success) throw new ProviderRejected('Yandex ID info: unexpected shape');
  const info = parsed.data;
  if (info.client_id !== undefined && info.client_id !== provider.clientId)
    throw new ProviderRejected('Yandex ID token was issued to another app');
  return {
    subject: info.id,
    email: cleanEmail(info.default_email),
    emailVerified: false,
    privateEmail: false,
    displayName:
      cleanName(info.display_name) ??
      cleanName(info.real_name) ??
      cleanName(info.first_name, info.last_name) ??
      cleanName(info.login),
  };
}

/** OpenID Connect: the validated ID token's claims (Apple's string booleans and one-time posted name included). */
function oidcProfile(claims: oidc.IDToken, postedName: string | null): ProviderProfile {
  const email = cleanEmail(claims['email']);
  return {
    subject: claims.sub,
    email,
    emailVerified: email !== null && truthy(claims['email_verified']),
    privateEmail: truthy(claims['is_private_email']),
    displayName:
      postedName ??
      cleanName(typeof claims['name'] === 'string' ? claims['name'] : null) ??
      cleanName(claims['given_name'] as string | undefined, claims['family_name'] as string | undefined),
  };
}

/**
 * Exchanges the code (PKCE verifier, state, and for OpenID Connect the nonce, all checked by openid-client) and reads
 * who signed in. Throws ProviderRejected, or openid-client's errors, for anything the provider refused or got wrong.
 */
export async function exchangeCode(
  clients: ProviderClients,
  provider: ProviderSettings,
  exchange: CodeExchange,
): Promise<ProviderProfile> {
  const config = await clients.configuration(provider);
  await clients.prepare(provider);
  const callback = new URL(exchange.redirectUri);
  callback.searchParams.set('code', exchange.code);
  callback.searchParams.set('state', exchange.state);
  if (exchange.iss !== null) callback.searchParams.set('iss', exchange.iss);
  const extra: Record<string, string> = {};
  if (provider.id === 'vk') {
    if (!exchange.deviceId) throw new ProviderRejected('VK ID redirect without device_id');
    extra['device_id'] = exchange.deviceId;
  }
  const isOidc = provider.endpoints.kind === 'oidc';
  const tokens = await oidc.authorizationCodeGrant(
    config,
    callback,
    {
      pkceCodeVerifier: exchange.codeVerifier,
      expectedState: exchange.state,
      ...(isOidc ? { expectedNonce: exchange.nonce, idTokenExpected: true } : {}),
    },
    extra,
  );
  if (isOidc) {
    const claims = tokens.claims();
    if (!claims) throw new ProviderRejected('no ID token');
    return oidcProfile(claims, exchange.postedName);
  }
  const endpoints = provider.endpoints;
  if (endpoints.kind !== 'oauth2') throw new ProviderRejected('unreachable');
  const withEndpoints = { ...provider, endpoints };
  return provider.id === 'vk'
    ? vkProfile(withEndpoints, tokens.access_token, tokens['user_id'])
    : yandexProfile(withEndpoints, tokens.access_token);
}
