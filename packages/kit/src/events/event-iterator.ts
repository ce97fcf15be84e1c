import type { EventPayloads } from './contracts.ts';
import type { EventBus, TopicIn, TopicMap } from './event-bus.ts';

export interface EventIteratorOptions<T> {
  /** Keep only matching events (e.g. the ones a viewer may see). */
  readonly filter?: (payload: T) => boolean;
  /** Buffered events per subscriber before the oldest is dropped (a slow consumer never grows memory unbounded). */
  readonly bufferSize?: number;
}

/**
 * Turns a bus topic into an AsyncIterableIterator for GraphQL subscription resolvers.
 * Subscribes before the first `next()` resolves; unsubscribes on `return()` (client gone) or `throw()`.
 */
export async function eventIterator<K extends TopicIn<M>, M extends TopicMap = EventPayloads>(
  bus: EventBus<M>,
  topic: K,
  options: EventIteratorOptions<M[K]> = {},
): Promise<AsyncIterableIterator<M[K]>> {
  type T = M[K];
  const limit = options.bufferSize ?? 100;
  const queue: T[] = [];
  const waiting: ((r: IteratorResult<T>) => void)[] = [];
  let done = false;
  const unsubscribe = await bus.subscribe(topic, (payload) => {
    if (done || (options.filter && !options.filter(payload))) return;
    const resolve = waiting.shift();
    if (resolve) resolve({ value: payload, done: false });
    else {
      queue.push(payload);
      if (queue.length > limit) queue.shift();
    }
  });
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      queue.length = 0;
      await unsubscribe();
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    next: () => {
      const value = queue.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
