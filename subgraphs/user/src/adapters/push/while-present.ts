/** Wraps a subscription's iterator so that `leave` runs exactly once when the subscription ends, however it ends. */
export function whilePresent<T>(inner: AsyncIterableIterator<T>, leave: () => void): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: async () => {
      const result = await inner.next();
      if (result.done) leave();
      return result;
    },
    return: async (value?: unknown) => {
      leave();
      return inner.return ? inner.return(value) : { value: undefined, done: true };
    },
    throw: async (error?: unknown) => {
      leave();
      if (inner.throw) return inner.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
