import type { Route } from './routes';

/** How navigation meets the platform: browser history on the web, the back button and incoming links on devices. */
export interface NavHost {
  /** The stack the app opens with when the platform says (the web page's URL), or null. */
  initialStack(): Route[] | null;
  /** Records a new stack (web: a history entry with the URL of its top route). */
  commit(stack: readonly Route[], mode: 'push' | 'replace'): void;
  /** Goes back one screen; `pop` does it in app state where the platform has no history. */
  back(pop: () => void): void;
  /**
   * Listens for the platform: `onStack` when the browser moved through history, `onUrl` for a link opened from outside
   * (vegshare:// or https), `onBackPress` for Android's back button (true when handled).
   */
  listen(handlers: {
    onStack: (stack: Route[]) => void;
    onUrl: (url: string) => void;
    onBackPress: () => boolean;
  }): () => void;
}
