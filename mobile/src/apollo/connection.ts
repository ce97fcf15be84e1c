/** What the live connection to the gateway is doing, for the UI (banner, "Live" labels). */
export type ConnectionStatus = 'connecting' | 'online' | 'offline';

type Listener = (status: ConnectionStatus) => void;

/** A small observable value; the graphql-ws client reports into it, components read it with useConnection(). */
export class ConnectionState {
  #status: ConnectionStatus = 'connecting';
  #everConnected = false;
  readonly #listeners = new Set<Listener>();

  get status(): ConnectionStatus {
    return this.#status;
  }

  /** True once the first connection was made (a later 'connecting' is a reconnect). */
  get everConnected(): boolean {
    return this.#everConnected;
  }

  set(status: ConnectionStatus): void {
    if (status === 'online') this.#everConnected = true;
    if (status === this.#status) return;
    this.#status = status;
    for (const l of this.#listeners) l(status);
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
