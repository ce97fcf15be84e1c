import * as WebBrowser from 'expo-web-browser';
import { SCHEME } from '../nav/routes';
import { pendingSlot, type SocialBrowser } from './social-types';

/** iOS and Android: the app's own scheme (app.config.ts `scheme`), which the system browser session hands back. */
const REDIRECT_URI = `${SCHEME}://auth/callback`;

let pending: string | null = null;
const slot = pendingSlot({ read: () => pending, write: (value) => void (pending = value) });

/**
 * Devices: `openAuthSessionAsync` runs the provider's page in ASWebAuthenticationSession (iOS) or a Custom Tab
 * (Android) — the system browser, with the user's own provider session and password manager — and resolves with the
 * redirect to `vegshare://auth/callback?…` once the provider sends the browser there. The pending sign-in stays in
 * memory: the app is not reloaded on the way.
 */
export const socialBrowser: SocialBrowser = {
  redirectUri: () => REDIRECT_URI,
  async open(authorizationUrl, started) {
    slot.remember(started);
    const result = await WebBrowser.openAuthSessionAsync(authorizationUrl, REDIRECT_URI, {
      preferEphemeralSession: false,
    });
    if (result.type === 'success') return { kind: 'returned', url: result.url };
    slot.takePending(started.state);
    return { kind: 'cancelled' };
  },
  takePending: (state, now) => slot.takePending(state, now),
};
