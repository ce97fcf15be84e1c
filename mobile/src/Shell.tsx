import { useQuery, useSubscription } from '@apollo/client/react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';
import { useConnection } from './apollo/use-connection';
import { useApp } from './app-context';
import { NotificationsDocument, OnNotificationAddedDocument } from './graphql/operations';
import { useNav } from './nav';
import { TABS } from './nav/routes';
import { addNotificationToCache } from './notifications-cache';
import { CameraScreen } from './screens/CameraScreen';
import { DeleteAccountScreen } from './screens/DeleteAccountScreen';
import { ExploreScreen } from './screens/ExploreScreen';
import { NotificationsScreen } from './screens/NotificationsScreen';
import { PlanScreen } from './screens/PlanScreen';
import { PlotScreen } from './screens/PlotScreen';
import { ProfileScreen } from './screens/ProfileScreen';
import { RentalScreen } from './screens/RentalScreen';
import { RentalsScreen } from './screens/RentalsScreen';
import { ForgotPasswordScreen, ResetPasswordScreen } from './screens/PasswordScreens';
import { CompleteSignUpScreen } from './screens/SignUpScreens';
import { LinkAccountScreen, SocialCallbackScreen } from './screens/SocialScreens';
import { space, TOUCH } from './ui/theme';
import { useTheme } from './ui/theme-context';

function CurrentScreen() {
  const { route } = useNav();
  switch (route.name) {
    case 'explore':
      return <ExploreScreen />;
    case 'plot':
      return <PlotScreen plotId={route.plotId} />;
    case 'rentals':
      return <RentalsScreen />;
    case 'rental':
      return <RentalScreen rentalId={route.rentalId} />;
    case 'plan':
      return <PlanScreen rentalId={route.rentalId} />;
    case 'camera':
      return <CameraScreen cameraId={route.cameraId} />;
    case 'notifications':
      return <NotificationsScreen />;
    case 'profile':
      return <ProfileScreen />;
    case 'deleteAccount':
      return <DeleteAccountScreen />;
    case 'forgotPassword':
      return <ForgotPasswordScreen />;
    case 'resetPassword':
      return <ResetPasswordScreen token={route.token} />;
    case 'completeSignUp':
      // Completing another account's sign-up signs this device in as that account.
      return <CompleteSignUpScreen token={route.token} />;
    case 'socialCallback':
      // Likewise a social sign-in finished here signs this device in as whoever it signs in.
      return <SocialCallbackScreen callback={route.callback} />;
    case 'linkAccount':
      return <LinkAccountScreen code={route.code} />;
  }
}

/** Unread count for the tab badge, kept live by the notificationAdded subscription. */
function useUnreadCount(): number {
  const { data } = useQuery(NotificationsDocument, { variables: { first: 20 } });
  useSubscription(OnNotificationAddedDocument, {
    onData: ({ client, data: event }) => {
      const added = event.data?.notificationAdded;
      if (added) addNotificationToCache(client.cache, added);
    },
  });
  return data?.notifications.unreadCount ?? 0;
}

/** An honest line about the live connection: shown while it is down or coming back. */
export function ConnectionBanner() {
  const status = useConnection();
  const { client } = useApp();
  const { t } = useTranslation();
  const { colors } = useTheme();
  // Nothing to say while the first connection is being made; after that every loss of it is shown.
  if (status === 'online' || (status === 'connecting' && !client.connection.everConnected)) return null;
  return (
    <View
      testID="connection-banner"
      accessibilityRole="alert"
      accessibilityLiveRegion="polite"
      style={{ backgroundColor: colors.banner, paddingVertical: space(2), paddingHorizontal: space(4) }}
    >
      <Text style={{ color: colors.bannerText, textAlign: 'center' }}>
        {status === 'offline' ? t('connection.offline') : t('connection.reconnecting')}
      </Text>
    </View>
  );
}

export function Shell() {
  const nav = useNav();
  const unread = useUnreadCount();
  const insets = useSafeAreaInsets();
  const { t } = useTranslation();
  const { styles, colors } = useTheme();
  return (
    <View style={{ flex: 1, paddingLeft: insets.left, paddingRight: insets.right }}>
      <View
        style={{
          paddingTop: insets.top,
          backgroundColor: colors.card,
          borderBottomWidth: 1,
          borderColor: colors.border,
        }}
      >
        <View style={{ minHeight: 52, justifyContent: 'center', paddingHorizontal: space(4) }}>
          {nav.canGoBack ? (
            <Pressable
              testID="back"
              accessibilityRole="button"
              accessibilityLabel={t('common.back')}
              onPress={nav.back}
              hitSlop={8}
              style={{ minHeight: TOUCH, minWidth: TOUCH, justifyContent: 'center' }}
            >
              <Text style={{ fontSize: 17, color: colors.primary, fontWeight: '600' }}>‹ {t('common.back')}</Text>
            </Pressable>
          ) : (
            <Text style={{ fontSize: 20, fontWeight: '800', color: colors.primary }}>{t('common.appName')}</Text>
          )}
        </View>
      </View>
      <ConnectionBanner />
      <View style={{ flex: 1 }}>
        <CurrentScreen />
      </View>
      <View
        style={{
          flexDirection: 'row',
          borderTopWidth: 1,
          borderColor: colors.border,
          backgroundColor: colors.card,
          paddingBottom: insets.bottom,
        }}
        accessibilityRole="tablist"
      >
        {TABS.map((name) => {
          const selected = nav.currentTab === name;
          return (
            <Pressable
              key={name}
              testID={`tab-${name}`}
              accessibilityRole="tab"
              accessibilityState={{ selected }}
              onPress={() => nav.tab(name)}
              style={{
                flex: 1,
                minHeight: TOUCH + 8,
                alignItems: 'center',
                justifyContent: 'center',
                flexDirection: 'row',
                gap: space(1),
                paddingVertical: space(2),
              }}
            >
              <Text
                numberOfLines={1}
                style={[styles.muted, { fontWeight: '600', fontSize: 13 }, selected && { color: colors.primary }]}
              >
                {t(`tabs.${name}`)}
              </Text>
              {name === 'notifications' && unread > 0 ? (
                <View
                  style={{
                    backgroundColor: colors.live,
                    borderRadius: 999,
                    minWidth: 20,
                    paddingHorizontal: 5,
                    alignItems: 'center',
                  }}
                  testID="unread-badge"
                >
                  <Text style={{ color: colors.primaryText, fontSize: 12, fontWeight: '700' }}>
                    {unread > 99 ? '99+' : unread}
                  </Text>
                </View>
              ) : null}
            </Pressable>
          );
        })}
      </View>
    </View>
  );
}
