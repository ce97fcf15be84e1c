import { z } from 'zod';
import { configFields } from '@vegshare/kit';

/** The social providers we know; each is enabled by setting its client id (and secret or keys). */
const SOCIAL_PROVIDERS = ['vk', 'yandex', 'google', 'apple'] as const;
export type SocialProviderId = (typeof SOCIAL_PROVIDERS)[number];

/** The app's deep link scheme (mobile/app.json), allow-listed as a redirect target by default. */
const APP_SCHEME_REDIRECT = 'vegshare://auth/callback';

const optionalText = z.string().trim().min(1).optional();

/**
 * Variables of social sign-in and of our own OAuth2 authorization server, spread into auth's env.ts schema (which stays
 * the only reader of process.env).
 */
export const socialConfigShape = {
  /** Public origin of the gateway: partners call `<PUBLIC_API_URL>/oauth/token` there and Apple posts sign-ins back to it. */
  PUBLIC_API_URL: configFields.url.default('http://localhost:4000'),
  /** Comma-separated redirect URIs the app may ask a social sign-in to return to (exact match). */
  SOCIAL_REDIRECT_URIS: z.string().default(''),
  /** Token, introspection and revocation requests per client IP per minute. */
  OAUTH_TOKEN_IP_LIMIT: z.coerce.number().int().min(1).default(300),
  /** VK ID app id; VK ID exchanges codes with PKCE and the app id alone (no secret). */
  VK_CLIENT_ID: optionalText,
  /** VK ID's base URL: `/authorize`, `/oauth2/auth` (token), `/oauth2/user_info`. */
  VK_ID_URL: configFields.url.default('https://id.vk.com'),
  YANDEX_CLIENT_ID: optionalText,
  YANDEX_CLIENT_SECRET: optionalText,
  /** Yandex OAuth's base URL: `/authorize`, `/token`. */
  YANDEX_OAUTH_URL: configFields.url.default('https://oauth.yandex.ru'),
  /** Yandex ID API's base URL: `/info` (user information). */
  YANDEX_LOGIN_URL: configFields.url.default('https://login.yandex.ru'),
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  /** Google's OpenID Connect issuer (discovery). */
  GOOGLE_ISSUER: configFields.url.default('https://accounts.google.com'),
  /** Sign in with Apple: the Services ID. */
  APPLE_CLIENT_ID: optionalText,
  APPLE_TEAM_ID: optionalText,
  /** Id of the Sign in with Apple key (Certificates, Identifiers & Profiles → Keys). */
  APPLE_KEY_ID: optionalText,
  /** That key's PKCS#8 PEM (`\n` escapes allowed); signs the ES256 client secret Apple requires. */
  APPLE_PRIVATE_KEY: optionalText,
  /** Apple's OpenID Connect issuer (discovery). */
  APPLE_ISSUER: configFields.url.default('https://appleid.apple.com'),
};

const socialObject = z.object(socialConfigShape);
type SocialEnv = z.infer<typeof socialObject> & { readonly NODE_ENV: string; readonly APP_URL: string };

/** How our server reaches one provider and reads who signed in. */
type ProviderEndpoints =
  | { readonly kind: 'oidc'; readonly issuer: string }
  | {
      readonly kind: 'oauth2';
      readonly issuer: string;
      readonly authorizationEndpoint: string;
      readonly tokenEndpoint: string;
      readonly userInfoEndpoint: string;
    };

export interface ProviderSettings {
  readonly id: SocialProviderId;
  /** Name shown on the app's button. */
  readonly displayName: string;
  readonly clientId: string;
  readonly endpoints: ProviderEndpoints;
  readonly scope: string;
  /** `client_secret_post` with a static secret, none (PKCE and the client id: VK ID), or Apple's ES256-signed client secret. */
  readonly credentials:
    | { readonly kind: 'none' }
    | { readonly kind: 'secret'; readonly secret: string }
    | { readonly kind: 'apple'; readonly teamId: string; readonly keyId: string; readonly privateKeyPem: string };
  /** The provider posts the response to our server (Apple with name/email scopes), which relays it to the app. */
  readonly formPost: boolean;
}

export interface SocialSettings {
  readonly providers: ReadonlyMap<SocialProviderId, ProviderSettings>;
  readonly redirectUris: ReadonlySet<string>;
  /** Where form_post providers send the browser back: `<PUBLIC_API_URL>/oauth/social/callback/<provider>`. */
  readonly callbackUrl: (provider: SocialProviderId) => string;
  readonly publicApiUrl: string;
  /**
   * Whether a http:// provider URL may be used: outside production any (local test providers), in production only on
   * loopback, where the traffic never leaves the machine (a local stand-in provider).
   */
  readonly allowHttp: (url: string) => boolean;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** http://127.x.x.x, http://[::1] or http://localhost: nothing sent there leaves the machine, so TLS adds nothing. */
function isLoopbackHttp(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return (
    protocol === 'http:' && (hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname))
  );
}

