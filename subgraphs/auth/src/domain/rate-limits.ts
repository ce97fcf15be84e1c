import type { Redis } from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { domainError, ErrorCode, sharedRateLimiter, type RateLimitFallback } from '@vegshare/kit';
import type { GraphQLError } from 'graphql';

export interface RateLimitSettings {
  readonly prefix: string;
  readonly loginPerIp: number;
  readonly registerPerIp: number;
  readonly freeFailures: number;
}

/** An account's back-off as read before a sign-in's hash (AuthRateLimits.accountState). */
export interface AccountState {
  /** Seconds of back-off left, null when the account is open. */
  readonly lockedFor: number | null;
  /** Whether failures (or a lock) are recorded: a successful sign-in clears them, and has nothing to clear otherwise. */
  readonly failures: boolean;
}

/** Longest back-off after repeated failures of one account. */
const MAX_BACKOFF_SECONDS = 15 * 60;

function rateLimited(retryAfterSeconds: number): GraphQLError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return domainError(ErrorCode.RATE_LIMITED, `Too many attempts; try again in ${retryAfter} s`, { retryAfter });
}

/**
 * Brute-force protection with rate-limiter-flexible: on Redis (shared by every replica) when a client is
 * given, in process memory otherwise. While Redis fails, every limiter falls back to its own in-memory insurance
 * (per replica, counted and logged by `fallback`) so sign-in keeps working with limits instead of being refused. Limits per IP (sign-in, registration, emails) and, per account, a free
 * number of failures followed by exponential back-off (1 s, 2 s, 4 s … 15 min), reset by a successful login.
 */
export class AuthRateLimits {
  readonly #loginIp: RateLimiterAbstract;
  readonly #registerIp: RateLimiterAbstract;
  readonly #emailRequests: RateLimiterAbstract;
  readonly #accountFailures: RateLimiterAbstract;
  readonly #accountLock: RateLimiterAbstract;
  readonly #deviceFailures: RateLimiterAbstract;

  constructor(
    private readonly settings: RateLimitSettings,
    redis: Redis | null,
    fallback: RateLimitFallback | null = null,
  ) {
    const make = (name: string, points: number, duration: number): RateLimiterAbstract =>
      sharedRateLimiter({ redis, fallback, name, keyPrefix: `${settings.prefix}:${name}`, points, duration });
    this.#loginIp = make('login-ip', settings.loginPerIp, 15 * 60);
    this.#registerIp = make('register-ip', settings.registerPerIp, 60 * 60);
    this.#emailRequests = make('email', 5, 60 * 60);
    this.#accountFailures = make('account-failures', 10_000, 60 * 60);
    this.#accountLock = make('account-lock', 1, 1);
    this.#deviceFailures = make('device-failures', 10_000, 60 * 60);
  }

  /**
   * Whether a device that signed in before (a valid device token) still passes the account's back-off: yes, until it
   * has itself failed `freeFailures` times within the hour (then it waits like everyone).
   */
  async deviceTrusted(device: string): Promise<boolean> {
    const res = await this.#deviceFailures.get(device);
    return (res?.consumedPoints ?? 0) < this.settings.freeFailures;
  }

  async deviceFailure(device: string): Promise<void> {
    await this.#deviceFailures.penalty(device, 1);
  }

  /** Consumes one point or throws RATE_LIMITED with the wait in `retryAfter`. */
  async #consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(rejection.msBeforeNext / 1000);
      throw rejection; // store unavailable and no fallback: fail closed through the error formatter
    }
  }

  loginAttempt(ip: string): Promise<void> {
    return this.#consume(this.#loginIp, ip);
  }

  registration(ip: string): Promise<void> {
    return this.#consume(this.#registerIp, ip);
  }

  /** Verification and reset emails: per IP and per target address. */
  async emailRequest(ip: string, email: string): Promise<void> {
    await this.#consume(this.#emailRequests, `ip:${ip}`);
    await this.#consume(this.#emailRequests, `to:${email}`);
  }

  /** Throws RATE_LIMITED while the account (known or not, by normalized email) is in back-off. */
  async assertAccountOpen(email: string): Promise<void> {
    const lockedFor = this.#lockedFor(await this.#accountLock.get(email));
    if (lockedFor !== null) throw rateLimited(lockedFor);
  }

  /** Seconds of back-off left in an account's lock record, null when it does not hold the account. */
  #lockedFor(lock: RateLimiterRes | null): number | null {
    return lock && lock.consumedPoints > this.#accountLock.points && lock.msBeforeNext > 0
      ? lock.msBeforeNext / 1000
      : null;
  }

  /**
   * The account's back-off as one read (its lock and its failure count, in parallel): `lockedFor` the seconds left
   * when it is in back-off (a trusted device may still pass), `failures` whether a success has anything to clear.
   */
  async accountState(email: string): Promise<AccountState> {
    const [lock, failures] = await Promise.all([this.#accountLock.get(email), this.#accountFailures.get(email)]);
    return {
      lockedFor: this.#lockedFor(lock),
      failures: !!lock || (failures?.consumedPoints ?? 0) > 0,
    };
  }

  /** RATE_LIMITED for an account whose `accountState` said it is in back-off. */
  static accountLocked(state: AccountState): GraphQLError {
    return rateLimited(state.lockedFor ?? 1);
  }

  /** Records a failed sign-in; past the free failures, locks the account for a doubling time. */
  async accountFailure(email: string): Promise<void> {
    const res = await this.#accountFailures.penalty(email, 1);
    const over = res.consumedPoints - this.settings.freeFailures;
    if (over > 0) await this.#accountLock.block(email, Math.min(2 ** (over - 1), MAX_BACKOFF_SECONDS));
  }

  async accountSuccess(email: string): Promise<void> {
    await Promise.all([this.#accountFailures.delete(email), this.#accountLock.delete(email)]);
  }
}
