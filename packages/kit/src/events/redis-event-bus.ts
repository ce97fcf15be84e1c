import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus, EventHandler } from './event-bus.ts';

const DURABLE_KEY = '$vegshareEventId';

/**
 * Redis pub/sub bus: one publishing and one subscribing connection per process, one Redis channel per topic,
 * fanned out locally to every handler. ioredis re-subscribes after reconnects.
 */
export class RedisEventBus implements EventBus {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #handlers = new Map<string, Set<EventHandler<unknown>>>();
  readonly #connectionListeners = new Set<(connected: boolean) => void>();
  #connected = false;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly prefix = 'vegshare:',
  ) {
    this.#pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    this.#sub = new Redis(url, { lazyConnect: false });
    this.#sub.on('message', (channel: string, message: string) => this.#deliver(channel, message));
    for (const r of [this.#pub, this.#sub])
      r.on('error', (err: Error) => this.logger.warn({ err }, 'redis event bus connection error'));
    // The subscribing connection is what can miss events: tell listeners when it drops and when it is back
    // (ioredis has re-subscribed every channel by 'ready').
    this.#sub.on('ready', () => this.#setConnected(true));
    this.#sub.on('close', () => this.#setConnected(false));
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    for (const listener of [...this.#connectionListeners]) listener(connected);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    this.#connectionListeners.add(listener);
    listener(this.#connected);
    return () => this.#connectionListeners.delete(listener);
  }

  #deliver(channel: string, message: string): void {
    const handlers = this.#handlers.get(channel.slice(this.prefix.length));
    if (!handlers) return;
    let payload: unknown;
    let eventId: string | undefined;
    try {
      payload = JSON.parse(message);
      // A durable event carried here (no NATS_URL): { [DURABLE_KEY]: id, payload }.
      if (payload !== null && typeof payload === 'object' && DURABLE_KEY in payload) {
        const envelope = payload as { [DURABLE_KEY]: string; payload: unknown };
        eventId = envelope[DURABLE_KEY];
        payload = envelope.payload;
      }
    } catch {
      this.logger.warn({ channel }, 'dropped malformed event');
      return;
    }
    for (const handler of handlers) {
      try {
        handler(payload, eventId);
      } catch (err) {
        this.logger.error({ err, channel }, 'event handler failed');
      }
    }
  }

  async publish<T>(topic: string, payload: T, eventId?: string): Promise<void> {
    await this.#pub.publish(
      this.prefix + topic,
      JSON.stringify(eventId === undefined ? payload : { [DURABLE_KEY]: eventId, payload }),
    );
  }

  async subscribe<T>(topic: string, handler: EventHandler<T>): Promise<() => Promise<void>> {
    let set = this.#handlers.get(topic);
    if (!set) {
      this.#handlers.set(topic, (set = new Set()));
      await this.#sub.subscribe(this.prefix + topic);
    }
    const h = handler as EventHandler<unknown>;
    set.add(h);
    return async () => {
      set.delete(h);
      if (set.size === 0 && this.#handlers.get(topic) === set) {
        this.#handlers.delete(topic);
        // While Redis is unreachable the command would wait out every reconnect attempt (a service stopping then
        // would hang); the channel is re-subscribed on reconnect and its messages find no handler, so skip it.
        if (this.#connected) await this.#sub.unsubscribe(this.prefix + topic);
      }
    };
  }

  /** Readiness probe. */
  async ping(): Promise<void> {
    await this.#pub.ping();
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#connectionListeners.clear();
    this.#sub.disconnect();
    await this.#pub.quit();
  }
}
