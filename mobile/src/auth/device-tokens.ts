import type { TokenStorage } from './storage-types';

/** Accounts remembered per device; the oldest is forgotten beyond this. */
const MAX_ACCOUNTS = 5;

type Entries = Record<string, { readonly token: string; readonly at: number }>;

const keyOf = (email: string): string => email.trim().toLowerCase();

/**
 * The device tokens auth hands out at sign-in, one per account that signed in on this device. Sent back with the next
 * sign-in of that account, a token lets this device through the account's back-off after failures elsewhere (someone
 * guessing its password cannot lock the owner out). Kept across sign-outs; a token alone signs nobody in.
 */
export class DeviceTokens {
  constructor(
    private readonly storage: TokenStorage,
    private readonly now: () => number = Date.now,
  ) {}

  async #read(): Promise<Entries> {
    try {
      const parsed = JSON.parse((await this.storage.get()) ?? '{}') as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const entries: Entries = {};
      for (const [email, entry] of Object.entries(parsed as Record<string, unknown>)) {
        const e = entry as { token?: unknown; at?: unknown } | null;
        if (typeof e?.token === 'string' && typeof e.at === 'number') entries[email] = { token: e.token, at: e.at };
      }
      return entries;
    } catch {
      return {};
    }
  }

  /** The token of the account with this email, if it signed in on this device before. */
  async get(email: string): Promise<string | undefined> {
    return (await this.#read())[keyOf(email)]?.token;
  }

  /** Keeps the token a sign-in returned (null on refresh: nothing to keep). */
  async remember(email: string, token: string | null | undefined): Promise<void> {
    if (!token) return;
    const entries = await this.#read();
    entries[keyOf(email)] = { token, at: this.now() };
    const kept = Object.entries(entries)
      .sort(([, a], [, b]) => b.at - a.at)
      .slice(0, MAX_ACCOUNTS);
    await this.storage.set(JSON.stringify(Object.fromEntries(kept)));
  }
}
