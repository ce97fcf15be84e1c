import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus, EventHandler, TopicIn, TopicMap } from './event-bus.ts';
import type { EventPayloads } from './contracts.ts';
import { logRedisOutages } from '../redis-outages.ts';
import { DEFAULT_EVENT_PREFIX } from '../config.ts';

const DURABLE_KEY = '$vegshareEventId';

/**
 * Redis pub/sub bus: one publishing and one subscribing connection per process, one Redis channel per topic,
 * fanned out locally to every handler. A Redis that is down (at start or later) holds nobody up: `subscribe` resolves
 * once the connection is known to be down, and every topic that has handlers is subscribed again before the bus
 * reports itself connected (`onConnectionChange`), so a service starts and serves without Redis and hears events
 * again when it is back.
 */
export class RedisEventBus<M extends TopicMap = EventPayloads> implements EventBus<M> {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #handlers = new Map<string, Set<EventHandler<unknown>>>();
  readonly #connectionListeners = new Set<(connected: boolean) => void>();
  #connected = false;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly prefix = DEFAULT_EVENT_PREFIX,
  ) {
    this.#pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
    // A SUBSCRIBE queued while Redis is down fails at the first failed attempt instead of after 20 (about a minute):
    // the topic is subscribed on 'ready' anyway.
    this.#sub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 0 });
    this.#sub.on('message', (channel: string, message: string) => this.#deliver(channel, message));
    logRedisOutages(this.#pub, logger, 'event bus (publishing)');
    logRedisOutages(this.#sub, logger, 'event bus (subscribing)');
    // The subscribing connection is what can miss events: tell listeners when it drops and when it is back, once
    // every topic is subscribed (ioredis re-subscribes the channels it had; the ones whose SUBSCRIBE failed while
    // Redis was down are subscribed here).
    this.#sub.on('ready', () => {
      const channels = [...this.#handlers.keys()].map((topic) => this.prefix + topic);
      void (channels.length ? this.#sub.subscribe(...channels) : Promise.resolve()).then(
        () => this.#setConnected(true),
        (err: unknown) => this.logger.warn({ err }, 'event bus: subscribing again after a reconnect failed'),
      );
    });
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

  async publish<K extends TopicIn<M>>(topic: K, payload: M[K], eventId?: string): Promise<void> {
    await this.#pub.publish(
      this.prefix + topic,
      JSON.stringify(eventId === undefined ? payload : { [DURABLE_KEY]: eventId, payload }),
    );
  }

  async subscribe<K extends TopicIn<M>>(topic: K, handler: EventHandler<M[K]>): Promise<() => Promise<void>> {
    let set = this.#handlers.get(topic);
    if (!set) {
      this.#handlers.set(topic, (set = new Set()));
      try {
        await this.#sub.subscribe(this.prefix + topic);
      } catch (err) {
        // Redis is down: the topic is subscribed when the connection is ready again (see the constructor).
        this.logger.debug({ err, topic }, 'event bus: subscription waits for Redis');
      }
    }
    // Handlers are kept by topic name, untyped: what arrives on a topic is what was published on it (JSON).
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
