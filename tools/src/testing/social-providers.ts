// Local identity providers for tests: real OpenID Connect / OAuth 2.0 servers (oidc-provider, the certified
// authorization server library) configured to behave like VK ID, Yandex ID, Google and Apple, quirks included:
// - google: OpenID Connect with discovery; `email_verified` a boolean.
// - apple: OpenID Connect; response_mode=form_post; the client secret is an ES256 JWT signed with the team's key;
//   `email_verified`/`is_private_email` as strings; private relay addresses; the user's name only in the first
//   form_post (`user` JSON), never in the ID token.
// - vk: OAuth 2.1 without OpenID Connect at /authorize and /oauth2/auth (public client with PKCE); the redirect carries
//   `device_id`, which the token request must send back; the token response names `user_id`; user data from
//   POST /oauth2/user_info (client_id + access_token) as {"user": {...}}; emails unverified.
// - yandex: OAuth 2.0 at /authorize and /token; user data from GET /info with `Authorization: OAuth <token>`.
// A test chooses who signs in (`signInAs`) and drives the browser part with `followSignIn`.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import Provider, { type AccountClaims, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

export type FakeProviderKind = 'google' | 'apple' | 'vk' | 'yandex';

export interface FakeAccount {
  readonly sub: string;
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly givenName?: string;
  readonly familyName?: string;
  /** Apple: a private relay address. */
  readonly privateEmail?: boolean;
}

export interface FakeProvider {
  readonly kind: FakeProviderKind;
  readonly url: string;
  readonly clientId: string;
  /** Variables that point auth at this provider. */
  readonly env: Readonly<Record<string, string>>;
  /** The real oidc-provider instance (tests may inspect it). */
  readonly provider: Provider;
  /** Who signs in at the next authorization (an account id added with `addAccount`). */
  signInAs(sub: string): void;
  addAccount(account: FakeAccount): void;
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  /** Redirect URIs registered for our client (the app's, or auth's form_post callback for Apple). */
  readonly redirectUris: readonly string[];
}

