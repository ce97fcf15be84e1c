/**
 * The side of the parent/child protocol that runs in each benchmarked process: announce the URL over IPC once
 * listening, stop cleanly on SIGTERM or when the parent goes away.
 */
export interface ReadyMessage {
  readonly ready: true;
  /** Base URL the process listens on. */
  readonly url: string;
  /** The GraphQL endpoint (absolute URL). */
  readonly endpoint: string;
  /** Base URL of the internal /metrics listener (our services), when there is one. */
  readonly metricsUrl?: string;
}

export function announce(url: string, endpoint: string, stop: () => Promise<void>, metricsUrl?: string): void {
  const message: ReadyMessage = { ready: true, url, endpoint, ...(metricsUrl ? { metricsUrl } : {}) };
  process.send?.(message);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(0), 3000);
    force.unref();
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.once('disconnect', shutdown);
}

/** Reads a required environment variable or exits with a one-line message. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`bench child: ${name} is required\n`);
    process.exit(2);
  }
  return value;
}

export function fail(what: string, error: unknown): never {
  process.stderr.write(`${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
