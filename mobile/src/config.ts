import { Platform } from 'react-native';

/**
 * Where the gateway is. Order: `?api=` in the page URL (web), EXPO_PUBLIC_GRAPHQL_URL at build time, then on web the
 * page's own origin (`/graphql`, as served by scripts/serve-web.mts next to the gateway), else the local gateway.
 */
export function graphqlHttpUrl(): string {
  if (Platform.OS === 'web' && typeof window !== 'undefined') {
    const fromQuery = new URLSearchParams(window.location.search).get('api');
    if (fromQuery) return fromQuery;
  }
  const fromEnv = process.env['EXPO_PUBLIC_GRAPHQL_URL'];
  if (fromEnv) return fromEnv;
  if (Platform.OS === 'web' && typeof window !== 'undefined' && /^https?:$/.test(window.location.protocol)) {
    return `${window.location.origin}/graphql`;
  }
  return 'http://localhost:4000/graphql';
}

/** The graphql-ws URL on the same path as HTTP (ws:// or wss://). */
export function graphqlWsUrl(httpUrl = graphqlHttpUrl()): string {
  return httpUrl.replace(/^http/, 'ws');
}
