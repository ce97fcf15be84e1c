import type { EventPayloads } from './contracts.ts';

/**
 * A message on a topic, delivered to every subscriber in every replica (at most once, best effort). `eventId` is set
 * when the message is a durable event carried by this bus (the in-process default, see BusEventStream).
 */
export type EventHandler<T> = (payload: T, eventId?: string) => void;

/**
 * Topic → payload. Keys are topic names, or template-literal patterns for per-entity topics
 * (`farm.plot.${string}.activity`). The services' map is `EventPayloads` (contracts.ts).
 */
export type TopicMap = object;
/** The map of a bus that moves raw messages on any topic (the bus implementations, the outbox relay, BusEventStream). */
export type AnyTopics = Record<string, unknown>;
/** The topics of a map (string keys, patterns included). */
export type TopicIn<M extends TopicMap> = keyof M & string;

/**
 * A pub/sub bus whose topics and payloads are those of `M` (by default every topic of `topics`, see contracts.ts):
 * `publish` checks the payload against the topic and `subscribe` hands the handler the topic's payload type, so
 * `bus.publish(topics.plotActivity(id), entry)` and `bus.subscribe(topics.rentalChanged, (rental) => …)` need no type
 * argument. The implementations (MemoryEventBus, RedisEventBus) take the map as a type parameter; code that moves
 * messages whose topic is only known at run time uses `untypedBus(bus)`.
 */
export interface EventBus<M extends TopicMap = EventPayloads> {
  /** `eventId`: the durable event's outbox id, handed to subscribers (BusEventStream de-duplicates by it). */
  publish<K extends TopicIn<M>>(topic: K, payload: M[K], eventId?: string): Promise<void>;
  /**
   * Resolves once the subscription is active — or, on a bus that reports its connection, once that connection is
   * known to be down: the subscription then becomes active before `onConnectionChange` reports it back. The returned
   * function unsubscribes.
   */
  subscribe<K extends TopicIn<M>>(topic: K, handler: EventHandler<M[K]>): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /**
   * Told the connection's state at once, then whenever the bus loses its connection (false) and when it is back
   * (true); events published in between may never arrive. Absent on buses that cannot lose events in transit (the in-process bus). Returns the function that stops
   * telling.
   */
  onConnectionChange?(listener: (connected: boolean) => void): () => void;
}

/** A bus seen untyped: any topic, payloads unknown. */
export type RawEventBus = EventBus<AnyTopics>;

/**
 * The same bus, untyped, for code that carries messages whose topic is only known at run time: the outbox relay's
 * stream over the bus (BusEventStream) and the live copy of a relayed event publish what an outbox row holds, whose
 * payload was checked against its topic when it was written (`enqueue`, `inTransaction`).
 */
export function untypedBus<M extends TopicMap>(bus: EventBus<M>): RawEventBus {
  // The map types a bus's users only; every bus carries any topic at run time (the one place it is seen so).
  return bus as unknown as RawEventBus;
}
