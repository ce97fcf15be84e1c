import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { createNavHost } from './host';
import { pathOf, routeFromUrl, stackFor, tabOf, type Route, type TabName } from './routes';

export type { Route, TabName } from './routes';

interface Nav {
  readonly route: Route;
  readonly canGoBack: boolean;
  readonly currentTab: TabName;
  push(route: Route): void;
  back(): void;
  /** Switches to a tab, forgetting the stack of the previous one. */
  tab(name: TabName): void;
  /** Opens a link (push notification, email, another app); false when it is not one of ours. */
  openUrl(url: string): boolean;
}

const NavContext = createContext<Nav | null>(null);
const host = createNavHost();

/** A small stack navigator, URL-addressable on every platform (see routes.ts), with no native navigation library. */
export function NavProvider({ children, initial }: { children: ReactNode; initial?: Route | null }) {
  const [stack, setStack] = useState<Route[]>(() =>
    initial ? stackFor(initial) : (host.initialStack() ?? [{ name: 'explore' }]),
  );
  const stackRef = useRef(stack);
  stackRef.current = stack;

  const go = useCallback((next: Route[], mode: 'push' | 'replace') => {
    setStack(next);
    host.commit(next, mode);
  }, []);
  const push = useCallback((route: Route) => go([...stackRef.current, route], 'push'), [go]);
  const pop = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const back = useCallback(() => {
    if (stackRef.current.length > 1) host.back(pop);
  }, [pop]);
  const tab = useCallback((name: TabName) => go([{ name }], 'push'), [go]);
  const openUrl = useCallback(
    (url: string) => {
      const route = routeFromUrl(url);
      if (!route) return false;
      // The link of the screen already open (Android hands a redirect to the browser session and to the app alike).
      const top = stackRef.current[stackRef.current.length - 1];
      if (top && pathOf(top) === pathOf(route)) return true;
      go(stackFor(route), 'push');
      return true;
    },
    [go],
  );

  useEffect(() => {
    host.commit(stackRef.current, 'replace');
    return host.listen({
      onStack: setStack,
      onUrl: (url) => void openUrl(url),
      onBackPress: () => {
        if (stackRef.current.length <= 1) return false; // let Android leave the app
        pop();
        return true;
      },
    });
  }, [openUrl, pop]);

  const route = stack[stack.length - 1]!;
  const value = useMemo<Nav>(
    () => ({ route, canGoBack: stack.length > 1, currentTab: tabOf(stack[0]!), push, back, tab, openUrl }),
    [route, stack, push, back, tab, openUrl],
  );
  return <NavContext.Provider value={value}>{children}</NavContext.Provider>;
}

export function useNav(): Nav {
  const nav = useContext(NavContext);
  if (!nav) throw new Error('useNav outside NavProvider');
  return nav;
}
