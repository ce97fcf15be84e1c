import { pendingSlot, type SocialBrowser } from './social-types';

const KEY = 'vegshare.social-sign-in';

/** sessionStorage: this tab only, gone when it closes; it holds the state (not a credential), never a token. */
function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

const slot = pendingSlot({
  read: () => storage()?.getItem(KEY) ?? null,
  write: (value) => {
    const s = storage();
    if (value === null) s?.removeItem(KEY);
    else s?.setItem(KEY, value);
  },
});

/**
 * The web: a full-page redirect to the provider (no popup, no iframe) and back to `<origin>/auth/callback`, which
 * loads the app afresh — so the started sign-in's state waits in sessionStorage, the one thing that survives the trip.
 */
export const socialBrowser: SocialBrowser = {
  redirectUri: () => `${window.location.origin}/auth/callback`,
  async open(authorizationUrl, started) {
    slot.remember(started);
    window.location.assign(authorizationUrl);
    return { kind: 'redirected' };
  },
  takePending: (state, now) => slot.takePending(state, now),
};
