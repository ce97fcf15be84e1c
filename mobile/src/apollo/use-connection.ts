import { useSyncExternalStore } from 'react';
import { useApp } from '../app-context';
import type { ConnectionStatus } from './connection';

/** The live connection's status (re-renders on change). */
export function useConnection(): ConnectionStatus {
  const { client } = useApp();
  return useSyncExternalStore(
    (listener) => client.connection.subscribe(listener),
    () => client.connection.status,
  );
}