const SCOPES = ['openid', 'email', 'profile', 'name', 'vkid.personal_info', 'login:email', 'login:info'];

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function readRaw(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts one provider on an ephemeral loopback port. */
export async function startFakeProvider(kind: FakeProviderKind, options: FakeProviderOptions): Promise<FakeProvider> {
  const server = createServer();
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  const clientId =
    kind === 'vk'
      ? String(51_000_000 + Math.floor(Math.random() * 1_000_000))
      : `${kind}-client-${randomBytes(4).toString('hex')}`;
  const clientSecret = `${kind}-secret-${randomBytes(12).toString('hex')}`;
  const accounts = new Map<string, FakeAccount>();
  /** Apple posts the user's name only on the first authorization of each account. */
  const namePosted = new Set<string>();
  let current: string | null = null;

  const signing = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = {
    ...(await exportJWK(signing.privateKey)),
    kid: `${kind}-${randomBytes(4).toString('hex')}`,
    alg: 'RS256',
    use: 'sig',
  };
  const apple =
    kind === 'apple'
      ? { teamId: 'TEAM123456', keyId: 'KEY1234567', keys: await generateKeyPair('ES256', { extractable: true }) }
      : null;

  const claimsOf = (account: FakeAccount): AccountClaims => {
    const claims: AccountClaims = { sub: account.sub };
    if (account.email !== undefined) {
      claims['email'] = account.email;
      // Apple sends booleans as strings.
      claims['email_verified'] =
        kind === 'apple' ? String(account.emailVerified ?? true) : (account.emailVerified ?? false);
      if (kind === 'apple') claims['is_private_email'] = String(account.privateEmail ?? false);
    }
    if (kind !== 'apple') {
      if (account.givenName) claims['given_name'] = account.givenName;
      if (account.familyName) claims['family_name'] = account.familyName;
      const name = [account.givenName, account.familyName].filter(Boolean).join(' ');
      if (name) claims['name'] = name;
    }
    return claims;
  };

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: kind === 'vk' ? 'none' : 'client_secret_post',
      },
    ],
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    scopes: SCOPES,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified', 'is_private_email'],
      profile: ['name', 'given_name', 'family_name'],
    },
    pkce: { required: () => true },
    // Google and Apple put the email claims in the ID token itself (Apple has no userinfo endpoint at all).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    extraParams: kind === 'vk' ? ['device_id'] : [],
    routes:
      kind === 'vk'
        ? { authorization: '/authorize', token: '/oauth2/auth' }
        : kind === 'yandex'
          ? { authorization: '/authorize', token: '/token' }
          : {},
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: () => claimsOf(account) } : undefined;
    },
  };
  const provider = new Provider(url, configuration);

  if (apple) {
    // Apple's client secret is a JWT signed with the developer's key: verified here as Apple does.
    const publicKey = apple.keys.publicKey;
    provider.Client.prototype.compareClientSecret = async function compare(this: { clientId: string }, actual: string) {
      try {
        await jwtVerify(actual, publicKey, {
          issuer: apple.teamId,
          subject: this.clientId,
          audience: url,
          algorithms: ['ES256'],
        });
        return true;
      } catch {
        return false;
      }
    };
  }

  provider.use(async (ctx: KoaContextWithOIDC, next) => {
    // The login and consent pages: the chosen account signs in and consents at once.
    if (ctx.path.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      if (!current || !accounts.has(current)) {
        ctx.status = 400;
        ctx.body = 'no account chosen (signInAs)';
        return;
      }
      const grant = new provider.Grant({ accountId: current, clientId: String(details.params['client_id']) });
      grant.addOIDCScope(String(details.params['scope'] ?? ''));
      const grantId = await grant.save();
      const returnTo = await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: current }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      ctx.redirect(returnTo);
      return;
    }
    // VK ID: user data from its own method, not OpenID Connect's userinfo.
    if (kind === 'vk' && ctx.path === '/oauth2/user_info' && ctx.method === 'POST') {
      const form = new URLSearchParams(await readRaw(ctx.req));
      const token = await provider.AccessToken.find(form.get('access_token') ?? '');
      if (!token || form.get('client_id') !== clientId || !token.accountId) {
        ctx.status = 401;
        ctx.body = { error: 'invalid_token' };
        return;
      }
      const account = accounts.get(token.accountId);
      ctx.body = {
        user: {
          user_id: token.accountId,
          first_name: account?.givenName ?? '',
          last_name: account?.familyName ?? '',
          ...(account?.email ? { email: account.email } : {}),
        },
      };
      return;
    }
    // Yandex ID: `Authorization: OAuth <token>`, its own answer shape.
    if (kind === 'yandex' && ctx.path === '/info' && ctx.method === 'GET') {
      const match = /^OAuth (.+)$/.exec(ctx.get('authorization'));
      const token = match?.[1] ? await provider.AccessToken.find(match[1]) : undefined;
      if (!token?.accountId) {
        ctx.status = 401;
        ctx.body = 'invalid token';
        return;
      }
      const account = accounts.get(token.accountId);
      const name = [account?.givenName, account?.familyName].filter(Boolean).join(' ');
      ctx.body = {
        id: token.accountId,
        login: `user${token.accountId}`,
        client_id: clientId,
        ...(account?.email ? { default_email: account.email, emails: [account.email] } : {}),
        ...(name
          ? { display_name: name, real_name: name, first_name: account?.givenName, last_name: account?.familyName }
          : {}),
        psuid: `1.${randomBytes(6).toString('base64url')}`,
      };
      return;
    }
    await next();
    // VK ID: the redirect to the app carries device_id; the token answer names the user.
    if (kind === 'vk') {
      const location = ctx.response.get('location');
      if (location && /[?&]code=/.test(location))
        ctx.set('location', `${location}&device_id=${encodeURIComponent(`dev-${randomUUID()}`)}`);
      const body = ctx.body as Record<string, unknown> | undefined;
      if (ctx.path === '/oauth2/auth' && body && typeof body['access_token'] === 'string') {
        const token = await provider.AccessToken.find(body['access_token']);
        if (token?.accountId) ctx.body = { ...body, user_id: Number(token.accountId) };
      }
    }
    // Apple: the name, once per account, in the form posted back (never in the ID token).
    if (
      apple &&
      typeof ctx.body === 'string' &&
      ctx.body.includes('<form method="post"') &&
      current &&
      !namePosted.has(current)
    ) {
      const account = accounts.get(current);
      if (account?.givenName || account?.familyName) {
        namePosted.add(current);
        const user = JSON.stringify({
          name: { firstName: account.givenName ?? '', lastName: account.familyName ?? '' },
          email: account.email ?? '',
        }).replace(/"/g, '&quot;');
        ctx.body = ctx.body.replace('</form>', `<input type="hidden" name="user" value="${user}"/></form>`);
      }
    }
  });

  // VK ID's token endpoint requires the device_id the redirect carried.
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (kind === 'vk' && req.method === 'POST' && (req.url ?? '').startsWith('/oauth2/auth')) {
      void readRaw(req).then((raw) => {
        if (!new URLSearchParams(raw).get('device_id')) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_request', error_description: 'device_id is required' }));
          return;
        }
        (req as IncomingMessage & { body?: string }).body = raw;
        void callback(req, res);
      });
      return;
    }
    void callback(req, res);
  });

  const env: Record<string, string> =
    kind === 'google'
      ? { GOOGLE_CLIENT_ID: clientId, GOOGLE_CLIENT_SECRET: clientSecret, GOOGLE_ISSUER: url }
      : kind === 'vk'
        ? { VK_CLIENT_ID: clientId, VK_ID_URL: url }
        : kind === 'yandex'
          ? {
              YANDEX_CLIENT_ID: clientId,
              YANDEX_CLIENT_SECRET: clientSecret,
              YANDEX_OAUTH_URL: url,
              YANDEX_LOGIN_URL: url,
            }
          : {
              APPLE_CLIENT_ID: clientId,
              APPLE_TEAM_ID: apple?.teamId ?? '',
              APPLE_KEY_ID: apple?.keyId ?? '',
              APPLE_PRIVATE_KEY: await exportPKCS8(apple?.keys.privateKey as CryptoKey),
              APPLE_ISSUER: url,
            };
  return {
    kind,
    url,
    clientId,
    env,
    provider,
    signInAs: (sub) => {
      current = sub;
    },
    addAccount: (account) => accounts.set(account.sub, account),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's cookies, per origin (enough for a provider's login round trip). */
