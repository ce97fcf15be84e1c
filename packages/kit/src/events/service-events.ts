import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics.ts';
import type { DeliveredEvent, EventStream } from './event-stream.ts';
import { JetStreamEventStream } from './jetstream-event-stream.ts';
import { BusEventStream } from './bus-event-stream.ts';
import { untypedBus, type EventBus } from './event-bus.ts';
import { isDurableTopic, type EventPayloads, type EventTopic } from './contracts.ts';
import { enqueueEvent, firstDelivery, OutboxRelay, type RawExecutor } from './outbox.ts';

/** A Prisma client of the service: handlers run their effect and the processed-event row in one transaction. */
export interface TransactionRunner<Tx extends RawExecutor> {
  $transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
}

/** Buses made by `outboxBus`, and how each writes a durable topic to its outbox in a given transaction. */
const outboxWriters = new WeakMap<object, (tx: RawExecutor, topic: string, payload: unknown) => Promise<string>>();

/**
 * Runs `change` in one transaction of `db` and hands it a bus for what the change announces: a durable topic published
 * on it is written to the outbox in that transaction (when `bus` came from `outboxBus`), so the event exists if and
 * only if the change commits; live topics, and durable ones on any other bus (a test's in-process bus), are published
 * on `bus` once the transaction committed, and never when it rolls back. Keep the change to database work: the
 * transaction is open while it runs.
 */
export async function inTransaction<Tx extends RawExecutor, R>(
  db: TransactionRunner<Tx>,
  bus: EventBus,
  change: (tx: Tx, bus: EventBus) => Promise<R>,
): Promise<R> {
  const write = outboxWriters.get(bus);
  const afterCommit: (() => Promise<void>)[] = [];
  const result = await db.$transaction((tx) =>
    change(tx, {
      publish: async (topic, payload) => {
        if (write && isDurableTopic(topic)) await write(tx, topic, payload);
        else afterCommit.push(() => bus.publish(topic, payload));
      },
      subscribe: (topic, handler) => bus.subscribe(topic, handler),
      close: () => Promise.resolve(),
    }),
  );
  for (const publish of afterCommit) await publish();
  return result;
}

export interface ServiceEventsOptions {
  /** The service (its durable consumers are named `<service>.<name>`). */
  readonly service: string;
  /** Its Postgres schema: outbox and processed-event tables. */
  readonly schema: string;
  readonly databaseUrl: string;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  /**
   * NATS servers (comma-separated): durable events on JetStream. Absent: they travel on `bus` (the in-process bus of
   * the embedded default and the tests, or Redis pub/sub), see BusEventStream.
   */
  readonly natsUrl?: string | undefined;
  /**
   * The service's live bus. With JetStream, every published durable event is also put on it (best effort) for live
   * listeners inside the service (a subscription re-checking access on `farm.rental.changed`).
   */
  readonly bus: EventBus;
  /** An injected stream (tests, the bench); not closed by `stop`. */
  readonly stream?: EventStream;
  /** Relay poll interval (ms). */
  readonly pollMs?: number;
}

/**
 * One service's durable events: `enqueue` in the transaction of the change, the outbox relay, and consumers —
 * `consumeOnce` (idempotent by the processed-event table) or `consume` (for naturally idempotent handlers).
 */
export class ServiceEvents {
  readonly relay: OutboxRelay;
  readonly #stops: (() => Promise<void>)[] = [];
  readonly #deadLettered;

