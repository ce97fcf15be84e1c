import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import { topics, type AccessRevoked } from '../events/contracts.ts';
import { MAX_ACCESS_TOKEN_LIFETIME_MS, RevocationView } from './revocation-view.ts';
import { parseAccessRevoked } from './access-revoked-schema.ts';

/** Where the catch-up comes from: every change auth recorded since a moment (auth's own tables, or its HTTP feed). */
export interface RevocationSource {
  changesSince(sinceMs: number): Promise<readonly AccessRevoked[]>;
}

export interface RevocationSyncOptions {
  readonly bus: EventBus;
  readonly source: RevocationSource;
  readonly logger: Logger;
  /** Catch-up while the bus is disconnected (default 1 s): the revocation delay when events cannot flow. */
  readonly fallbackPollMs?: number;
  /** Catch-up even while the bus is connected (default 15 s), for events a connected bus still lost. */
  readonly syncMs?: number;
  /**
   * With the bus down and no successful catch-up for this long (default 30 s), the view can no longer vouch for any
   * token: tokens are refused with SERVICE_UNAVAILABLE until either comes back (fail closed).
   */
  readonly maxStaleMs?: number;
  readonly now?: () => number;
}

/** How current the revocation view is, for readiness and metrics. */
export interface RevocationStatus {
  readonly busConnected: boolean;
  /** Local time the last successful catch-up started, or null before the first. */
  readonly lastSyncAt: number | null;
  readonly current: boolean;
}

/**
 * Keeps a RevocationView current: live `auth.access.revoked` events give sub-second revocation; a catch-up from auth
 * runs at start, every `syncMs`, every `fallbackPollMs` while the bus is disconnected and right after it reconnects,
 * so a revocation published while events could not flow still arrives within about a second. The view is "current"
 * while the bus has been connected since the last catch-up began, or that catch-up is younger than `maxStaleMs`.
 */
export class RevocationSync {
  readonly view: RevocationView;
  readonly #options: RevocationSyncOptions;
  readonly #now: () => number;
  readonly #fallbackPollMs: number;
  readonly #syncMs: number;
  readonly #maxStaleMs: number;
  #busConnected: boolean;
  #busUpSince: number;
  #lastSyncAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<boolean> | null = null;
  /** Whether the last catch-up failed (a failure is logged once as a warning, then at debug until one succeeds). */
  #failing = false;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  readonly #cleanups: (() => unknown)[] = [];

  constructor(options: RevocationSyncOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#fallbackPollMs = options.fallbackPollMs ?? 1000;
    this.#syncMs = options.syncMs ?? 15_000;
    this.#maxStaleMs = options.maxStaleMs ?? 30_000;
    // A bus that cannot report its connection (the in-process one) cannot lose events in transit.
    this.#busConnected = options.bus.onConnectionChange === undefined;
    this.#busUpSince = this.#now();
    this.view = new RevocationView({ isCurrent: () => this.isCurrent() });
  }

  isCurrent(): boolean {
    if (this.#busConnected && this.#lastSyncAt >= this.#busUpSince) return true;
    return this.#now() - this.#lastSyncAt <= this.#maxStaleMs;
  }

  get status(): RevocationStatus {
    return {
      busConnected: this.#busConnected,
      lastSyncAt: Number.isFinite(this.#lastSyncAt) ? this.#lastSyncAt : null,
      current: this.isCurrent(),
    };
  }

  /**
   * Subscribes to live events and catches up once; when that fails (auth not up yet) the catch-up is retried every
   * `fallbackPollMs`, and tokens are refused (503) until one succeeds — readiness says so meanwhile.
   */
  async start(): Promise<void> {
    const { bus, logger } = this.#options;
    let first = true;
    const stopConnection = bus.onConnectionChange?.((connected) => {
      const changed = connected !== this.#busConnected;
      this.#busConnected = connected;
      if (connected && changed) this.#busUpSince = this.#now();
      if (changed && !first)
        logger.info(
          { connected },
          connected
            ? 'revocation events flowing again; catching up'
            : 'revocation events interrupted; polling auth every second',
        );
      first = false;
      if (changed) {
        void this.syncNow();
        this.#schedule();
      }
    });
    if (stopConnection) this.#cleanups.push(stopConnection);
    // Not awaited: a bus that is down would hold the start; the catch-up below covers until it is up.
    const subscribed = bus.subscribe(topics.accessRevoked, (payload) => {
      const change = parseAccessRevoked(payload);
      if (change) this.view.apply(change);
      else logger.warn('dropped malformed access-revoked event');
    });
    subscribed.catch((err: unknown) =>
      logger.warn({ err }, 'could not subscribe to revocation events; relying on catch-up'),
    );
    this.#cleanups.push(async () => {
      const unsubscribe = await Promise.race([
        subscribed.catch(() => null),
        new Promise<null>((r) => setTimeout(() => r(null), 500)),
      ]);
      await unsubscribe?.();
    });
    await this.syncNow();
    this.#schedule();
  }

  /** One catch-up (concurrent callers share it); true when it succeeded. */
  syncNow(): Promise<boolean> {
    if (!this.#syncing) {
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = null;
      });
    }
    return this.#syncing;
  }

  async #sync(): Promise<boolean> {
    const startedAt = this.#now();
    // Overlap the previous window by a few seconds: applying a change twice is harmless, missing one is not.
    const since = Number.isFinite(this.#lastSyncAt)
      ? this.#lastSyncAt - 5000
      : startedAt - MAX_ACCESS_TOKEN_LIFETIME_MS - 60_000;
    try {
      const changes = await this.#options.source.changesSince(since);
      for (const change of changes) this.view.apply(change);
      this.#lastSyncAt = Math.max(this.#lastSyncAt, startedAt);
      if (this.#failing) this.#options.logger.info('revocation catch-up works again');
      this.#failing = false;
      return true;
    } catch (err) {
      if (this.#failing) this.#options.logger.debug({ err }, 'revocation catch-up failed again');
      else this.#options.logger.warn({ err }, 'revocation catch-up failed; retrying every second');
      this.#failing = true;
      return false;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    const delay = this.#busConnected && this.isCurrent() ? this.#syncMs : this.#fallbackPollMs;
    this.#timer = setTimeout(() => {
      void this.syncNow().finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const cleanup of this.#cleanups.splice(0)) await cleanup();
  }
}
