import type { Logger } from 'pino';
import {
  badInput,
  conflict,
  topics,
  isUniqueViolation,
  notFound,
  unauthenticated,
  type Role,
  type ServiceEvents,
  type UserRegistered,
} from '@vegshare/kit';
import type { AuthDb, AuthSql } from '../db.ts';
import type { User as UserRow } from '../generated/prisma/client.ts';
import type { PasswordService } from './passwords/hasher.ts';
import { assertAcceptablePassword } from './passwords/policy.ts';
import { AuthRateLimits, type AccountState } from './rate-limits.ts';
import type { Outbox } from './outbox.ts';
import type { RequestMeta } from '../adapters/http/request-meta.ts';
import type { Sessions, SignedIn } from './sessions.ts';
import { auditLogin } from './audit.ts';
import { userByEmail } from './sign-in-lookup.ts';
import { consumeOneTimeToken, issueOneTimeToken } from './one-time-tokens.ts';
import type { AccessRevocations } from './revocations.ts';
import type { DeviceTokens } from './device-tokens.ts';
import { GraphQLError } from 'graphql';

export interface AccountDeps {
  readonly db: AuthDb;
  /** The pool under `db`, for the sign-in lookup (see AuthSql). */
  readonly sql: AuthSql;
  readonly passwords: PasswordService;
  readonly sessions: Sessions;
  readonly limits: AuthRateLimits;
  readonly outbox: Outbox;
  /** Durable events (UserRegistered), written to the outbox in the account's transaction. */
  readonly events: ServiceEvents;
  readonly revocations: AccessRevocations;
  readonly devices: DeviceTokens;
  readonly logger: Logger;
  readonly appUrl: string;
}

/** The single answer for an unknown email and a wrong password (no account enumeration). */
const badCredentials = () => unauthenticated('Email or password is incorrect');
const invalidLink = () => badInput('This link is invalid or has expired; request a new one', 'token');

/** Account life cycle: registration, sign-in, passwords, email verification and reset, roles. */
export class Accounts {
  constructor(private readonly deps: AccountDeps) {}

