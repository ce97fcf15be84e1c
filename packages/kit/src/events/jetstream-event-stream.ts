import { connect, type NatsConnection } from '@nats-io/transport-node';
import { headers as natsHeaders } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type ConsumerMessages,
  type StreamConfig,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import {
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_DELIVER,
  retryDelay,
  type ConsumerOptions,
  type DeadLetterListener,
  type DeliveredEvent,
  type EventStream,
} from './event-stream.ts';

/** The stream of every durable event (subjects `events.<topic>`) and the one of dead letters (`deadletter.<consumer>`). */
export const EVENTS_STREAM = 'VEGSHARE_EVENTS';
export const DEAD_LETTER_STREAM = 'VEGSHARE_DEADLETTER';
const eventSubject = (topic: string) => `events.${topic}`;
export const deadLetterSubject = (consumer: string) => `deadletter.${consumer}`;

const ns = (ms: number) => ms * 1_000_000;
const DAY = 24 * 60 * 60 * 1000;

export interface JetStreamOptions {
  /** Client name shown by the server (the service). */
  readonly name: string;
  readonly logger: Logger;
  /** How long the server remembers a message id to drop a re-publish (default 10 min; longer than any relay outage retry). */
  readonly duplicateWindowMs?: number;
  /** How long events stay in the stream for replay (default 7 days). */
  readonly maxAgeMs?: number;
  /** Replicas of the streams on a clustered server (default 1). */
  readonly replicas?: number;
}

/**
 * Durable events on NATS JetStream: one file-backed stream, the outbox id as `Nats-Msg-Id` (the server drops a second
 * publish of it within the duplicate window), durable pull consumers with explicit acks, retries by `nak(delay)` and,
 * after `maxDeliver` deliveries, a copy on the dead-letter stream and `term()`.
 */
export class JetStreamEventStream implements EventStream {
  readonly #deadLetterListeners = new Set<DeadLetterListener>();
  readonly #running = new Set<ConsumerMessages>();

  private constructor(
    readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
  ) {}

  static async connect(url: string, options: JetStreamOptions): Promise<JetStreamEventStream> {
    const connection = await connect({
      servers: url.split(','),
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    const log = options.logger.child({ nats: url });
    void (async () => {
      for await (const s of connection.status()) {
        if (s.type === 'disconnect') log.warn('nats disconnected');
        else if (s.type === 'reconnect') log.info('nats reconnected');
      }
    })();
    const jsm = await jetstreamManager(connection);
    const replicas = options.replicas ?? 1;
    await ensureStream(jsm, {
      name: EVENTS_STREAM,
      subjects: ['events.>'],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: ns(options.maxAgeMs ?? 7 * DAY),
      duplicate_window: ns(options.duplicateWindowMs ?? 10 * 60 * 1000),
      num_replicas: replicas,
    });
    await ensureStream(jsm, {
      name: DEAD_LETTER_STREAM,
      subjects: ['deadletter.>'],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: ns(30 * DAY),
      num_replicas: replicas,
    });
    return new JetStreamEventStream(connection, jetstream(connection), jsm, options.logger);
  }

  async publish(topic: string, payload: unknown, id: string): Promise<void> {
    await this.js.publish(eventSubject(topic), JSON.stringify(payload), { msgID: id, timeout: 5_000 });
  }

  async consume<T>(options: ConsumerOptions<T>): Promise<() => Promise<void>> {
    const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const durable = options.consumer.replace(/[^A-Za-z0-9_-]/g, '_');
    const config = {
      durable_name: durable,
      filter_subject: eventSubject(options.topic),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      // An unacknowledged delivery (the replica died mid-handler) is redelivered after this.
      ack_wait: ns(30_000),
      max_deliver: maxDeliver,
      // By default one event at a time per consumer: events of a topic are handled in publish order (retries aside).
      max_ack_pending: options.maxInFlight ?? 1,
    };
    try {
      await this.jsm.consumers.info(EVENTS_STREAM, durable);
      await this.jsm.consumers.update(EVENTS_STREAM, durable, {
        ack_wait: config.ack_wait,
        max_deliver: maxDeliver,
        max_ack_pending: config.max_ack_pending,
      });
    } catch {
      await this.jsm.consumers.add(EVENTS_STREAM, config).catch(async (error: unknown) => {
        // Another replica created it in between.
        await this.jsm.consumers.info(EVENTS_STREAM, durable).catch(() => {
          throw error;
        });
      });
    }
    const consumer = await this.js.consumers.get(EVENTS_STREAM, durable);
    const messages = await consumer.consume({ max_messages: Math.max(16, config.max_ack_pending) });
    this.#running.add(messages);
    const done = (async () => {
      for await (const m of messages) {
        const attempt = m.info.deliveryCount;
        const id = m.headers?.get('Nats-Msg-Id') || `${EVENTS_STREAM}:${m.seq}`;
        let event: DeliveredEvent<T>;
        try {
          event = { id, topic: options.topic, payload: m.json<T>(), attempt };
        } catch (error) {
          await this.#deadLetter(options.consumer, { id, topic: options.topic, payload: m.string(), attempt }, error);
          m.term('malformed');
          continue;
        }
        try {
          await options.handle(event);
          // A lost ack means a redelivery after ack_wait, which idempotent handlers absorb: no need to wait for it.
          m.ack();
        } catch (error) {
          if (attempt >= maxDeliver) {
            await this.#deadLetter(options.consumer, event, error);
            m.term('dead-lettered');
          } else {
            this.logger.warn(
              { err: error, consumer: options.consumer, eventId: id, attempt },
              'event handler failed; retrying',
            );
            m.nak(retryDelay(backoffMs, attempt));
          }
        }
      }
    })().catch((err: unknown) => this.logger.error({ err, consumer: options.consumer }, 'event consumer stopped'));
    return async () => {
      this.#running.delete(messages);
      await messages.close();
      await done;
    };
  }

  async #deadLetter(consumer: string, event: DeliveredEvent<unknown>, error: unknown): Promise<void> {
    this.logger.error({ err: error, consumer, eventId: event.id, topic: event.topic }, 'event dead-lettered');
    const h = natsHeaders();
    h.set('Nats-Msg-Id', `${consumer}:${event.id}`);
    h.set('VegShare-Topic', event.topic);
    h.set('VegShare-Event-Id', event.id);
    h.set('VegShare-Error', (error instanceof Error ? error.message : String(error)).slice(0, 500));
    await this.js
      .publish(deadLetterSubject(consumer), JSON.stringify(event.payload), { headers: h })
      .catch((err: unknown) => this.logger.error({ err, consumer, eventId: event.id }, 'dead letter not stored'));
    for (const listener of this.#deadLetterListeners) listener(consumer, event, error);
  }

  onDeadLetter(listener: DeadLetterListener): () => void {
    this.#deadLetterListeners.add(listener);
    return () => this.#deadLetterListeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const m of this.#running) await m.close();
    this.#running.clear();
    await this.connection.drain().catch(() => this.connection.close());
  }
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch {
    await jsm.streams.add(config).catch(async (error: unknown) => {
      await jsm.streams.info(config.name).catch(() => {
        throw error;
      });
    });
  }
}
