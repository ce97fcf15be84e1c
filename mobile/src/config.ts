import { Platform } from 'react-native';

/**
 * Where the gateway is: EXPO_PUBLIC_GRAPHQL_URL at build time, else on the web the page's own origin (`/graphql`, as
 * served next to the gateway), else the local gateway of `npm start`. Development builds may point the web app at
 * another gateway with `?api=`; production builds ignore it (it would send passwords to any URL put in a link).
 */
export function graphqlHttpUrl(): string {
  if (__DEV__ && Platform.OS === 'web' && typeof window !== 'undefined') {
    const fromQuery = new URLSearchParams(window.location.search).get('api');
    if (fromQuery) return fromQuery;
  }
  const fromEnv = process.env.EXPO_PUBLIC_GRAPHQL_URL;
  if (fromEnv) return requireSecure(fromEnv);
  if (Platform.OS === 'web' && typeof window !== 'undefined' && /^https?:$/.test(window.location.protocol)) {
    return `${window.location.origin}/graphql`;
  }
  return 'http://localhost:4000/graphql';
}

/** Release builds on devices talk to the API over HTTPS only (app.config.ts refuses to build otherwise too). */
function requireSecure(url: string): string {
  if (!__DEV__ && Platform.OS !== 'web' && !url.startsWith('https://'))
    throw new Error(`EXPO_PUBLIC_GRAPHQL_URL must be https in release builds, got ${url}`);
  return url;
}

/** The graphql-ws URL on the same path as HTTP (ws:// or wss://). */
export function graphqlWsUrl(httpUrl = graphqlHttpUrl()): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** Public pages the stores require the app to link to. */
export const legalUrls = {
  privacy: process.env.EXPO_PUBLIC_PRIVACY_URL ?? 'https://vegshare.app/privacy',
  terms: process.env.EXPO_PUBLIC_TERMS_URL ?? 'https://vegshare.app/terms',
};
