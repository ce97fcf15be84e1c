import * as oidc from 'openid-client';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import {
  badInput,
  conflict,
  domainError,
  ErrorCode,
  topics,
  isUniqueViolation,
  forbidden,
  notFound,
  unauthenticated,
  type RawExecutor,
  type ServiceEvents,
  type UserRegistered,
} from '@vegshare/kit';
import type { AuthDb } from '../../db.ts';
import type { DeviceTokens } from '../device-tokens.ts';
import type {
  SocialIdentity as IdentityRow,
  SocialLinkTicket as TicketRow,
  User as UserRow,
} from '../../generated/prisma/client.ts';
import type { PasswordService } from '../passwords/hasher.ts';
import type { AuthRateLimits } from '../rate-limits.ts';
import type { Outbox } from '../outbox.ts';
import type { RequestMeta } from '../../adapters/http/request-meta.ts';
import type { Sessions, SignedIn } from '../sessions.ts';
import { auditLogin } from '../audit.ts';
import { randomSecret, sha256 } from '../secrets.ts';
import { exchangeCode, type ProviderProfile } from './profiles.ts';
import type { ProviderClients } from './provider-clients.ts';
import type { ProviderSettings, SocialProviderId, SocialSettings } from './settings.ts';

/** How long a started sign-in waits for its code. */
const REQUEST_TTL_MS = 10 * 60_000;
/** How long a provider identity waits for proof (password, or the mailed code once it is sent). */
const TICKET_TTL_MS = 15 * 60_000;
const CODE_TTL_MS = 30 * 60_000;
/** Expired sign-ins and tickets are deleted at most this often (by whichever request comes along). */
const SWEEP_INTERVAL_MS = 60_000;
const MAX_NAME = 80;

export type SocialSignInOutcome =
  | {
      readonly status: 'SIGNED_IN';
      readonly provider: SocialProviderId;
      readonly auth: SignedIn;
      readonly identity: IdentityRow;
    }
  | { readonly status: 'LINKED'; readonly provider: SocialProviderId; readonly identity: IdentityRow }
  /** The provider verified an email that belongs to an account: the user must prove that account first. */
  | {
      readonly status: 'PROOF_REQUIRED';
      readonly provider: SocialProviderId;
      readonly ticket: string;
      readonly email: string;
    }
  /** The provider did not vouch for an email (or shared none): a code mailed to the address decides. */
  | {
      readonly status: 'EMAIL_CONFIRMATION_REQUIRED';
      readonly provider: SocialProviderId;
      readonly ticket: string;
      readonly email: string | null;
    };

export interface SocialAuthorization {
  readonly authorizationUrl: string;
  readonly state: string;
  readonly expiresAt: Date;
}

export interface CompleteInput {
  readonly state: string;
  readonly code: string;
  readonly iss: string | null;
  readonly deviceId: string | null;
}

export interface SocialSignInDeps {
  readonly db: AuthDb;
  readonly settings: SocialSettings;
  readonly clients: ProviderClients;
  readonly sessions: Sessions;
  readonly passwords: PasswordService;
  readonly limits: AuthRateLimits;
  readonly outbox: Outbox;
  /** Durable events (UserRegistered). */
  readonly events: ServiceEvents;
  /** Device tokens, as a password sign-in hands out (they let this device through the account's back-off later). */
  readonly devices: DeviceTokens;
  readonly logger: Logger;
  readonly appUrl: string;
}

/** Thrown inside a transaction to roll it back: the pending sign-up was completed from its mailbox meanwhile. */
class SignUpCompletedMeanwhile extends Error {}

const invalidState = () => badInput('This sign-in has expired or was already used; start again', 'input.state');
const invalidTicket = () => badInput('This sign-in has expired or was already finished; start again', 'ticket');
const invalidCode = () => badInput('This link is invalid or has expired; start the sign-in again', 'code');
const providerRejected = (provider: ProviderSettings) =>
  domainError(ErrorCode.UNAUTHENTICATED, `${provider.displayName} did not confirm the sign-in; start again`, {
    reason: 'PROVIDER_REJECTED',
  });
const providerUnreachable = (provider: ProviderSettings) =>
  new GraphQLError(`${provider.displayName} cannot be reached right now; try again shortly`, {
    extensions: { code: 'SERVICE_UNAVAILABLE' },
  });

// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are stripped
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** The name Apple posts once, on the first authorization: `{"name": {"firstName", "lastName"}}`. */
function postedNameOf(raw: string | null): string | null {
  if (!raw || raw.length > 4096) return null;
  try {
    const user = JSON.parse(raw) as { name?: { firstName?: unknown; lastName?: unknown } };
    const parts = [user.name?.firstName, user.name?.lastName].filter(
      (p): p is string => typeof p === 'string' && p.trim().length > 0,
    );
    const name = parts.join(' ').replace(CONTROL_CHARACTERS, '').trim().slice(0, MAX_NAME);
    return name || null;
  } catch {
    return null;
  }
}

/**
 * Sign-in with VK ID, Yandex ID, Google and Apple. A provider identity signs in the account it is linked to; a new one
 * becomes an account only when the provider verified an email nobody uses; an email that belongs to an account links
 * only after that account is proven (its password, or a code mailed to it) — never silently; an email the provider did
 * not verify (or none) is confirmed by a mailed code first. Signed-in users link and unlink identities but never remove
 * their last way to sign in.
 */
export class SocialSignIn {
  #nextSweep = 0;

  constructor(private readonly deps: SocialSignInDeps) {}

  /** The providers the app may offer. */
  providers(): ProviderSettings[] {
    return [...this.deps.settings.providers.values()];
  }

