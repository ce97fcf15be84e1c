import { ConfigError } from '@vegshare/kit';

/**
 * A failure of `npm start` the user can fix: `cause` says what went wrong, `fix` what to do. Printed as one line
 * (`start: <cause>: <fix>`), never with a stack.
 */
export class StartError extends Error {
  override readonly name = 'StartError';
  constructor(cause: string, fix: string) {
    super(`${oneLine(cause)}: ${oneLine(fix)}`);
  }
}

/** A listening port the start owns, with the variable that moves it. */
export interface PortUse {
  readonly port: number;
  readonly what: string;
  readonly variable: string;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

interface SystemError {
  readonly code?: unknown;
  readonly port?: unknown;
  readonly address?: unknown;
  readonly syscall?: unknown;
  readonly path?: unknown;
}

/** The one line `npm start` prints for a failure: known causes with their fix, anything else by its message. */
export function explainStartFailure(error: unknown, ports: readonly PortUse[] = []): string {
  if (error instanceof StartError || error instanceof ConfigError) return oneLine(error.message);
  const e = (typeof error === 'object' && error !== null ? error : {}) as SystemError;
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (e.code === 'EADDRINUSE' && typeof e.port === 'number') return portInUse(e.port, ports).message;
  if (e.code === 'EADDRNOTAVAIL' && typeof e.address === 'string') {
    return new StartError(
      `cannot listen on ${e.address}: it is not an address of this machine`,
      'set HOST (or <SERVICE>_HOST) to one of its addresses, or 0.0.0.0',
    ).message;
  }
  if (e.code === 'ECONNREFUSED' && typeof e.port === 'number') {
    return new StartError(
      `nothing answers at ${String(e.address)}:${e.port} (${message})`,
      'start that service, or unset the variable pointing at it (DATABASE_URL, REDIS_URL, S3_ENDPOINT) to use the embedded one',
    ).message;
  }
  if ((e.code === 'EACCES' || e.code === 'EPERM') && typeof e.path === 'string') {
    return new StartError(
      `permission denied on ${e.path}`,
      'run npm start as a user who may use that path, or set DATA_DIR to a directory you own',
    ).message;
  }
  return `${message} (unexpected; run with LOG_LEVEL=debug for details)`;
}

export function portInUse(port: number, ports: readonly PortUse[]): StartError {
  const use = ports.find((p) => p.port === port);
  return new StartError(
    `port ${port}${use ? ` (${use.what})` : ''} is already in use`,
    `stop what listens there (another npm start?) or set ${use ? use.variable : 'its *_PORT variable'} to a free port`,
  );
}
