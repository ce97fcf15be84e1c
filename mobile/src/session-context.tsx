import { createContext, useContext } from 'react';
import type { Session, SessionStore } from './auth/session';

export interface SessionContextValue {
  readonly store: SessionStore;
  readonly session: Session | null;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionContext');
  return value;
}