  #provider(id: string, field: string): ProviderSettings {
    const provider = this.deps.settings.providers.get(id as SocialProviderId);
    if (!provider) throw badInput(`Sign-in with ${id} is not configured here`, field);
    return provider;
  }

  async #sweep(): Promise<void> {
    const now = Date.now();
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + SWEEP_INTERVAL_MS;
    const before = new Date(now - 3_600_000);
    await this.deps.db.socialAuthRequest.deleteMany({ where: { expiresAt: { lt: before } } });
    await this.deps.db.socialLinkTicket.deleteMany({ where: { expiresAt: { lt: before } } });
  }

  /**
   * Starts a sign-in: the URL to open in the system browser, with state, PKCE (S256) and for OpenID Connect a nonce.
   * With `linkUserId` (a signed-in user) the identity will be linked to that account instead.
   */
  async start(
    providerId: string,
    redirectUri: string,
    linkUserId: string | null,
    meta: RequestMeta,
  ): Promise<SocialAuthorization> {
    const provider = this.#provider(providerId, 'provider');
    const redirect = URL.canParse(redirectUri) ? new URL(redirectUri).href : null;
    if (!redirect || !this.deps.settings.redirectUris.has(redirect))
      throw badInput('This redirect URI is not allowed', 'redirectUri');
    await this.deps.limits.loginAttempt(meta.ip);
    await this.#sweep();
    const state = randomSecret();
    const nonce = randomSecret();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    let url: URL;
    try {
      url = await this.deps.clients.authorizationUrl(provider, {
        redirectUri: provider.formPost ? this.deps.settings.callbackUrl(provider.id) : redirect,
        state,
        nonce,
        codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      });
    } catch (err) {
      this.deps.logger.warn({ err, provider: provider.id }, 'social provider discovery failed');
      throw providerUnreachable(provider);
    }
    const expiresAt = new Date(Date.now() + REQUEST_TTL_MS);
    await this.deps.db.socialAuthRequest.create({
      data: {
        stateHash: sha256(state),
        provider: provider.id,
        redirectUri: redirect,
        codeVerifier,
        nonce,
        linkUserId,
        expiresAt,
      },
    });
    return { authorizationUrl: url.href, state, expiresAt };
  }

  /**
   * A provider that answers with form_post (Apple) posts to us; we keep what it posts only once (the user's name) and
   * send the browser on to the app's redirect URI (from the started sign-in, never from the request) with the code.
   * Null when the state is unknown or spent.
   */
  async relayFormPost(providerId: string, form: URLSearchParams): Promise<string | null> {
    const state = form.get('state');
    if (!state || state.length > 256) return null;
    const request = await this.deps.db.socialAuthRequest.findFirst({
      where: { stateHash: sha256(state), provider: providerId, usedAt: null, expiresAt: { gt: new Date() } },
    });
    if (!request) return null;
    const postedName = postedNameOf(form.get('user'));
    if (postedName) await this.deps.db.socialAuthRequest.update({ where: { id: request.id }, data: { postedName } });
    const target = new URL(request.redirectUri);
    for (const key of ['code', 'state', 'iss', 'error', 'error_description']) {
      const value = form.get(key);
      if (value !== null) target.searchParams.set(key, value.slice(0, 2048));
    }
    return target.href;
  }

  /** Finishes a sign-in with the code the provider sent back to the app. */
  /** `linkingUser` resolves the signed-in user (asked only when the sign-in was started to link an identity). */
  async complete(
    input: CompleteInput,
    linkingUser: () => Promise<string | null>,
    meta: RequestMeta,
  ): Promise<SocialSignInOutcome> {
    await this.deps.limits.loginAttempt(meta.ip);
    const now = new Date();
    const stateHash = sha256(input.state);
    // The state is spent first, whatever happens next: a code can be tried once per started sign-in.
    const spent = await this.deps.db.socialAuthRequest.updateMany({
      where: { stateHash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    const request =
      spent.count === 1 ? await this.deps.db.socialAuthRequest.findUnique({ where: { stateHash } }) : null;
    if (!request) throw invalidState();
    const provider = this.#provider(request.provider, 'input.state');
    if (request.linkUserId && request.linkUserId !== (await linkingUser()))
      throw forbidden('Finish linking while signed in to the account that started it');
    const method = `social:${provider.id}`;
    let profile: ProviderProfile;
    try {
      profile = await exchangeCode(this.deps.clients, provider, {
        redirectUri: provider.formPost ? this.deps.settings.callbackUrl(provider.id) : request.redirectUri,
        code: input.code,
        state: input.state,
        iss: input.iss,
        deviceId: input.deviceId,
        codeVerifier: request.codeVerifier,
        nonce: request.nonce,
        postedName: request.postedName,
      });
    } catch (err) {
      this.deps.logger.info({ err, provider: provider.id }, 'social sign-in refused');
      await auditLogin(this.deps.db, {
        email: `${provider.id}:unknown`,
        userId: null,
        outcome: 'BAD_CREDENTIALS',
        meta,
        method,
      });
      throw providerRejected(provider);
    }
    const known = await this.deps.db.socialIdentity.findUnique({
      where: { provider_subject: { provider: provider.id, subject: profile.subject } },
    });
    if (request.linkUserId) return this.#linkToSignedIn(provider, profile, known, request.linkUserId);
    if (known) {
      const identity = await this.deps.db.socialIdentity.update({
        where: { id: known.id },
        data: this.#identityData(profile, now),
      });
      const user = await this.deps.db.user.findUniqueOrThrow({ where: { id: known.userId } });
      return {
        status: 'SIGNED_IN',
        provider: provider.id,
        identity,
        auth: await this.#signIn(user, provider.id, meta),
      };
    }
    if (profile.email && profile.emailVerified) {
      let owner = await this.deps.db.user.findUnique({ where: { email: profile.email } });
      if (!owner) {
        const created = await this.#createAccount(provider.id, profile, profile.email).catch((error: unknown) => {
          if (isUniqueViolation(error)) return null; // the email or the identity was taken meanwhile: treat as existing
          throw error;
        });
        if (created)
          return {
            status: 'SIGNED_IN',
            provider: provider.id,
            identity: created.identity,
            auth: await this.#signIn(created.user, provider.id, meta),
          };
        owner = await this.deps.db.user.findUniqueOrThrow({ where: { email: profile.email } });
      }
      if (owner.pendingSignUp) {
        // The provider proved the mailbox that the pending sign-up never did: the proven owner takes the address.
        const claimed = await this.#claimPendingSignUp(owner, provider.id, profile, null);
        if (claimed)
          return {
            status: 'SIGNED_IN',
            provider: provider.id,
            identity: claimed.identity,
            auth: await this.#signIn(claimed.user, provider.id, meta),
          };
      }
      const ticket = await this.#ticket(provider.id, profile, owner.id);
      return { status: 'PROOF_REQUIRED', provider: provider.id, ticket, email: owner.email };
    }
    const ticket = await this.#ticket(provider.id, profile, null);
    return { status: 'EMAIL_CONFIRMATION_REQUIRED', provider: provider.id, ticket, email: profile.email };
  }

  async #linkToSignedIn(
    provider: ProviderSettings,
    profile: ProviderProfile,
    known: IdentityRow | null,
    userId: string,
  ): Promise<SocialSignInOutcome> {
    if (known) {
      if (known.userId !== userId)
        throw conflict(`This ${provider.displayName} account is already linked to another VegShare account`);
      return { status: 'LINKED', provider: provider.id, identity: known };
    }
    const identity = await this.#link(this.deps.db, userId, provider.id, profile);
    return { status: 'LINKED', provider: provider.id, identity };
  }

  #identityData(profile: ProviderProfile, now = new Date()) {
    return {
      email: profile.email,
      emailVerified: profile.emailVerified,
      privateEmail: profile.privateEmail,
      displayName: profile.displayName,
      lastUsedAt: now,
    };
  }

  async #link(
    tx: Pick<AuthDb, 'socialIdentity'>,
    userId: string,
    provider: string,
    profile: ProviderProfile,
  ): Promise<IdentityRow> {
    try {
      return await tx.socialIdentity.create({
        data: { userId, provider, subject: profile.subject, ...this.#identityData(profile) },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('This provider account is already linked to a VegShare account');
      throw error;
    }
  }

  /** A new CUSTOMER account for a proven email, without a password, with the identity linked. */
  async #createAccount(
    provider: string,
    profile: ProviderProfile,
    email: string,
  ): Promise<{ user: UserRow; identity: IdentityRow }> {
    const result = await this.deps.db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email, passwordHash: null, roles: ['CUSTOMER'], emailVerifiedAt: new Date() },
      });
      const identity = await tx.socialIdentity.create({
        data: { userId: user.id, provider, subject: profile.subject, ...this.#identityData(profile) },
      });
      await this.#announce(tx, user, profile);
      return { user, identity };
    });
    return result;
  }

  /** UserRegistered, named from the provider (never from what an unproven sign-up typed). */
  async #announce(tx: RawExecutor, user: UserRow, profile: ProviderProfile): Promise<void> {
    const displayName = profile.displayName ?? user.email.split('@')[0]?.slice(0, MAX_NAME) ?? 'VegShare user';
    const event: UserRegistered = { userId: user.id, email: user.email, displayName, roles: user.roles };
    await this.deps.events.enqueue(tx, topics.userRegistered, event);
  }

  /**
   * A sign-up still pending confirmation (signUp, no completeSignUp yet) is a claim on an address that nobody proved,
   * not an account: whoever proves the mailbox (the provider's verified email, or our mailed code) takes it. The account
   * becomes this identity's, and nothing the unproven sign-up supplied survives — its password is discarded and its
   * emailed code spent — so someone who signed up with another person's address cannot keep a way in once the owner
   * arrives (account pre-hijacking). The owner who did sign up sets a password with the password-reset mail. Null when
   * the sign-up was completed meanwhile (then it is an account like any other).
   */
  async #claimPendingSignUp(
    pending: UserRow,
    provider: string,
    profile: ProviderProfile,
    ticketId: string | null,
  ): Promise<{ user: UserRow; identity: IdentityRow } | null> {
    const now = new Date();
    let claimed: { user: UserRow; identity: IdentityRow };
    try {
      claimed = await this.deps.db.$transaction(async (tx) => {
        if (ticketId) await this.#spendTicket(tx, ticketId);
        // Tokens first, as completeSignUp spends its token before it updates the user: the same lock order.
        await tx.oneTimeToken.updateMany({
          where: { userId: pending.id, purpose: 'EMAIL_VERIFICATION', usedAt: null },
          data: { usedAt: now },
        });
        const [user] = await tx.user.updateManyAndReturn({
          where: { id: pending.id, pendingSignUp: true },
          data: {
            pendingSignUp: false,
            pendingDisplayName: null,
            passwordHash: null,
            passwordChangedAt: now,
            emailVerifiedAt: now,
          },
        });
        if (!user) throw new SignUpCompletedMeanwhile();
        const identity = await this.#link(tx, user.id, provider, profile);
        await this.#announce(tx, user, profile);
        return { user, identity };
      });
    } catch (error) {
      if (error instanceof SignUpCompletedMeanwhile) return null;
      throw error;
    }
    this.deps.logger.info({ userId: claimed.user.id, provider }, 'pending sign-up claimed by a proven social identity');
    return claimed;
  }

  async #ticket(provider: string, profile: ProviderProfile, userId: string | null): Promise<string> {
    const ticket = randomSecret();
    await this.deps.db.socialLinkTicket.create({
      data: {
        ticketHash: sha256(ticket),
        provider,
        subject: profile.subject,
        email: profile.email,
        emailVerified: profile.emailVerified,
        privateEmail: profile.privateEmail,
        displayName: profile.displayName,
        userId,
        expiresAt: new Date(Date.now() + TICKET_TTL_MS),
      },
    });
    return ticket;
  }

  async #openTicket(ticket: string): Promise<TicketRow> {
    const row = await this.deps.db.socialLinkTicket.findUnique({ where: { ticketHash: sha256(ticket) } });
    if (!row || row.usedAt || row.expiresAt <= new Date()) throw invalidTicket();
    return row;
  }

  async #spendTicket(tx: Pick<AuthDb, 'socialLinkTicket'>, id: string): Promise<void> {
    const { count } = await tx.socialLinkTicket.updateMany({
      where: { id, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (count !== 1) throw invalidTicket();
  }

  #profileOf(row: TicketRow): ProviderProfile {
    return {
      subject: row.subject,
      email: row.email,
      emailVerified: row.emailVerified,
      privateEmail: row.privateEmail,
      displayName: row.displayName,
    };
  }

  async #signIn(user: UserRow, provider: string, meta: RequestMeta): Promise<SignedIn> {
    const signedIn = await this.deps.sessions.start(user, meta, { email: user.email, method: `social:${provider}` });
    return { ...signedIn, deviceToken: this.deps.devices.issue(user.id) };
  }

  /** Proves the account with its password (rate-limited and audited like a login), links the identity and signs in. */
  async proveWithPassword(ticket: string, password: string, meta: RequestMeta): Promise<SignedIn> {
    await this.deps.limits.loginAttempt(meta.ip);
    const row = await this.#openTicket(ticket);
    const user = row.userId
      ? await this.deps.db.user.findUnique({ where: { id: row.userId } })
      : row.email
        ? await this.deps.db.user.findUnique({ where: { email: row.email } })
        : null;
    const accountKey = user?.email ?? row.email ?? `${row.provider}:${row.subject}`;
    await this.deps.limits.assertAccountOpen(accountKey);
    const check = user
      ? await this.deps.passwords.verify(user.passwordHash, password)
      : { ok: await this.deps.passwords.verifyDummy(password) };
    const method = `social:${row.provider}`;
    // A pending sign-up's password was never proven by its mailbox: it proves nothing (and says so like a wrong one).
    if (!user || !check.ok || user.pendingSignUp) {
      await this.deps.limits.accountFailure(accountKey);
      await auditLogin(this.deps.db, {
        email: accountKey,
        userId: user?.id ?? null,
        outcome: 'BAD_CREDENTIALS',
        meta,
        method,
      });
      throw unauthenticated('The password is incorrect');
    }
    await this.deps.db.$transaction(async (tx) => {
      await this.#spendTicket(tx, row.id);
      await this.#link(tx, user.id, row.provider, this.#profileOf(row));
    });
    await this.deps.limits.accountSuccess(accountKey);
    return this.#signIn(user, row.provider, meta);
  }

  /**
   * Mails a single-use code (and a link carrying it) to the account the provider's verified email belongs to
   * (PROOF_REQUIRED), or, when the provider did not vouch for an address, to that address or one the user types, for a
   * new account. An unvouched address that already has an account gets a warning and no code: otherwise a provider
   * account set up with someone else's address (or a typed one) could have its owner click the identity onto their own
   * account. That owner links with the password (proveSocialLinkWithPassword) or from a signed-in session instead.
   * The answer is the same either way.
   */
  async sendCode(ticket: string, email: string | null, meta: RequestMeta): Promise<boolean> {
    const row = await this.#openTicket(ticket);
    let target: string | null;
    let warnOnly = false;
    if (row.userId) {
      const owner = await this.deps.db.user.findUnique({ where: { id: row.userId } });
      if (!owner) throw invalidTicket();
      if (email !== null && email !== owner.email)
        throw badInput('The code goes to the account this provider email belongs to', 'email');
      target = owner.email;
    } else {
      target = email ?? row.email;
      // A pending sign-up is no account yet: the code goes out, and whoever holds the mailbox takes the address.
      if (target) warnOnly = (await this.deps.db.user.count({ where: { email: target, pendingSignUp: false } })) > 0;
    }
    if (!target) throw badInput('Enter the email address to confirm', 'email');
    await this.deps.limits.emailRequest(meta.ip, target);
    const provider = this.deps.settings.providers.get(row.provider as SocialProviderId)?.displayName ?? row.provider;
    const appUrl = this.deps.appUrl.replace(/\/$/, '');
    if (warnOnly) {
      const link = `${appUrl}/settings`;
      await this.deps.db.$transaction((tx) =>
        this.deps.outbox.enqueue(tx, {
          kind: 'SOCIAL_LINK',
          to: target,
          subject: `Someone tried to sign in to VegShare with ${provider} using this address`,
          body: `Someone tried to sign in to VegShare with a ${provider} account that gives this email address, which already has a VegShare account. ${provider} does not confirm that address, so nothing was linked.\n\nIf it was you, sign in to VegShare and link ${provider} in your settings (${link}), or enter your VegShare password when the app asks for it.\n\nIf it was not you, you need not do anything.\n`,
          link,
        }),
      );
      return true;
    }
    const code = randomSecret();
    const link = `${appUrl}/link-account?code=${code}`;
    await this.deps.db.$transaction(async (tx) => {
      await tx.socialLinkTicket.update({
        where: { id: row.id },
        data: { codeHash: sha256(code), codeEmail: target, expiresAt: new Date(Date.now() + CODE_TTL_MS) },
      });
      await this.deps.outbox.enqueue(tx, {
        kind: 'SOCIAL_LINK',
        to: target,
        subject: `Confirm signing in to VegShare with ${provider}`,
        body: `Someone is signing in to VegShare with ${provider} using this email address. If it was you, open this link within 30 minutes:\n\n${link}\n\nCode: ${code}\n\nIf it was not you, ignore this email: nothing changes without the code.\n`,
        link,
      });
    });
    return true;
  }

  /**
   * Spends a mailed code: links the identity to the proven account (PROOF_REQUIRED), or makes a new account for the
   * confirmed address, and signs in.
   */
  async confirmCode(code: string, meta: RequestMeta): Promise<SignedIn> {
    await this.deps.limits.loginAttempt(meta.ip);
    const row = await this.deps.db.socialLinkTicket.findUnique({ where: { codeHash: sha256(code) } });
    if (!row?.codeEmail || row.usedAt || row.expiresAt <= new Date()) throw invalidCode();
    const email = row.codeEmail;
    const profile = this.#profileOf(row);
    let user: UserRow;
    if (row.userId) {
      const ownerId = row.userId;
      user = await this.deps.db.$transaction(async (tx) => {
        await this.#spendTicket(tx, row.id);
        await this.#link(tx, ownerId, row.provider, profile);
        const owner = await tx.user.findUniqueOrThrow({ where: { id: ownerId } });
        // The mailbox is proven.
        return owner.emailVerifiedAt
          ? owner
          : tx.user.update({ where: { id: ownerId }, data: { emailVerifiedAt: new Date() } });
      });
    } else {
      const existing = await this.deps.db.user.findUnique({ where: { email } });
      const claimed = existing?.pendingSignUp
        ? await this.#claimPendingSignUp(existing, row.provider, profile, row.id)
        : null;
      if (claimed) return this.#signIn(claimed.user, row.provider, meta);
      if (existing)
        throw conflict(
          'This email address has an account meanwhile: sign in to it and link the provider from your settings',
        );
      await this.#spendTicket(this.deps.db, row.id);
      user = (
        await this.#createAccount(row.provider, profile, email).catch((error: unknown) => {
          if (isUniqueViolation(error))
            throw conflict('This email or provider account was registered meanwhile; start the sign-in again');
          throw error;
        })
      ).user;
    }
    return this.#signIn(user, row.provider, meta);
  }

  identitiesOf(userId: string): Promise<IdentityRow[]> {
    return this.deps.db.socialIdentity.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 20,
    });
  }

  /** Removes one of the user's identities, unless it is their last way to sign in (no password, no other identity). */
  async unlink(userId: string, identityId: string): Promise<boolean> {
    await this.deps.db.$transaction(async (tx) => {
      // One change of a user's sign-in methods at a time: two concurrent unlinks cannot both see "another one left".
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`sign-in-methods:${userId}`}, 0))`;
      const identity = await tx.socialIdentity.findFirst({ where: { id: identityId, userId } });
      if (!identity) throw notFound('SocialIdentity', identityId);
      const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
      const others = await tx.socialIdentity.count({ where: { userId, id: { not: identityId } } });
      if (user.passwordHash === null && others === 0) {
        throw conflict(
          'This is your only way to sign in: set a password (request a password reset) or link another provider first',
        );
      }
      await tx.socialIdentity.delete({ where: { id: identityId } });
    });
    return true;
  }
}
