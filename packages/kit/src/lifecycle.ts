import type { Logger } from 'pino';

interface Entry {
  readonly name: string;
  readonly close: () => unknown;
  readonly timeoutMs: number;
}

export interface ResourceOptions {
  /** How long this resource may take to close before the rest go ahead without it (default: the stack's). */
  readonly timeoutMs?: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * What a service holds open — servers, database pools, Redis connections, event subscriptions, queues, workers,
 * timers — registered in the order it opens them and closed by the kit in reverse order, so nothing is closed while
 * something opened after it still uses it. Each close gets a timeout; a failure or a timeout is logged and the rest
 * still close. `close()` is idempotent: every caller gets the same run.
 */
export class Resources {
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #stack: Entry[] = [];
  #closing: Promise<void> | null = null;

  constructor(logger: Logger, options: { readonly timeoutMs?: number } = {}) {
    this.#logger = logger;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Registers `resource` under `name` with how to close it, and returns it (open and register in one line). */
  add<T>(name: string, resource: T, close: (resource: T) => unknown, options: ResourceOptions = {}): T {
    this.onClose(name, () => close(resource), options);
    return resource;
  }

  /** Registers a close action (an unsubscribe, a timer to clear) under `name`. */
  onClose(name: string, close: () => unknown, options: ResourceOptions = {}): void {
    const entry: Entry = { name, close, timeoutMs: options.timeoutMs ?? this.#timeoutMs };
    if (this.#closing) {
      // Opened while the service was already stopping (a start that raced a stop): close it straight away.
      void this.#closeOne(entry);
      return;
    }
    this.#stack.push(entry);
  }

  /** How many resources are registered (and not yet closed). */
  get size(): number {
    return this.#stack.length;
  }

  /** Closes everything registered, last opened first. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  /**
   * Runs a service's start-up: if it throws, whatever it registered so far is closed before the error goes on, so a
   * failed start leaks no connection or timer.
   */
  async build<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async #closeAll(): Promise<void> {
    for (let entry = this.#stack.pop(); entry; entry = this.#stack.pop()) await this.#closeOne(entry);
  }

  async #closeOne(entry: Entry): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), entry.timeoutMs);
      timer.unref();
    });
    const started = Date.now();
    try {
      const outcome = await Promise.race([Promise.resolve().then(entry.close), timeout]);
      if (outcome === TIMED_OUT)
        this.#logger.warn(
          { resource: entry.name, timeoutMs: entry.timeoutMs },
          'resource did not close in time; going on without it',
        );
      else this.#logger.debug({ resource: entry.name, ms: Date.now() - started }, 'resource closed');
    } catch (err) {
      this.#logger.warn({ err, resource: entry.name }, 'resource failed to close');
    } finally {
      clearTimeout(timer);
    }
  }
}