/** Reports variables that only make sense together (a client id without its secret…) and http URLs in production. */
export function checkSocialConfig(c: SocialEnv, ctx: z.RefinementCtx): void {
  const together: [string, ...(keyof SocialEnv)[]][] = [
    ['YANDEX', 'YANDEX_CLIENT_ID', 'YANDEX_CLIENT_SECRET'],
    ['GOOGLE', 'GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'],
    ['APPLE', 'APPLE_CLIENT_ID', 'APPLE_TEAM_ID', 'APPLE_KEY_ID', 'APPLE_PRIVATE_KEY'],
  ];
  for (const [, ...keys] of together) {
    const set = keys.filter((k) => c[k] !== undefined);
    if (set.length > 0 && set.length < keys.length) {
      for (const k of keys.filter((key) => c[key] === undefined))
        ctx.addIssue({ code: 'custom', path: [k], message: `required with ${set.join(', ')}` });
    }
  }
  if (c.APPLE_PRIVATE_KEY && !c.APPLE_PRIVATE_KEY.replace(/\\n/g, '\n').includes('-----BEGIN PRIVATE KEY-----')) {
    ctx.addIssue({
      code: 'custom',
      path: ['APPLE_PRIVATE_KEY'],
      message: 'expected a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)',
    });
  }
  for (const uri of splitList(c.SOCIAL_REDIRECT_URIS)) {
    if (!URL.canParse(uri) || /[#?]/.test(uri))
      ctx.addIssue({
        code: 'custom',
        path: ['SOCIAL_REDIRECT_URIS'],
        message: `not an absolute URI without query or fragment: ${uri}`,
      });
  }
  if (c.NODE_ENV === 'production') {
    for (const key of ['VK_ID_URL', 'YANDEX_OAUTH_URL', 'YANDEX_LOGIN_URL', 'GOOGLE_ISSUER', 'APPLE_ISSUER'] as const) {
      if (!c[key].startsWith('https://') && !isLoopbackHttp(c[key]))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'must be https:// in production (http only on loopback)',
        });
    }
  }
}

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The providers enabled by the configuration, with their endpoints and quirks. */
export function socialSettingsFrom(c: SocialEnv): SocialSettings {
  const providers = new Map<SocialProviderId, ProviderSettings>();
  if (c.VK_CLIENT_ID) {
    const base = trimSlash(c.VK_ID_URL);
    providers.set('vk', {
      id: 'vk',
      displayName: 'VK ID',
      clientId: c.VK_CLIENT_ID,
      // VK ID speaks OAuth 2.1 with PKCE but not OpenID Connect: no discovery, user data from its own user_info method.
      endpoints: {
        kind: 'oauth2',
        issuer: base,
        authorizationEndpoint: `${base}/authorize`,
        tokenEndpoint: `${base}/oauth2/auth`,
        userInfoEndpoint: `${base}/oauth2/user_info`,
      },
      scope: 'vkid.personal_info email',
      credentials: { kind: 'none' },
      formPost: false,
    });
  }
  if (c.YANDEX_CLIENT_ID && c.YANDEX_CLIENT_SECRET) {
    const oauth = trimSlash(c.YANDEX_OAUTH_URL);
    providers.set('yandex', {
      id: 'yandex',
      displayName: 'Yandex ID',
      clientId: c.YANDEX_CLIENT_ID,
      endpoints: {
        kind: 'oauth2',
        issuer: oauth,
        authorizationEndpoint: `${oauth}/authorize`,
        tokenEndpoint: `${oauth}/token`,
        userInfoEndpoint: `${trimSlash(c.YANDEX_LOGIN_URL)}/info?format=json`,
      },
      scope: 'login:email login:info',
      credentials: { kind: 'secret', secret: c.YANDEX_CLIENT_SECRET },
      formPost: false,
    });
  }
  if (c.GOOGLE_CLIENT_ID && c.GOOGLE_CLIENT_SECRET) {
    providers.set('google', {
      id: 'google',
      displayName: 'Google',
      clientId: c.GOOGLE_CLIENT_ID,
      endpoints: { kind: 'oidc', issuer: c.GOOGLE_ISSUER },
      scope: 'openid email profile',
      credentials: { kind: 'secret', secret: c.GOOGLE_CLIENT_SECRET },
      formPost: false,
    });
  }
  if (c.APPLE_CLIENT_ID && c.APPLE_TEAM_ID && c.APPLE_KEY_ID && c.APPLE_PRIVATE_KEY) {
    providers.set('apple', {
      id: 'apple',
      displayName: 'Apple',
      clientId: c.APPLE_CLIENT_ID,
      endpoints: { kind: 'oidc', issuer: c.APPLE_ISSUER },
      scope: 'openid email name',
      credentials: {
        kind: 'apple',
        teamId: c.APPLE_TEAM_ID,
        keyId: c.APPLE_KEY_ID,
        privateKeyPem: c.APPLE_PRIVATE_KEY.replace(/\\n/g, '\n'),
      },
      // Apple requires response_mode=form_post when name or email is requested.
      formPost: true,
    });
  }
  const configured = splitList(c.SOCIAL_REDIRECT_URIS);
  // Compared and sent in URL-normalized form: what the provider receives is exactly what is allow-listed.
  const redirectUris = new Set(
    (configured.length ? configured : [`${trimSlash(c.APP_URL)}/auth/callback`, APP_SCHEME_REDIRECT]).map(
      (u) => new URL(u).href,
    ),
  );
  const publicApiUrl = trimSlash(c.PUBLIC_API_URL);
  return {
    providers,
    redirectUris,
    publicApiUrl,
    callbackUrl: (provider) => `${publicApiUrl}/oauth/social/callback/${provider}`,
    allowHttp: (url) => c.NODE_ENV !== 'production' || isLoopbackHttp(url),
  };
}
