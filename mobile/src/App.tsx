import { ApolloProvider } from '@apollo/client';
import { StatusBar } from 'expo-status-bar';
import { useEffect, useMemo, useState } from 'react';
import { View } from 'react-native';
import { createAppClient } from './apollo/client';
import { SessionStore, type Session } from './auth/session';
import { graphqlHttpUrl } from './config';
import { NavProvider } from './nav';
import { AuthScreen } from './screens/AuthScreen';
import { Shell } from './Shell';
import { SessionContext } from './session-context';
import { Loading } from './ui/components';
import { colors } from './ui/theme';

export function App() {
  const httpUrl = useMemo(graphqlHttpUrl, []);
  const store = useMemo(() => new SessionStore(httpUrl), [httpUrl]);
  const [session, setSession] = useState<Session | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const unsubscribe = store.subscribe(setSession);
    void store.load().then((s) => {
      setSession(s);
      setReady(true);
    });
    return unsubscribe;
  }, [store]);

  // One client (cache + graphql-ws connection) per signed-in user: signing out drops both.
  const userId = session?.user.id ?? null;
  const client = useMemo(() => createAppClient(httpUrl, store), [httpUrl, store, userId]);
  useEffect(() => () => void client.dispose(), [client]);

  return (
    <View style={{ flex: 1, backgroundColor: colors.bg }}>
      <StatusBar style="dark" />
      {!ready ? (
        <Loading />
      ) : (
        <SessionContext.Provider value={{ store, session }}>
          <ApolloProvider client={client.apollo}>
            {session ? (
              <NavProvider key={session.user.id}>
                <Shell />
              </NavProvider>
            ) : (
              <AuthScreen />
            )}
          </ApolloProvider>
        </SessionContext.Provider>
      )}
    </View>
  );
}
