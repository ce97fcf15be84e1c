import { createServer } from 'node:net';
import { portInUse, type PortUse } from './start-errors.ts';

export interface PortClaim extends PortUse {
  /** The address it will listen on. */
  readonly host: string;
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * Fails fast, before anything starts, when a fixed port is taken: one line naming the port, what needs it and the
 * variable that moves it. (Something may still take a port afterwards; starting then fails with the same line.)
 */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (claim.port === 0) continue;
    if (!(await isFree(claim.port, claim.host))) throw portInUse(claim.port, claims);
  }
}

/** A port nothing listens on right now (for a service whose URL must be known before it starts). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ port: 0, host }, () => resolve());
  });
  const address = probe.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
