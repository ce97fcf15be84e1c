import * as oidc from 'openid-client';
import { importPKCS8, SignJWT } from 'jose';
import type { ProviderSettings, SocialProviderId, SocialSettings } from './settings.ts';

/** How long discovered provider metadata is reused before it is fetched again. */
const METADATA_TTL_MS = 6 * 3_600_000;
/** Lifetime of the client secret we sign for Apple (Apple accepts up to six months). */
const APPLE_SECRET_TTL_S = 3600;
/** Timeout of every call to a provider (discovery, token exchange, JWKS, user info). */
export const PROVIDER_TIMEOUT_S = 10;

/** The authorization request one sign-in sends (its secrets stay on the server). */
export interface AuthorizationParams {
  /** Where the provider sends the browser back: the app's URI, or our relay for form_post providers. */
  readonly redirectUri: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeChallenge: string;
}

/** A signed client secret for Apple (ES256, `iss` team, `sub` client, `aud` Apple's issuer), renewed before it expires. */
class AppleClientSecret {
  #current: { value: string; renewAt: number } | null = null;

  constructor(private readonly provider: ProviderSettings & { credentials: { kind: 'apple' } }) {}

  async value(): Promise<string> {
    if (this.#current && Date.now() < this.#current.renewAt) return this.#current.value;
    const { teamId, keyId, privateKeyPem } = this.provider.credentials;
    const key = await importPKCS8(privateKeyPem, 'ES256');
    const value = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: keyId })
      .setIssuer(teamId)
      .setSubject(this.provider.clientId)
      .setAudience(this.provider.endpoints.issuer)
      .setIssuedAt()
      .setExpirationTime(`${APPLE_SECRET_TTL_S}s`)
      .sign(key);
    this.#current = { value, renewAt: Date.now() + (APPLE_SECRET_TTL_S - 300) * 1000 };
    return value;
  }
}

interface CachedConfiguration {
  readonly config: oidc.Configuration;
  readonly loadedAt: number;
}

/**
 * openid-client Configurations of the enabled providers: OpenID Connect providers through discovery (cached,
 * re-fetched after a while or after a failure), OAuth2-only providers (VK ID, Yandex ID) from explicit endpoints.
 */
export class ProviderClients {
  readonly #cache = new Map<SocialProviderId, Promise<CachedConfiguration>>();
  readonly #appleSecrets = new Map<SocialProviderId, AppleClientSecret>();

  constructor(private readonly settings: SocialSettings) {}

  #clientAuth(provider: ProviderSettings): oidc.ClientAuth {
    const { credentials } = provider;
    switch (credentials.kind) {
      case 'none':
        return oidc.None();
      case 'secret':
        return oidc.ClientSecretPost(credentials.secret);
      case 'apple': {
        this.#appleSecrets.set(provider.id, new AppleClientSecret({ ...provider, credentials }));
        // The token request is built synchronously, so the secret is signed beforehand (prepare()).
        return (_as, client, body) => {
          const secret = this.#preparedSecret.get(provider.id);
          if (!secret) throw new Error('Apple client secret not prepared');
          body.set('client_id', client.client_id);
          body.set('client_secret', secret);
        };
      }
    }
  }

  readonly #preparedSecret = new Map<SocialProviderId, string>();

  async #build(provider: ProviderSettings): Promise<CachedConfiguration> {
    const { endpoints } = provider;
    const insecure = endpoints.issuer.startsWith('http://') && this.settings.allowHttp(endpoints.issuer);
    const options = { timeout: PROVIDER_TIMEOUT_S, ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}) };
    let config: oidc.Configuration;
    if (endpoints.kind === 'oidc') {
      config = await oidc.discovery(
        new URL(endpoints.issuer),
        provider.clientId,
        undefined,
        this.#clientAuth(provider),
        options,
      );
    } else {
      config = new oidc.Configuration(
        {
          issuer: endpoints.issuer,
          authorization_endpoint: endpoints.authorizationEndpoint,
          token_endpoint: endpoints.tokenEndpoint,
        },
        provider.clientId,
        undefined,
        this.#clientAuth(provider),
      );
      config.timeout = PROVIDER_TIMEOUT_S;
      if (insecure) oidc.allowInsecureRequests(config);
    }
    return { config, loadedAt: Date.now() };
  }

  /** The provider's configuration; a failed discovery is not remembered, so the next sign-in tries again. */
  async configuration(provider: ProviderSettings): Promise<oidc.Configuration> {
    let pending = this.#cache.get(provider.id);
    if (pending) {
      const cached = await pending.catch(() => null);
      if (cached && Date.now() - cached.loadedAt < METADATA_TTL_MS) return cached.config;
      if (this.#cache.get(provider.id) === pending) this.#cache.delete(provider.id);
    }
    pending = this.#cache.get(provider.id) ?? this.#build(provider);
    this.#cache.set(provider.id, pending);
    try {
      return (await pending).config;
    } catch (error) {
      if (this.#cache.get(provider.id) === pending) this.#cache.delete(provider.id);
      throw error;
    }
  }

  /** Signs what the next token request needs ahead of time (Apple's client secret). */
  async prepare(provider: ProviderSettings): Promise<void> {
    const secret = this.#appleSecrets.get(provider.id);
    if (secret) this.#preparedSecret.set(provider.id, await secret.value());
  }

  /** The URL that sends the browser to the provider: PKCE (S256), state, and a nonce for OpenID Connect. */
  async authorizationUrl(provider: ProviderSettings, params: AuthorizationParams): Promise<URL> {
    const config = await this.configuration(provider);
    const query: Record<string, string> = {
      redirect_uri: params.redirectUri,
      scope: provider.scope,
      state: params.state,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    };
    if (provider.endpoints.kind === 'oidc') query['nonce'] = params.nonce;
    if (provider.formPost) query['response_mode'] = 'form_post';
    return oidc.buildAuthorizationUrl(config, query);
  }
}
