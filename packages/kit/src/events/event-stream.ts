/**
 * Durable events between services (at-least-once): what a service wrote to its outbox in the same transaction as the
 * change, published by the outbox relay and delivered to every durable consumer until it acknowledges. Live fan-out to
 * connected sockets stays on the `EventBus`; see README "Events".
 */

/** One delivery of a durable event. `id` is the outbox row's id: the same on every redelivery and on a re-publish. */
export interface DeliveredEvent<T> {
  readonly id: string;
  readonly topic: string;
  readonly payload: T;
  /** 1 on the first delivery, then 2, 3, … (retries after a failed handler or an unacknowledged delivery). */
  readonly attempt: number;
}

export interface ConsumerOptions<T> {
  /**
   * Durable name, unique per consuming service and topic (e.g. `payment.booking-changed`). Replicas of a service
   * share it and so share the work: each event goes to one of them.
   */
  readonly consumer: string;
  readonly topic: string;
  /** Resolves once the event's effect is committed (then it is acknowledged); throws to be retried later. */
  readonly handle: (event: DeliveredEvent<T>) => Promise<void>;
  /** Deliveries before the event goes to the dead-letter subject (default 6). */
  readonly maxDeliver?: number;
  /**
   * Deliveries in flight at once over all replicas sharing the consumer (JetStream `max_ack_pending`). Default 1: the
   * consumer's events are handled strictly one after another, in stream order, even across replicas. Higher values
   * trade that order for throughput (each replica still handles its share in order).
   */
  readonly maxInFlight?: number;
  /** Delay before the n-th retry, in ms; the last one repeats (default 1 s, 5 s, 15 s, 60 s, 300 s). */
  readonly backoffMs?: readonly number[];
}

/** Called when an event exhausted its deliveries (the service counts it: `events_dead_lettered_total`). */
export type DeadLetterListener = (consumer: string, event: DeliveredEvent<unknown>, error: unknown) => void;

export interface EventStream {
  /** Stores one event; resolves once stored. A second publish of the same `id` is dropped (de-duplication). */
  publish(topic: string, payload: unknown, id: string): Promise<void>;
  /** Starts a durable consumer; resolves once it is active; the returned function stops it (the consumer stays). */
  consume<T>(options: ConsumerOptions<T>): Promise<() => Promise<void>>;
  /** Resolves once every event this process has received so far was handled (tests, shutdown); optional. */
  idle?(): Promise<void>;
  /** Told of every dead-lettered event; returns the function that stops telling. */
  onDeadLetter(listener: DeadLetterListener): () => void;
  close(): Promise<void>;
}

export const DEFAULT_MAX_DELIVER = 6;
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 5_000, 15_000, 60_000, 300_000];

/** The delay before retrying after delivery `attempt` failed. */
export function retryDelay(backoffMs: readonly number[], attempt: number): number {
  return backoffMs[Math.min(attempt - 1, backoffMs.length - 1)] ?? 1_000;
}
