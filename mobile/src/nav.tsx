import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** Every screen of the signed-in app and its parameters. */
export type Route =
  | { name: 'explore' }
  | { name: 'plot'; plotId: string }
  | { name: 'rentals' }
  | { name: 'rental'; rentalId: string }
  | { name: 'plan'; rentalId: string }
  | { name: 'camera'; cameraId: string; plotCode?: string }
  | { name: 'notifications' }
  | { name: 'profile' };

export type TabName = 'explore' | 'rentals' | 'notifications' | 'profile';

interface Nav {
  readonly route: Route;
  readonly canGoBack: boolean;
  push(route: Route): void;
  back(): void;
  /** Switches to a tab, forgetting the stack of the previous one. */
  tab(name: TabName): void;
  readonly currentTab: TabName;
}

const NavContext = createContext<Nav | null>(null);

const tabOf = (route: Route): TabName => {
  switch (route.name) {
    case 'explore':
    case 'plot':
      return 'explore';
    case 'notifications':
      return 'notifications';
    case 'profile':
      return 'profile';
    default:
      return 'rentals';
  }
};

/** A small stack navigator: enough for this app, no native dependencies, identical on web and devices. */
export function NavProvider({ children, initial = { name: 'explore' } }: { children: ReactNode; initial?: Route }) {
  const [stack, setStack] = useState<Route[]>([initial]);
  const push = useCallback((route: Route) => setStack((s) => [...s, route]), []);
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const tab = useCallback((name: TabName) => setStack([{ name }]), []);
  const route = stack[stack.length - 1]!;
  const value = useMemo<Nav>(
    () => ({ route, canGoBack: stack.length > 1, push, back, tab, currentTab: tabOf(stack[0]!) }),
    [route, stack, push, back, tab],
  );
  return <NavContext.Provider value={value}>{children}</NavContext.Provider>;
}

export function useNav(): Nav {
  const nav = useContext(NavContext);
  if (!nav) throw new Error('useNav outside NavProvider');
  return nav;
}
