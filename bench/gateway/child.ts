import { writeHeapSnapshot } from 'node:v8';

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

/** Where a process's memory is, in MiB (process.memoryUsage()): asked over IPC while it is under load. */
export interface MemoryBreakdown {
  readonly rss: number;
  /** Whether a full GC ran right before (asked with `gc` and the process has `--expose-gc`). */
  readonly collected?: boolean;
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** Memory of C++ objects bound to JS objects, Buffers and ArrayBuffers included. */
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface MemoryRequest {
  readonly memory: 'ask';
  /**
   * Collect garbage first (a full GC; needs `--expose-gc`, else not done): `heapUsed` is then what is retained.
   * Never asked while a run is measured: it changes what follows.
   */
  readonly gc?: boolean;
  /** Also write a V8 heap snapshot to this path (after the GC): to see what is retained, by constructor. */
  readonly heapSnapshot?: string;
}

const isMemoryRequest = (message: unknown): message is MemoryRequest =>
  typeof message === 'object' && message !== null && (message as { memory?: unknown }).memory === 'ask';

const mib = (bytes: number) => bytes / 2 ** 20;

export function announce(url: string, endpoint: string, stop: () => Promise<void>, metricsUrl?: string): void {
  const message: ReadyMessage = { ready: true, url, endpoint, ...(metricsUrl ? { metricsUrl } : {}) };
  process.send?.(message);
  process.on('message', (m: unknown) => {
    if (!isMemoryRequest(m)) return;
    process.send?.({ memory: memoryBreakdown(m) });
  });
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

/** Answers a memory request (see `MemoryRequest`): for processes that announce themselves otherwise. */
export function answerMemoryRequests(): void {
  process.on('message', (m: unknown) => {
    if (isMemoryRequest(m)) process.send?.({ memory: memoryBreakdown(m) });
  });
}

function memoryBreakdown(request: MemoryRequest): MemoryBreakdown {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collected = request.gc === true && gc !== undefined;
  if (collected) gc();
  if (request.heapSnapshot) writeHeapSnapshot(request.heapSnapshot);
  const u = process.memoryUsage();
  return {
    rss: mib(u.rss),
    collected,
    heapTotal: mib(u.heapTotal),
    heapUsed: mib(u.heapUsed),
    external: mib(u.external),
    arrayBuffers: mib(u.arrayBuffers),
  };
}

/**
 * `K=V,K=V,…` as [key, value] pairs, split at each pair's first '=' only: a value may hold one itself
 * (NODE_OPTIONS=--max-semi-space-size=64). How the bench passes lists through the environment.
 */
export const keyValuePairs = (raw: string): [string, string][] =>
  raw
    .split(',')
    .filter(Boolean)
    .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]);

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