  #link(path: string, token: string): string {
    return `${this.deps.appUrl.replace(/\/$/, '')}/${path}?token=${token}`;
  }

  async #sendVerification(
    tx: Pick<AuthDb, 'oneTimeToken' | 'outboxMessage'>,
    user: Pick<UserRow, 'id' | 'email'>,
  ): Promise<void> {
    const token = await issueOneTimeToken(tx, user.id, 'EMAIL_VERIFICATION');
    const link = this.#link('verify-email', token);
    await this.deps.outbox.enqueue(tx, {
      kind: 'EMAIL_VERIFICATION',
      to: user.email,
      subject: 'Confirm your VegShare email',
      body: `Welcome to VegShare! Confirm your email address by opening this link within 24 hours:\n\n${link}\n\nVerification code: ${token}\n`,
      link,
    });
  }

  async register(
    input: { email: string; password: string; displayName: string },
    meta: RequestMeta,
  ): Promise<SignedIn> {
    assertAcceptablePassword(input.password, 'input.password', input.email);
    await this.deps.limits.registration(meta.ip);
    const passwordHash = await this.deps.passwords.hash(input.password);
    let user: UserRow;
    try {
      user = await this.deps.db.$transaction(async (tx) => {
        const created = await tx.user.create({ data: { email: input.email, passwordHash, roles: ['CUSTOMER'] } });
        await this.#sendVerification(tx, created);
        const event: UserRegistered = {
          userId: created.id,
          email: created.email,
          displayName: input.displayName,
          roles: created.roles,
        };
        await this.deps.events.enqueue(tx, topics.userRegistered, event);
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw conflict('An account with this email already exists; sign in or reset the password');
      throw error;
    }
    return { ...(await this.deps.sessions.start(user, meta)), deviceToken: this.deps.devices.issue(user.id) };
  }

  /**
   * Signs in. Per IP and per account limits apply; a device that signed in to this account before (its device token)
   * is let through the account's back-off, so an attacker's failures from elsewhere do not lock the owner out.
   */
  /**
   * Starts an account without saying whether the email is taken: the answer is the same either way. A new address
   * gets a pending account and a code by email (completeSignUp turns it into a signed-in account); the owner of an
   * existing one gets an email saying someone tried to sign up with it. Both paths hash the password (same time).
   */
  async signUp(
    input: { email: string; password: string; displayName: string },
    meta: RequestMeta,
  ): Promise<{ accepted: true; email: string }> {
    assertAcceptablePassword(input.password, 'input.password', input.email);
    await this.deps.limits.registration(meta.ip);
    await this.deps.limits.emailRequest(meta.ip, input.email);
    const passwordHash = await this.deps.passwords.hash(input.password);
    await this.deps.db.$transaction(async (tx) => {
      const existing = await tx.user.findUnique({ where: { email: input.email } });
      if (existing && !existing.pendingSignUp) {
        await this.deps.outbox.enqueue(tx, {
          kind: 'ACCOUNT_EXISTS',
          to: existing.email,
          subject: 'Someone tried to create a VegShare account with your email',
          body: `Someone asked to create a VegShare account with this address, which already has one. If it was you, sign in (or reset your password: ${this.#appLink('reset-password')}). If it was not, you need not do anything.\n`,
          link: this.#appLink('sign-in'),
        });
        return;
      }
      const user = existing
        ? await tx.user.update({
            where: { id: existing.id },
            data: { passwordHash, pendingDisplayName: input.displayName },
          })
        : await tx.user.create({
            data: {
              email: input.email,
              passwordHash,
              roles: ['CUSTOMER'],
              pendingSignUp: true,
              pendingDisplayName: input.displayName,
            },
          });
      await this.#sendVerification(tx, user);
    });
    return { accepted: true, email: input.email };
  }

  /**
   * Completes a sign-up with the code from its email: the mailbox is proven, the password given here becomes the
   * account's (so a code requested by someone else cannot hand them the account), and this device is signed in.
   */
  async completeSignUp(input: { token: string; password: string }, meta: RequestMeta): Promise<SignedIn> {
    await this.deps.limits.loginAttempt(meta.ip);
    const passwordHash = await this.deps.passwords.hash(input.password);
    const completed = await this.deps.db.$transaction(async (tx) => {
      const userId = await consumeOneTimeToken(tx, input.token, 'EMAIL_VERIFICATION');
      if (!userId) return null;
      const user = await tx.user.findUniqueOrThrow({ where: { id: userId } });
      assertAcceptablePassword(input.password, 'input.password', user.email);
      const wasPending = user.pendingSignUp;
      const updated = await tx.user.update({
        where: { id: userId },
        data: {
          pendingSignUp: false,
          pendingDisplayName: null,
          emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
          ...(wasPending ? { passwordHash } : {}),
        },
      });
      if (wasPending) {
        const event: UserRegistered = {
          userId: updated.id,
          email: updated.email,
          displayName: user.pendingDisplayName ?? 'VegShare member',
          roles: updated.roles,
        };
        await this.deps.events.enqueue(tx, topics.userRegistered, event);
      }
      return { user: updated, wasPending, displayName: user.pendingDisplayName };
    });
    if (!completed) throw invalidLink();
    if (!completed.wasPending) throw invalidLink();
    const { user } = completed;
    const signedIn = await this.deps.sessions.start(user, meta, { email: user.email });
    return { ...signedIn, deviceToken: this.deps.devices.issue(user.id) };
  }

  #appLink(path: string): string {
    return `${this.deps.appUrl.replace(/\/$/, '')}/${path}`;
  }

  async login(
    input: { email: string; password: string; deviceToken?: string | null },
    meta: RequestMeta,
  ): Promise<SignedIn> {
    const { email } = input;
    // What the hash waits for, started together: the account, the per-IP count and the account's back-off do not
    // depend on each other, so a sign-in waits for one round trip to Postgres and one to Redis before its hash instead
    // of three in a row (each an event-loop wake-up on a machine whose cores the hashes keep busy). Failures are
    // answered in the order of before: the lookup's, the per-IP limit, then the back-off.
    const [found, attempt, backOff] = await Promise.allSettled([
      userByEmail(this.deps.sql, email),
      this.deps.limits.loginAttempt(meta.ip),
      this.deps.limits.accountState(email),
    ]);
    if (found.status === 'rejected') throw found.reason;
    const user = found.value;
    const device = user ? this.deps.devices.deviceOf(input.deviceToken, user.id) : null;
    let account: AccountState;
    try {
      if (attempt.status === 'rejected') throw attempt.reason;
      if (backOff.status === 'rejected') throw backOff.reason;
      account = backOff.value;
      // A device that signed in to this account before passes its back-off (asked only when there is one).
      if (account.lockedFor !== null && !(device && (await this.deps.limits.deviceTrusted(device))))
        throw AuthRateLimits.accountLocked(account);
    } catch (error) {
      if (error instanceof GraphQLError)
        await auditLogin(this.deps.db, { email, userId: null, outcome: 'RATE_LIMITED', meta });
      throw error;
    }
    const result = user
      ? await this.deps.passwords.verify(user.passwordHash, input.password)
      : { ok: await this.deps.passwords.verifyDummy(input.password), upgradedHash: null };
    // A sign-up not completed from its mailbox cannot sign in, and says so no differently than a wrong password.
    if (!user || !result.ok || user.pendingSignUp) {
      await this.deps.limits.accountFailure(email);
      if (device) await this.deps.limits.deviceFailure(device);
      await auditLogin(this.deps.db, { email, userId: user?.id ?? null, outcome: 'BAD_CREDENTIALS', meta });
      throw badCredentials();
    }
    let current = user;
    if (result.upgradedHash) {
      current = await this.deps.db.user.update({ where: { id: user.id }, data: { passwordHash: result.upgradedHash } });
      this.deps.logger.info({ userId: user.id }, 'password hash upgraded');
    }
    // The account's failures are cleared when the read before the hash found any: most sign-ins have none, and their
    // two deletes were round trips for nothing. A failure recorded during this sign-in's hash then stays counted
    // until the next success (stricter, never looser).
    const [, signedIn] = await Promise.all([
      account.failures ? this.deps.limits.accountSuccess(email) : undefined,
      this.deps.sessions.start(current, meta, { email }),
    ]);
    return { ...signedIn, deviceToken: this.deps.devices.issue(user.id) };
  }

  /** Changes the password after checking the current one; every other session ends. */
  async changePassword(
    userId: string,
    sessionId: string | null,
    input: { currentPassword: string; newPassword: string },
    meta: RequestMeta,
  ): Promise<boolean> {
    const user = await this.deps.db.user.findUnique({ where: { id: userId } });
    if (!user) throw unauthenticated();
    await this.deps.limits.assertAccountOpen(user.email);
    const check = await this.deps.passwords.verify(user.passwordHash, input.currentPassword);
    if (!check.ok) {
      await this.deps.limits.accountFailure(user.email);
      await auditLogin(this.deps.db, { email: user.email, userId, outcome: 'BAD_CREDENTIALS', meta });
      throw badInput('Current password is incorrect', 'input.currentPassword');
    }
    assertAcceptablePassword(input.newPassword, 'input.newPassword', user.email);
    const passwordHash = await this.deps.passwords.hash(input.newPassword);
    await this.deps.db.$transaction([
      this.deps.db.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: new Date() } }),
      this.deps.db.oneTimeToken.updateMany({
        where: { userId, purpose: 'PASSWORD_RESET', usedAt: null },
        data: { usedAt: new Date() },
      }),
    ]);
    await this.deps.sessions.revokeAll(userId, 'password_changed', sessionId ?? undefined);
    return true;
  }

  async requestEmailVerification(userId: string, meta: RequestMeta): Promise<boolean> {
    const user = await this.deps.db.user.findUnique({ where: { id: userId } });
    if (!user) throw unauthenticated();
    if (user.emailVerifiedAt) return true;
    await this.deps.limits.emailRequest(meta.ip, user.email);
    await this.deps.db.$transaction((tx) => this.#sendVerification(tx, user));
    return true;
  }

  async verifyEmail(token: string): Promise<boolean> {
    const ok = await this.deps.db.$transaction(async (tx) => {
      const userId = await consumeOneTimeToken(tx, token, 'EMAIL_VERIFICATION');
      if (!userId) return false;
      await tx.user.updateMany({ where: { id: userId, emailVerifiedAt: null }, data: { emailVerifiedAt: new Date() } });
      return true;
    });
    if (!ok) throw invalidLink();
    return true;
  }

  /** Always true: whether the account exists is never revealed. */
  async requestPasswordReset(email: string, meta: RequestMeta): Promise<boolean> {
    await this.deps.limits.emailRequest(meta.ip, email);
    const user = await this.deps.db.user.findUnique({ where: { email } });
    if (!user) {
      this.deps.logger.info('password reset requested for an unknown email');
      return true;
    }
    await this.deps.db.$transaction(async (tx) => {
      // A sign-up still waiting for its code has no password to reset: the code is what it lacks, so it gets a new one
      // (completeSignUp sets the password). A reset link here would leave an account that still cannot sign in.
      if (user.pendingSignUp) return this.#sendVerification(tx, user);
      const token = await issueOneTimeToken(tx, user.id, 'PASSWORD_RESET');
      const link = this.#link('reset-password', token);
      await this.deps.outbox.enqueue(tx, {
        kind: 'PASSWORD_RESET',
        to: user.email,
        subject: 'Reset your VegShare password',
        body: `Someone asked to reset the password of your VegShare account. If it was you, open this link within 30 minutes:\n\n${link}\n\nReset code: ${token}\n\nIf it was not you, ignore this email.\n`,
        link,
      });
    });
    return true;
  }

  /** Sets a new password with a reset token; proves the email, ends every session. */
  async resetPassword(input: { token: string; newPassword: string }): Promise<boolean> {
    assertAcceptablePassword(input.newPassword, 'input.newPassword');
    const passwordHash = await this.deps.passwords.hash(input.newPassword);
    const userId = await this.deps.db.$transaction(async (tx) => {
      const id = await consumeOneTimeToken(tx, input.token, 'PASSWORD_RESET');
      if (!id) return null;
      const user = await tx.user.findUniqueOrThrow({ where: { id } });
      if (user.pendingSignUp) return null; // a link issued before the rule above: the sign-up code finishes it
      await tx.user.update({
        where: { id },
        data: { passwordHash, passwordChangedAt: new Date(), emailVerifiedAt: user.emailVerifiedAt ?? new Date() },
      });
      return id;
    });
    if (!userId) throw invalidLink();
    await this.deps.sessions.revokeAll(userId, 'password_reset');
    return true;
  }

  /**
   * Replaces a user's roles (admin only, checked by the caller against the admin's current roles); an admin cannot
   * drop their own ADMIN role. Tokens issued before are read with the new roles everywhere within a second.
   */
  async setRoles(adminId: string, userId: string, roles: readonly Role[]): Promise<UserRow> {
    if (adminId === userId && !roles.includes('ADMIN')) throw conflict('You cannot remove your own ADMIN role');
    const at = new Date();
    const [user] = await this.deps.db.user.updateManyAndReturn({
      where: { id: userId },
      data: { roles: [...roles], rolesChangedAt: at },
    });
    if (!user) throw notFound('User', userId);
    await this.deps.revocations.rolesChanged(userId, user.roles, at);
    return user;
  }

  /** The account's roles as stored now (authorization of role management never trusts a token's claim). */
  async currentRoles(userId: string): Promise<readonly Role[]> {
    const user = await this.deps.db.user.findUnique({ where: { id: userId }, select: { roles: true } });
    return (user?.roles ?? []) as Role[];
  }
}
