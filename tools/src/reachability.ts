import { connect } from 'node:net';
import { StartError } from './start-errors.ts';

/** A service the start is told to use (by URL) and what to do when nothing answers there. */
export interface ExternalService {
  readonly variable: string;
  readonly url: string;
  readonly defaultPort: number;
  readonly fix: string;
}

function answers(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('no answer');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * Fails before anything starts when a configured Redis or S3 does not accept connections: one line naming the
 * variable, the address and the fix, instead of services retrying and logging at start.
 */
export async function assertReachable(services: readonly ExternalService[], timeoutMs = 3000): Promise<void> {
  for (const service of services) {
    const url = new URL(service.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port ? Number(url.port) : service.defaultPort;
    const problem = await answers(host, port, timeoutMs);
    if (problem)
      throw new StartError(`nothing answers at ${url.hostname}:${port} (${service.variable}; ${problem})`, service.fix);
  }
}
