import type { EventPayloads } from './contracts.ts';
import type { EventBus, TopicIn, TopicMap } from './event-bus.ts';

export interface AccessGuardOptions<K extends TopicIn<M>, M extends TopicMap = EventPayloads> {
  /** Throws (typically FORBIDDEN) once the subscriber may no longer receive the events; re-run on every trigger. */
  readonly recheck: () => Promise<void>;
  /** The bus and topics of the facts that may end the right (e.g. `farm.rental.changed`), and which of them matter. */
  readonly bus: EventBus<M>;
  readonly topics: readonly K[];
  readonly relevant?: (event: M[K]) => boolean;
}

/**
 * Keeps a subscription's events flowing only while its subscriber keeps the right to them: whenever a relevant fact
 * arrives (a rental of the plot changed, …) the authorization is checked again, and once it fails the stream ends
 * with that error (the subscription server delivers it as the last result, then completes). Authorization checked
 * only when subscribing would let a cancelled renter watch a plot for as long as the socket lives.
 */
export async function whileAllowed<T, K extends TopicIn<M>, M extends TopicMap = EventPayloads>(
  source: AsyncIterableIterator<T>,
  options: AccessGuardOptions<K, M>,
): Promise<AsyncIterableIterator<T>> {
  let denied: unknown = null;
  let done = false;
  let checking = Promise.resolve();
  const waiters: { reject(error: unknown): void }[] = [];

  const deny = (error: unknown) => {
    if (done || denied) return;
    denied = error;
    void Promise.resolve(source.return?.()).catch(() => undefined);
    for (const waiter of waiters.splice(0)) waiter.reject(error);
  };
  const onFact = (event: M[K]) => {
    if (done || denied || (options.relevant && !options.relevant(event))) return;
    // One check at a time, in arrival order: a burst of changes never runs checks in parallel.
    checking = checking.then(() => options.recheck().catch(deny));
  };
  const unsubscribes = await Promise.all(options.topics.map((topic) => options.bus.subscribe(topic, onFact)));
  const finish = async () => {
    if (done) return;
    done = true;
    await Promise.all(unsubscribes.map((unsubscribe) => unsubscribe()));
  };

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      if (denied) {
        const error = denied;
        await finish();
        denied = null;
        throw error;
      }
      if (done) return { value: undefined, done: true };
      try {
        const result = await new Promise<IteratorResult<T>>((resolve, reject) => {
          const waiter = { reject };
          waiters.push(waiter);
          source.next().then(
            (r) => {
              waiters.splice(waiters.indexOf(waiter), 1);
              resolve(r);
            },
            (e: unknown) => {
              waiters.splice(waiters.indexOf(waiter), 1);
              reject(e);
            },
          );
        });
        if (result.done) await finish();
        return result;
      } catch (error) {
        await finish();
        throw error;
      }
    },
    async return() {
      await finish();
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
