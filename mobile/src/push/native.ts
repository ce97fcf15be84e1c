import Constants from 'expo-constants';
import * as Device from 'expo-device';
import * as Notifications from 'expo-notifications';
import { Platform } from 'react-native';
import type { PermissionState, PushOs } from './lifecycle';

// A push that arrives while the app is open is already in the in-app list (the server pushes only to users without a
// live session, but a session may have just started): show it quietly.
Notifications.setNotificationHandler({
  handleNotification: async () => ({
    shouldShowBanner: true,
    shouldShowList: true,
    shouldPlaySound: false,
    shouldSetBadge: false,
  }),
});

const state = (status: string): PermissionState =>
  status === 'granted' ? 'granted' : status === 'denied' ? 'denied' : 'undetermined';

/** expo-notifications on iOS and Android (FCM and APNs underneath, reached through Expo's push service). */
export function createPushOs(): PushOs {
  return {
    platform: Platform.OS,
    supported: Device.isDevice,
    getPermission: async () => state((await Notifications.getPermissionsAsync()).status),
    async requestPermission() {
      if (Platform.OS === 'android') {
        await Notifications.setNotificationChannelAsync('default', {
          name: 'VegShare',
          importance: Notifications.AndroidImportance.DEFAULT,
        });
      }
      return state((await Notifications.requestPermissionsAsync()).status);
    },
    async getToken() {
      const projectId = (Constants.expoConfig?.extra as { eas?: { projectId?: string } } | undefined)?.eas?.projectId;
      return (await Notifications.getExpoPushTokenAsync(projectId ? { projectId } : {})).data;
    },
  };
}

/** Calls `open` with the link of a tapped push, including the one that started the app. */
export function listenForTaps(open: (url: string) => void): () => void {
  const linkOf = (response: Notifications.NotificationResponse | null): string | null => {
    const url = response?.notification.request.content.data?.['url'];
    return typeof url === 'string' ? url : null;
  };
  void Notifications.getLastNotificationResponseAsync().then((r) => {
    const url = linkOf(r);
    if (url) open(url);
  });
  const sub = Notifications.addNotificationResponseReceivedListener((r) => {
    const url = linkOf(r);
    if (url) open(url);
  });
  return () => sub.remove();
}