class CookieJar {
  readonly #byOrigin = new Map<string, Map<string, string>>();

  header(url: URL): string {
    return [...(this.#byOrigin.get(url.origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  store(url: URL, res: Response): void {
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 1) continue;
      let jar = this.#byOrigin.get(url.origin);
      if (!jar) this.#byOrigin.set(url.origin, (jar = new Map()));
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}

const decodeHtml = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * What a browser does between the authorization URL and the app: follows the provider's redirects (with cookies) and
 * submits a form_post page; returns the URL the browser finally reaches under `appRedirectPrefix` (the app's redirect
 * URI with code and state). `headersFor` adds headers per request (a test without the gateway in front of auth adds the
 * gateway secret the gateway would add to the form_post callback).
 */
export async function followSignIn(
  authorizationUrl: string,
  appRedirectPrefix: string,
  headersFor: (url: URL) => Record<string, string> = () => ({}),
): Promise<URL> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < 12; hop++) {
    if (url.href.startsWith(appRedirectPrefix)) return url;
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string> | undefined), ...headersFor(url), cookie: jar.header(url) },
    });
    jar.store(url, res);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      if (!location) throw new Error(`redirect without location from ${url.href}`);
      url = new URL(location, url);
      init = {};
      continue;
    }
    const html = await res.text();
    const form = /<form method="post"[^>]*action="([^"]+)"/.exec(html);
    if (res.status === 200 && form?.[1]) {
      const fields = new URLSearchParams();
      for (const input of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g))
        fields.set(input[1] ?? '', decodeHtml(input[2] ?? ''));
      url = new URL(decodeHtml(form[1]), url);
      init = {
        method: 'POST',
        body: fields.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      };
      continue;
    }
    throw new Error(`sign-in stopped at ${url.href} with ${res.status}: ${html.slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}
