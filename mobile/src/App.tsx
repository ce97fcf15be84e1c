import AsyncStorage from '@react-native-async-storage/async-storage';
import { ApolloProvider } from '@apollo/client/react';
import { getLocales } from 'expo-localization';
import { StatusBar } from 'expo-status-bar';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { AppState, Platform, View } from 'react-native';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { AppContext, type AppContextValue } from './app-context';
import { createAppClient } from './apollo/client';
import { SessionStore, type Session } from './auth/session';
import { DeviceTokens } from './auth/device-tokens';
import { createDeviceTokenStorage, createTokenStorage } from './auth/storage';
import { graphqlHttpUrl } from './config';
import { LogoutDocument, UpdateProfileDocument } from './graphql/operations';
import { createI18n, PROFILE_LOCALE, resolveLanguage, type Language } from './i18n';
import { NavProvider, useNav, type Route } from './nav';
import { initialUrl } from './nav/host';
import { isPublicRoute, routeFromUrl } from './nav/routes';
import { PushLifecycle } from './push/lifecycle';
import { createPushOs, listenForTaps } from './push/native';
import { apolloPushRegistry } from './push/registry';
import { PublicScreens } from './screens/PublicScreens';
import { Shell } from './Shell';
import { LocaleSync } from './LocaleSync';
import { Loading } from './ui/components';
import { ThemeProvider, useTheme } from './ui/theme-context';

const deviceLanguage = (): Language =>
  resolveLanguage(
    null,
    getLocales().map((l) => l.languageTag),
  );

export function App() {
  return (
    <SafeAreaProvider>
      <ThemeProvider>
        <Root />
      </ThemeProvider>
    </SafeAreaProvider>
  );
}

/** Keeps `<html lang>` in step with the language (screen readers, hyphenation, the browser's translation offer). */
function useDocumentLanguage(language: string): void {
  useEffect(() => {
    if (Platform.OS === 'web' && typeof document !== 'undefined') document.documentElement.lang = language;
  }, [language]);
}

/** Remembers where a signed-out visitor was going (a deep link), to open it after sign-in. */
function RouteTracker({ into }: { into: { current: Route | null } }) {
  const { route } = useNav();
  into.current = isPublicRoute(route) ? null : route;
  return null;
}

function Root() {
  const { scheme, colors } = useTheme();
  const httpUrl = useMemo(graphqlHttpUrl, []);
  const store = useMemo(() => new SessionStore(httpUrl, createTokenStorage()), [httpUrl]);
  const devices = useMemo(() => new DeviceTokens(createDeviceTokenStorage()), []);
  const i18n = useMemo(() => createI18n(deviceLanguage()), []);
  const [language, setLanguageState] = useState<string>(i18n.language);
  const [session, setSession] = useState<Session | null>(null);
  const [loaded, setLoaded] = useState(false);
  const pendingRoute = useRef<Route | null>(null);
  const signUpLanguage = useRef<Language | null>(null);
  // While the language of a new account is being written to its profile, the profile's default ('en') must not win.
  const [savingSignUpLanguage, setSavingSignUpLanguage] = useState(false);
  useDocumentLanguage(language);

  useEffect(() => {
    const unsubscribe = store.subscribe(setSession);
    void Promise.all([store.load(), initialUrl().catch(() => null)]).then(([s, url]) => {
      const route = url ? routeFromUrl(url) : null;
      if (route) pendingRoute.current = route;
      setSession(s);
      setLoaded(true);
    });
    return unsubscribe;
  }, [store]);

  // One client (cache + graphql-ws connection + saved cache) per signed-in user: signing out drops all three.
  const userId = session?.user.id ?? null;
  const client = useMemo(
    () =>
      createAppClient({ httpUrl, sessions: store, userId, cacheStorage: Platform.OS === 'web' ? null : AsyncStorage }),
    [httpUrl, store, userId],
  );
  const [restored, setRestored] = useState<typeof client | null>(null);
  useEffect(() => {
    let live = true;
    void (client.persistence?.restore() ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => live && setRestored(client));
    return () => {
      live = false;
      void client.dispose();
    };
  }, [client]);

  const push = useMemo(() => new PushLifecycle(createPushOs(), apolloPushRegistry(client.apollo)), [client]);
  useEffect(() => {
    if (!userId) return;
    void push.onSignedIn().catch(() => undefined);
    const language = signUpLanguage.current;
    if (language) {
      signUpLanguage.current = null;
      void client.apollo
        .mutate({ mutation: UpdateProfileDocument, variables: { input: { locale: PROFILE_LOCALE[language] } } })
        .catch(() => undefined)
        .finally(() => setSavingSignUpLanguage(false));
    }
  }, [push, userId, client]);

  // Back from the background: what happened meanwhile is fetched again (sockets may have been cut while suspended).
  useEffect(() => {
    let last = AppState.currentState;
    const sub = AppState.addEventListener('change', (next) => {
      if (next === 'active' && last !== 'active') void client.refetchActive();
      last = next;
    });
    return () => sub.remove();
  }, [client]);

  const setLanguage = useCallback(
    (next: Language) => {
      void i18n.changeLanguage(next).then(() => setLanguageState(next));
    },
    [i18n],
  );

  const signOut = useCallback(
    async (options: { serverSide?: boolean } = {}) => {
      await push.onSignOut();
      if (options.serverSide !== false) await client.apollo.mutate({ mutation: LogoutDocument }).catch(() => undefined);
      await client.persistence?.purge().catch(() => undefined);
      await client.apollo.clearStore().catch(() => undefined);
      pendingRoute.current = null;
      await store.set(null);
    },
    [push, client, store],
  );

  const value = useMemo<AppContextValue>(
    () => ({
      store,
      devices,
      session,
      client,
      push,
      signOut,
      setLanguage,
      rememberSignUpLanguage: () => {
        signUpLanguage.current = (i18n.language as Language) ?? 'en';
        setSavingSignUpLanguage(true);
      },
    }),
    [store, devices, session, client, push, signOut, setLanguage, i18n],
  );

  const ready = loaded && restored === client;
  return (
    <View style={{ flex: 1, backgroundColor: colors.bg }}>
      <StatusBar style={scheme === 'dark' ? 'light' : 'dark'} />
      <I18nextProvider i18n={i18n}>
        {!ready ? (
          <Loading />
        ) : (
          <AppContext.Provider value={value}>
            <ApolloProvider client={client.apollo}>
              <NavProvider key={userId ?? 'signed-out'} initial={pendingRoute.current}>
                {session ? (
                  <>
                    <TapHandler />
                    {savingSignUpLanguage ? null : <LocaleSync />}
                    <Shell />
                  </>
                ) : (
                  <>
                    <RouteTracker into={pendingRoute} />
                    <PublicScreens />
                  </>
                )}
              </NavProvider>
            </ApolloProvider>
          </AppContext.Provider>
        )}
      </I18nextProvider>
    </View>
  );
}

/** A tapped push opens the screen it is about. */
function TapHandler() {
  const { openUrl } = useNav();
  useEffect(() => listenForTaps((url) => void (openUrl(url) || openUrl('/notifications'))), [openUrl]);
  return null;
}
