/** Every screen of the app and its parameters; each has a path, so each can be deep-linked and has a web URL. */
export type Route =
  | { name: 'explore' }
  | { name: 'plot'; plotId: string }
  | { name: 'rentals' }
  | { name: 'rental'; rentalId: string }
  | { name: 'plan'; rentalId: string }
  | { name: 'camera'; cameraId: string }
  | { name: 'notifications' }
  | { name: 'profile' }
  | { name: 'deleteAccount' }
  | { name: 'forgotPassword' }
  | { name: 'resetPassword'; token: string }
  | { name: 'completeSignUp'; token: string }
  /** Where a social provider sends the browser back (`/auth/callback`, `vegshare://auth/callback`): its answer. */
  | { name: 'socialCallback'; callback: SocialCallback }
  /** The link in the mail that confirms a social sign-in (`/link-account?code=`). */
  | { name: 'linkAccount'; code: string };

/** What a provider's redirect carries: `code` and `state` (plus `iss`, VK ID's `device_id`), or an `error`. */
export interface SocialCallback {
  readonly state: string;
  readonly code: string | null;
  readonly iss: string | null;
  readonly deviceId: string | null;
  readonly error: string | null;
}

export type TabName = 'explore' | 'rentals' | 'notifications' | 'profile';
export const TABS: readonly TabName[] = ['explore', 'rentals', 'notifications', 'profile'];

/** Routes shown to signed-out visitors too (links from emails). */
export const isPublicRoute = (route: Route): boolean =>
  route.name === 'forgotPassword' ||
  route.name === 'resetPassword' ||
  route.name === 'completeSignUp' ||
  route.name === 'socialCallback' ||
  route.name === 'linkAccount';

/** Hosts whose https links open the app (universal links / Android App Links); see app.config.ts. */
export const LINK_HOSTS = ['vegshare.app', 'www.vegshare.app'];
export const SCHEME = 'vegshare';

const ID = '([A-Za-z0-9-]{1,64})';
/** The one-time codes auth emails (base64url). */
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
/** A provider's parameter, bounded (the server checks them again). */
const param = (query: URLSearchParams, name: string): string | null => {
  const value = query.get(name);
  return value !== null && value.length > 0 && value.length <= 2048 ? value : null;
};

function socialCallbackOf(query: URLSearchParams): Route {
  const state = param(query, 'state');
  if (!state) return { name: 'explore' };
  return {
    name: 'socialCallback',
    callback: {
      state,
      code: param(query, 'code'),
      iss: param(query, 'iss'),
      deviceId: param(query, 'device_id'),
      error: param(query, 'error'),
    },
  };
}

const patterns: readonly [RegExp, (m: RegExpExecArray, query: URLSearchParams) => Route | null][] = [
  [/^\/?$/, () => ({ name: 'explore' })],
  [/^\/explore$/, () => ({ name: 'explore' })],
  [new RegExp(`^/plots/${ID}$`), (m) => ({ name: 'plot', plotId: m[1]! })],
  [/^\/rentals$/, () => ({ name: 'rentals' })],
  [new RegExp(`^/rentals/${ID}$`), (m) => ({ name: 'rental', rentalId: m[1]! })],
  [new RegExp(`^/rentals/${ID}/plan$`), (m) => ({ name: 'plan', rentalId: m[1]! })],
  [new RegExp(`^/cameras/${ID}$`), (m) => ({ name: 'camera', cameraId: m[1]! })],
  // Deliveries have no screen of their own: their rental list shows them.
  [new RegExp(`^/deliveries/${ID}$`), () => ({ name: 'rentals' })],
  [/^\/notifications$/, () => ({ name: 'notifications' })],
  [/^\/profile$/, () => ({ name: 'profile' })],
  [/^\/profile\/delete$/, () => ({ name: 'deleteAccount' })],
  [/^\/forgot-password$/, () => ({ name: 'forgotPassword' })],
  [
    /^\/reset-password$/,
    (_m, q) => {
      const token = q.get('token');
      return token && TOKEN.test(token) ? { name: 'resetPassword', token } : { name: 'forgotPassword' };
    },
  ],
  // The sign-up email's link (auth's `APP_URL/verify-email?token=`): the code that completes the account.
  [
    /^\/verify-email$/,
    (_m, q) => {
      const token = q.get('token');
      return token && TOKEN.test(token) ? { name: 'completeSignUp', token } : { name: 'explore' };
    },
  ],
  // The redirect URI of social sign-in (allow-listed by auth's SOCIAL_REDIRECT_URIS).
  [/^\/auth\/callback$/, (_m, q) => socialCallbackOf(q)],
  // The social sign-in confirmation mail's link (auth's `APP_URL/link-account?code=`).
  [
    /^\/link-account$/,
    (_m, q) => {
      const code = q.get('code');
      return code && TOKEN.test(code) ? { name: 'linkAccount', code } : { name: 'explore' };
    },
  ],
];

