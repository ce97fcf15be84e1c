import { BackHandler } from 'react-native';
import * as Linking from 'expo-linking';
import type { NavHost } from './host-types';

/** iOS and Android: an in-app stack, Android's back button, and links (vegshare://, universal links) while running. */
export function createNavHost(): NavHost {
  return {
    initialStack: () => null,
    commit: () => undefined,
    back: (pop) => pop(),
    listen({ onUrl, onBackPress }) {
      const back = BackHandler.addEventListener('hardwareBackPress', onBackPress);
      const links = Linking.addEventListener('url', ({ url }) => onUrl(url));
      return () => {
        back.remove();
        links.remove();
      };
    },
  };
}

/** The link that started the app (cold start from a link), or null. */
export const initialUrl = (): Promise<string | null> => Linking.getInitialURL();