  private constructor(
    readonly stream: EventStream,
    private readonly options: ServiceEventsOptions,
    private readonly ownsStream: boolean,
  ) {
    const mirrored: EventStream = ownsStream
      ? {
          publish: async (topic, payload, id) => {
            await stream.publish(topic, payload, id);
            await untypedBus(options.bus)
              .publish(topic, payload)
              .catch((err: unknown) => options.logger.debug({ err, topic }, 'live copy of an event not published'));
          },
          consume: (o) => stream.consume(o),
          onDeadLetter: (l) => stream.onDeadLetter(l),
          close: () => stream.close(),
        }
      : stream;
    this.relay = new OutboxRelay({
      schema: options.schema,
      databaseUrl: options.databaseUrl,
      stream: mirrored,
      logger: options.logger,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    });
    this.#deadLettered = options.metrics?.counter(
      'events_dead_lettered_total',
      'Events that exhausted their deliveries, by consumer',
      ['consumer'],
    );
    const counter = this.#deadLettered;
    const prefix = `${options.service}.`;
    if (counter) {
      const off = stream.onDeadLetter((consumer) => {
        if (consumer.startsWith(prefix)) counter.inc({ consumer });
      });
      this.#stops.push(async () => void off());
    }
  }

  static async open(options: ServiceEventsOptions): Promise<ServiceEvents> {
    if (options.stream) return new ServiceEvents(options.stream, options, false);
    if (options.natsUrl)
      return new ServiceEvents(
        await JetStreamEventStream.connect(options.natsUrl, { name: options.service, logger: options.logger }),
        options,
        true,
      );
    return new ServiceEvents(new BusEventStream(untypedBus(options.bus), options.logger), options, false);
  }

  /** Writes `payload` to the outbox in `tx`: published once the transaction commits, never if it rolls back. */
  enqueue<K extends EventTopic>(tx: RawExecutor, topic: K, payload: EventPayloads[K]): Promise<string> {
    return enqueueEvent(tx, this.options.schema, topic, payload);
  }

  /**
   * The service's bus for code that publishes with `bus.publish`: live topics go to `live`; a durable topic is written
   * to the outbox — in the change's transaction when published on the bus `inTransaction` hands out (the way every
   * producer publishes them), else on its own (`db`).
   */
  outboxBus(live: EventBus, db: RawExecutor): EventBus {
    const schema = this.options.schema;
    const bus: EventBus = {
      publish: async (topic, payload) => {
        if (isDurableTopic(topic)) await enqueueEvent(db, schema, topic, payload);
        else await live.publish(topic, payload);
      },
      subscribe: (topic, handler) => live.subscribe(topic, handler),
      close: () => Promise.resolve(),
      ...(live.onConnectionChange
        ? { onConnectionChange: (listener: (connected: boolean) => void) => live.onConnectionChange!(listener) }
        : {}),
    };
    outboxWriters.set(bus, (tx, topic, payload) => enqueueEvent(tx, schema, topic, payload));
    return bus;
  }

  /** Starts the relay (call once the service's consumers are registered). */
  start(): void {
    this.relay.start();
  }

  /**
   * A durable consumer whose handler is naturally idempotent (an upsert to the event's state, a delete): a
   * redelivery does no harm. Throwing retries with back-off, then dead-letters.
   */
  async consume<K extends EventTopic>(
    name: string,
    topic: K,
    handle: (payload: EventPayloads[K], event: DeliveredEvent<EventPayloads[K]>) => Promise<void>,
  ): Promise<void> {
    const stop = await this.stream.consume<EventPayloads[K]>({
      consumer: `${this.options.service}.${name}`,
      topic,
      handle: (event) => handle(event.payload, event),
    });
    this.#stops.push(stop);
  }

  /**
   * A durable consumer whose effect runs at most once per event: the processed-event row and the effect are written in
   * one transaction, so a redelivery (after a crash between commit and ack, a NATS restart) finds the row and skips.
   */
  async consumeOnce<K extends EventTopic, Tx extends RawExecutor>(
    name: string,
    topic: K,
    db: TransactionRunner<Tx>,
    handle: (tx: Tx, payload: EventPayloads[K], event: DeliveredEvent<EventPayloads[K]>) => Promise<void>,
  ): Promise<void> {
    const consumer = `${this.options.service}.${name}`;
    const stop = await this.stream.consume<EventPayloads[K]>({
      consumer,
      topic,
      handle: (event) =>
        db.$transaction(async (tx) => {
          if (await firstDelivery(tx, this.options.schema, consumer, event.id)) await handle(tx, event.payload, event);
        }),
    });
    this.#stops.push(stop);
  }

  /** Resolves once the events received so far were handled (the in-process stream; JetStream: at once). */
  async idle(): Promise<void> {
    await this.stream.idle?.();
  }

  /** Stops consumers, then the relay, then the stream's connection (an injected or shared stream stays open). */
  async stop(): Promise<void> {
    for (const stop of this.#stops.splice(0).reverse()) await stop();
    await this.relay.stop();
    if (this.ownsStream) await this.stream.close();
  }
}