/**
 * The route of a path or link: `/rentals/42`, `vegshare://rentals/42`, `https://vegshare.app/rentals/42`. Null for
 * anything else (unknown paths, foreign hosts).
 */
export function routeFromUrl(url: string): Route | null {
  let path: string;
  let query: URLSearchParams;
  const scheme = new RegExp(`^${SCHEME}:(//)?`, 'i');
  if (scheme.test(url)) {
    const rest = url.replace(scheme, '/');
    const [p, q] = rest.split('?', 2) as [string, string | undefined];
    path = p;
    query = new URLSearchParams(q ?? '');
  } else if (/^https?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (!LINK_HOSTS.includes(parsed.hostname) && !isSameOrigin(parsed)) return null;
    path = parsed.pathname;
    query = parsed.searchParams;
  } else if (url.startsWith('/')) {
    const [p, q] = url.split('?', 2) as [string, string | undefined];
    path = p;
    query = new URLSearchParams(q ?? '');
  } else return null;
  path = path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  for (const [pattern, build] of patterns) {
    const m = pattern.exec(path);
    if (m) return build(m, query);
  }
  return null;
}

function isSameOrigin(url: URL): boolean {
  const location = (globalThis as { location?: { origin?: string } }).location;
  return typeof location?.origin === 'string' && url.origin === location.origin;
}

/** The path of a route (web URL, and the path part of `vegshare://` links). */
export function pathOf(route: Route): string {
  switch (route.name) {
    case 'explore':
      return '/explore';
    case 'plot':
      return `/plots/${route.plotId}`;
    case 'rentals':
      return '/rentals';
    case 'rental':
      return `/rentals/${route.rentalId}`;
    case 'plan':
      return `/rentals/${route.rentalId}/plan`;
    case 'camera':
      return `/cameras/${route.cameraId}`;
    case 'notifications':
      return '/notifications';
    case 'profile':
      return '/profile';
    case 'deleteAccount':
      return '/profile/delete';
    case 'forgotPassword':
      return '/forgot-password';
    case 'resetPassword':
      return `/reset-password?token=${encodeURIComponent(route.token)}`;
    case 'completeSignUp':
      return `/verify-email?token=${encodeURIComponent(route.token)}`;
    case 'socialCallback': {
      const { state, code, iss, deviceId, error } = route.callback;
      const query = new URLSearchParams({ state });
      for (const [key, value] of [
        ['code', code],
        ['iss', iss],
        ['device_id', deviceId],
        ['error', error],
      ] as const)
        if (value !== null) query.set(key, value);
      return `/auth/callback?${query.toString()}`;
    }
    case 'linkAccount':
      return `/link-account?code=${encodeURIComponent(route.code)}`;
  }
}

/** The tab a route belongs to (highlighted in the tab bar; the root of its stack). */
export function tabOf(route: Route): TabName {
  switch (route.name) {
    case 'explore':
    case 'plot':
      return 'explore';
    case 'notifications':
      return 'notifications';
    case 'profile':
    case 'deleteAccount':
    case 'forgotPassword':
    case 'resetPassword':
    case 'completeSignUp':
    case 'socialCallback':
    case 'linkAccount':
      return 'profile';
    default:
      return 'rentals';
  }
}

/** The stack a deep link opens: its tab's root below it, so Back leads somewhere sensible. */
export function stackFor(route: Route): Route[] {
  const root: Route = { name: tabOf(route) };
  if (route.name === 'plan') return [root, { name: 'rental', rentalId: route.rentalId }, route];
  return route.name === root.name ? [route] : [root, route];
}
