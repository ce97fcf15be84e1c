import type { EventBus, EventHandler } from './event-bus.ts';

/** In-process bus for the embedded default: same contract as Redis, payloads cloned so no subscriber shares state. */
export class MemoryEventBus implements EventBus {
  readonly #handlers = new Map<string, Set<EventHandler<unknown>>>();

  async publish<T>(topic: string, payload: T, eventId?: string): Promise<void> {
    const handlers = this.#handlers.get(topic);
    if (!handlers) return;
    const wire = JSON.stringify(payload);
    for (const handler of [...handlers]) queueMicrotask(() => handler(JSON.parse(wire), eventId));
  }

  async subscribe<T>(topic: string, handler: EventHandler<T>): Promise<() => Promise<void>> {
    let set = this.#handlers.get(topic);
    if (!set) this.#handlers.set(topic, (set = new Set()));
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
