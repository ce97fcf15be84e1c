import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';

/** Formats one error for a client (masking included): the same function Apollo Server uses over HTTP. */
export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** An operation stream that can be ended from outside with a final error (rights ended, schema reloaded, shutdown). */
export interface EndableStream extends AsyncGenerator<ExecutionResult, undefined, unknown> {
  /** Delivers `{ errors: [error] }` as the last result, then completes; the source is closed. */
  end(error: GraphQLError): void;
}

type Result = IteratorResult<ExecutionResult, undefined>;

/**
 * Wraps a subscription's result stream so that one operation can never take its socket down: an exception from the
 * source becomes a last `next` with that error (masked by the formatter when it is not a client-facing one) followed
 * by `complete`, and `end(error)` finishes it the same way from outside. Everything else passes through untouched.
 */
export function endableStream(
  source: AsyncIterable<ExecutionResult>,
  toError: (error: unknown) => GraphQLError,
  onFinish?: () => void,
): EndableStream {
  const iterator = source[Symbol.asyncIterator]();
  let finishedFlag = false;
  const finish = () => {
    if (finishedFlag) return;
    finishedFlag = true;
    onFinish?.();
  };
  let pendingEnd: GraphQLError | null = null;
  let wake: ((r: Result) => void) | null = null;

  const closeSource = () => {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  };
  const last = (error: GraphQLError): Result => {
    finish();
    closeSource();
    return { value: { errors: [error] }, done: false };
  };

  const stream: EndableStream = {
    async next() {
      if (finishedFlag) return { value: undefined, done: true };
      if (pendingEnd) return last(pendingEnd);
      const ended = new Promise<Result>((resolve) => {
        wake = resolve;
      });
      try {
        const result = await Promise.race([
          iterator
            .next()
            .then((r): Result => (r.done ? { value: undefined, done: true } : { value: r.value, done: false })),
          ended,
        ]);
        if (result.done) finish();
        return result;
      } catch (error) {
        return last(toError(error));
      } finally {
        wake = null;
      }
    },
    async return() {
      if (!finishedFlag) {
        finish();
        closeSource();
      }
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      await stream.return(undefined);
      throw error;
    },
    end(error) {
      if (finishedFlag || pendingEnd) return;
      pendingEnd = error;
      const resolve = wake;
      if (resolve) {
        pendingEnd = null;
        resolve(last(error));
      }
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

/** An unknown failure as a client-facing error: GraphQLErrors as they are, anything else for the formatter to mask. */
export const asGraphQLError = (error: unknown): GraphQLError =>
  error instanceof GraphQLError
    ? error
    : new GraphQLError(error instanceof Error ? error.message : String(error), {
        originalError: error instanceof Error ? error : null,
      });

/** One error, whatever its form (a GraphQLError, or an already formatted one from Apollo), formatted for the client. */
function formatForClient(format: ErrorFormatter, error: unknown): GraphQLFormattedError {
  const formatted =
    error instanceof GraphQLError
      ? format(error.toJSON(), error)
      : typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
        ? format(error as GraphQLFormattedError, error)
        : format({ message: String(error) }, error);
  // `extensions.http` tells an HTTP server which status to answer with; it is no part of the error a client gets.
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * graphql-ws hooks that format every error it sends (`next` payloads and `error` messages) with the HTTP formatter,
 * so masking and codes are the same on both transports and a formatted error never reaches `toJSON()`.
 */
export function wsErrorHooks(format: ErrorFormatter) {
  return {
    onNext: (
      _ctx: unknown,
      _id: string,
      _payload: unknown,
      _args: unknown,
      result: { readonly errors?: readonly unknown[] | undefined },
    ) => {
      const { errors, ...rest } = result;
      return errors?.length ? { ...rest, errors: errors.map((e) => formatForClient(format, e)) } : rest;
    },
    onError: (_ctx: unknown, _id: string, _payload: unknown, errors: readonly unknown[]) =>
      errors.map((e) => formatForClient(format, e)),
  };
}
