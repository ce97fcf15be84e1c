import { useQuery, useSubscription } from '@apollo/client';
import { Pressable, StyleSheet, Text, View } from 'react-native';
import { NotificationsDocument, OnNotificationAddedDocument } from './graphql/operations';
import { useNav, type TabName } from './nav';
import { CameraScreen } from './screens/CameraScreen';
import { ExploreScreen } from './screens/ExploreScreen';
import { NotificationsScreen } from './screens/NotificationsScreen';
import { PlanScreen } from './screens/PlanScreen';
import { PlotScreen } from './screens/PlotScreen';
import { ProfileScreen } from './screens/ProfileScreen';
import { RentalScreen } from './screens/RentalScreen';
import { RentalsScreen } from './screens/RentalsScreen';
import { addNotificationToCache } from './notifications-cache';
import { colors, space } from './ui/theme';

const tabs: { name: TabName; label: string }[] = [
  { name: 'explore', label: 'Explore' },
  { name: 'rentals', label: 'My plots' },
  { name: 'notifications', label: 'Alerts' },
  { name: 'profile', label: 'Profile' },
];

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

export function Shell() {
  const nav = useNav();
  const unread = useUnreadCount();
  return (
    <View style={{ flex: 1 }}>
      <View style={styles.header}>
        {nav.canGoBack ? (
          <Pressable testID="back" accessibilityRole="button" onPress={nav.back} style={styles.back}>
            <Text style={styles.backText}>‹ Back</Text>
          </Pressable>
        ) : (
          <Text style={styles.brand}>VegShare</Text>
        )}
      </View>
      <View style={{ flex: 1 }}>
        <CurrentScreen />
      </View>
      <View style={styles.tabBar} accessibilityRole="tablist">
        {tabs.map((t) => (
          <Pressable
            key={t.name}
            testID={`tab-${t.name}`}
            accessibilityRole="tab"
            accessibilityState={{ selected: nav.currentTab === t.name }}
            onPress={() => nav.tab(t.name)}
            style={styles.tab}
          >
            <Text style={[styles.tabText, nav.currentTab === t.name && styles.tabActive]}>{t.label}</Text>
            {t.name === 'notifications' && unread > 0 ? (
              <View style={styles.badge} testID="unread-badge">
                <Text style={styles.badgeText}>{unread > 99 ? '99+' : unread}</Text>
              </View>
            ) : null}
          </Pressable>
        ))}
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  header: { height: 52, justifyContent: 'center', paddingHorizontal: space(4), backgroundColor: colors.card, borderBottomWidth: 1, borderColor: colors.border },
  brand: { fontSize: 20, fontWeight: '800', color: colors.primary },
  back: { paddingVertical: space(2) },
  backText: { fontSize: 17, color: colors.primary, fontWeight: '600' },
  tabBar: { flexDirection: 'row', borderTopWidth: 1, borderColor: colors.border, backgroundColor: colors.card },
  tab: { flex: 1, alignItems: 'center', paddingVertical: space(3), flexDirection: 'row', justifyContent: 'center', gap: space(1) },
  tabText: { color: colors.muted, fontWeight: '600' },
  tabActive: { color: colors.primary },
  badge: { backgroundColor: colors.live, borderRadius: 999, minWidth: 20, paddingHorizontal: 5, alignItems: 'center' },
  badgeText: { color: '#fff', fontSize: 12, fontWeight: '700' },
});
