import type { NavHost } from './host-types';
import { pathOf, routeFromUrl, stackFor, type Route } from './routes';

interface HistoryState {
  readonly vegshareStack?: readonly string[];
}

function stackFromPaths(paths: readonly string[] | undefined): Route[] | null {
  if (!paths?.length) return null;
  const stack = paths.map(routeFromUrl);
  return stack.every((r): r is Route => r !== null) ? stack : null;
}

function currentStack(): Route[] | null {
  const state = window.history.state as HistoryState | null;
  const fromState = stackFromPaths(state?.vegshareStack);
  if (fromState) return fromState;
  const route = routeFromUrl(`${window.location.pathname}${window.location.search}`);
  return route ? stackFor(route) : null;
}

/**
 * The web: every screen has its URL; the whole stack is kept in the history entry, so the browser's Back and Forward
 * move between screens exactly like the app's own Back, and a reload or a shared link opens the same screen.
 */
export function createNavHost(): NavHost {
  return {
    initialStack: () => currentStack(),
    commit(stack, mode) {
      const top = stack[stack.length - 1];
      if (!top) return;
      const state: HistoryState = { vegshareStack: stack.map(pathOf) };
      const url = pathOf(top);
      if (mode === 'push') window.history.pushState(state, '', url);
      else window.history.replaceState(state, '', url);
    },
    back: () => window.history.back(),
    listen({ onStack }) {
      const onPop = () => {
        const stack = currentStack();
        if (stack) onStack(stack);
      };
      window.addEventListener('popstate', onPop);
      return () => window.removeEventListener('popstate', onPop);
    },
  };
}

export const initialUrl = async (): Promise<string | null> => null;
