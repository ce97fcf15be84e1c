/** A social sign-in this app started and has not finished: its `state`, to match the provider's redirect against. */
export interface PendingSocialSignIn {
  readonly state: string;
  readonly provider: string;
  /** Epoch milliseconds; auth forgets a started sign-in after 10 minutes, so do we. */
  readonly startedAt: number;
}

/** How long a started sign-in is waited for (auth's own limit). */
export const PENDING_TTL_MS = 10 * 60_000;

/** What opening the provider's page led to. */
export type SocialBrowserResult =
  /** Devices: the system browser came back to the app's redirect URI with this URL. */
  | { readonly kind: 'returned'; readonly url: string }
  /** The user closed the browser (or the provider page) without finishing. */
  | { readonly kind: 'cancelled' }
  /** The web: the page is navigating to the provider and comes back to /auth/callback as a new page load. */
  | { readonly kind: 'redirected' };

/**
 * The platform's part of social sign-in: the provider's page always opens in the system browser (iOS
 * ASWebAuthenticationSession, Android Custom Tabs; on the web the page itself goes there), never in an embedded
 * WebView, where the app could read the user's provider password and which providers refuse.
 */
export interface SocialBrowser {
  /** The redirect URI the provider returns to (allow-listed by auth's SOCIAL_REDIRECT_URIS). */
  redirectUri(): string;
  /** Remembers `pending`, then opens the provider's authorization URL. */
  open(authorizationUrl: string, pending: PendingSocialSignIn): Promise<SocialBrowserResult>;
  /**
   * The sign-in started here under `state`, removed as it is taken: a redirect whose state this app did not start (a
   * link someone else crafted to sign this device into their account) finds nothing.
   */
  takePending(state: string, now?: number): PendingSocialSignIn | null;
}

/** Keeps pending sign-ins in `slot`, one at a time (a newer start replaces an older one). */
export function pendingSlot(slot: {
  read(): string | null;
  write(value: string | null): void;
}): Pick<SocialBrowser, 'takePending'> & { remember(p: PendingSocialSignIn): void } {
  return {
    remember(pending) {
      slot.write(JSON.stringify(pending));
    },
    takePending(state, now = Date.now()) {
      const raw = slot.read();
      if (raw === null) return null;
      let pending: Partial<PendingSocialSignIn>;
      try {
        pending = JSON.parse(raw) as Partial<PendingSocialSignIn>;
      } catch {
        slot.write(null);
        return null;
      }
      if (pending.state !== state) return null;
      slot.write(null);
      if (
        typeof pending.provider !== 'string' ||
        typeof pending.startedAt !== 'number' ||
        now - pending.startedAt > PENDING_TTL_MS
      )
        return null;
      return { state, provider: pending.provider, startedAt: pending.startedAt };
    },
  };
}
