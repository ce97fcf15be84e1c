import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RawEventBus } from './event-bus.ts';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_DELIVER,
  retryDelay,
  type ConsumerOptions,
  type DeadLetterListener,
  type DeliveredEvent,
  type EventStream,
} from './event-stream.ts';

/**
 * Durable-event semantics over the live bus, for the embedded default (no NATS_URL: the in-process bus that every
 * service of `npm start` and of a test shares; or Redis pub/sub when only REDIS_URL is set). The outbox and relay run
 * as with JetStream, the event id travels with the message, handlers are retried with back-off in order per consumer
 * and dead-lettered after `maxDeliver`, and `consumeOnce` handlers skip an id they handled. What it cannot give is
 * storage in transit: an event the relay handed over is delivered only to consumers connected at that moment (with
 * the in-process bus, the same process), so a multi-replica deployment sets NATS_URL.
 */
export class BusEventStream implements EventStream {
  readonly #deadLetterListeners = new Set<DeadLetterListener>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Ids this process published recently: a relay re-publishing after a crash-free retry is dropped here too. */
  readonly #recent = new Set<string>();
  /** The tail of each consumer's delivery chain (idle() waits for them). */
  readonly #chains = new Map<object, Promise<void>>();

  /** `bus`: untyped (`untypedBus`), since outbox rows carry any topic (their payloads were checked when written). */
  constructor(
    readonly bus: RawEventBus,
    private readonly logger: Logger,
  ) {}

  async publish(topic: string, payload: unknown, id: string): Promise<void> {
    if (this.#recent.has(id)) return;
    await this.bus.publish(topic, payload, id);
    this.#recent.add(id);
    if (this.#recent.size > 10_000) this.#recent.delete(this.#recent.values().next().value as string);
  }

  async consume<T>(options: ConsumerOptions<T>): Promise<() => Promise<void>> {
    const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    let stopped = false;
    const sleeping = new Set<() => void>();
    /** One event at a time per consumer, in arrival order; a retry waits its back-off before the next goes. */
    let chain = Promise.resolve();
    const key = {};
    const deliver = async (event: DeliveredEvent<T>): Promise<void> => {
      for (let attempt = 1; !stopped; attempt++) {
        try {
          await options.handle({ ...event, attempt });
          return;
        } catch (error) {
          if (attempt >= maxDeliver) {
            this.logger.error(
              { err: error, consumer: options.consumer, eventId: event.id, topic: event.topic },
              'event dead-lettered',
            );
            for (const listener of this.#deadLetterListeners) listener(options.consumer, event, error);
            return;
          }
          this.logger.warn(
            { err: error, consumer: options.consumer, eventId: event.id, attempt },
            'event handler failed; retrying',
          );
          await new Promise<void>((resolve) => {
            const wake = () => {
              clearTimeout(timer);
              this.#timers.delete(timer);
              sleeping.delete(wake);
              resolve();
            };
            const timer = setTimeout(wake, retryDelay(backoffMs, attempt));
            this.#timers.add(timer);
            sleeping.add(wake);
          });
        }
      }
    };
    // `consume<T>` is told the topic's payload type by its caller (ServiceEvents types it by the topic).
    const unsubscribe = await this.bus.subscribe(options.topic, (payload, eventId) => {
      const event: DeliveredEvent<T> = {
        id: eventId ?? randomUUID(),
        topic: options.topic,
        payload: payload as T,
        attempt: 1,
      };
      chain = chain.then(() => deliver(event));
      this.#chains.set(key, chain);
    });
    return async () => {
      stopped = true;
      await unsubscribe();
      for (const wake of [...sleeping]) wake();
      await chain;
      this.#chains.delete(key);
    };
  }

  async idle(): Promise<void> {
    for (;;) {
      const tails = [...this.#chains.values()];
      await Promise.all(tails);
      if (tails.every((t, i) => [...this.#chains.values()][i] === t)) return;
    }
  }

  onDeadLetter(listener: DeadLetterListener): () => void {
    this.#deadLetterListeners.add(listener);
    return () => this.#deadLetterListeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
