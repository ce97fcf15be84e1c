import type { EventBus, EventHandler, TopicIn, TopicMap } from './event-bus.ts';
import type { EventPayloads } from './contracts.ts';

/** In-process bus for the embedded default: same contract as Redis, payloads cloned so no subscriber shares state. */
export class MemoryEventBus<M extends TopicMap = EventPayloads> implements EventBus<M> {
  readonly #handlers = new Map<string, Set<EventHandler<unknown>>>();

  async publish<K extends TopicIn<M>>(topic: K, payload: M[K], eventId?: string): Promise<void> {
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    const wire = JSON.stringify(payload);
    for (const handler of [...handlers]) queueMicrotask(() => handler(JSON.parse(wire), eventId));
  }

  async subscribe<K extends TopicIn<M>>(topic: K, handler: EventHandler<M[K]>): Promise<() => Promise<void>> {
    let set = this.#handlers.get(topic);
    if (!set) this.#handlers.set(topic, (set = new Set()));
    // Handlers are kept by topic name, untyped: what arrives on a topic is what was published on it (JSON).
    const h = handler as EventHandler<unknown>;
    set.add(h);
    return async () => {
      set.delete(h);
      if (set.size === 0) this.#handlers.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
