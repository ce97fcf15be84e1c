import type { ConfigContext, ExpoConfig } from 'expo/config';

// Build-time configuration. `APP_ENV` comes from the eas.json profile (development, preview, production); production
// builds must talk to the API over HTTPS, so a missing or plain-http EXPO_PUBLIC_GRAPHQL_URL stops the build here
// instead of shipping an app that sends passwords in clear text.
const APP_ENV = process.env.APP_ENV ?? 'development';
const API = process.env.EXPO_PUBLIC_GRAPHQL_URL;
if (APP_ENV === 'production' && !(API && API.startsWith('https://'))) {
  throw new Error(`Production builds need EXPO_PUBLIC_GRAPHQL_URL=https://… (got ${API ?? 'nothing'})`);
}
/** Universal links (iOS) and verified App Links (Android) for these hosts; see src/nav/routes.ts. */
const LINK_HOST = process.env.APP_LINK_HOST ?? 'vegshare.app';

export default ({ config }: ConfigContext): ExpoConfig => ({
  ...config,
  name: 'VegShare',
  slug: 'vegshare',
  scheme: 'vegshare',
  version: '0.2.0',
  orientation: 'portrait',
  userInterfaceStyle: 'automatic',
  icon: './assets/icon.png',
  platforms: ['ios', 'android', 'web'],
  web: { bundler: 'metro', output: 'single', name: 'VegShare', themeColor: '#2f6b3a', favicon: './assets/favicon.png' },
  ios: {
    bundleIdentifier: 'app.vegshare.customer',
    buildNumber: '2',
    supportsTablet: true,
    associatedDomains: [`applinks:${LINK_HOST}`],
    infoPlist: { ITSAppUsesNonExemptEncryption: false },
  },
  android: {
    package: 'app.vegshare.customer',
    versionCode: 2,
    adaptiveIcon: { foregroundImage: './assets/adaptive-icon.png', backgroundColor: '#2f6b3a' },
    intentFilters: [
      {
        action: 'VIEW',
        autoVerify: true,
        data: [{ scheme: 'https', host: LINK_HOST, pathPrefix: '/' }],
        category: ['BROWSABLE', 'DEFAULT'],
      },
    ],
    // Nothing here needs the microphone, contacts or location.
    blockedPermissions: ['android.permission.RECORD_AUDIO'],
  },
  plugins: [
    'expo-video',
    'expo-secure-store',
    'expo-localization',
    ['expo-notifications', { icon: './assets/notification-icon.png', color: '#2f6b3a' }],
    [
      'expo-splash-screen',
      {
        image: './assets/splash-icon.png',
        imageWidth: 200,
        backgroundColor: '#f6f4ee',
        dark: { backgroundColor: '#121512' },
      },
    ],
  ],
  extra: {
    appEnv: APP_ENV,
    ...(process.env.EAS_PROJECT_ID ? { eas: { projectId: process.env.EAS_PROJECT_ID } } : {}),
  },
});
