import { randomInt } from 'node:crypto';
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

/**
 * Where ports for services whose URL must be known before they listen are chosen: below the kernel's ephemeral range
 * (32768–60999 on Linux). The OS's "port 0" hands out ports from that range, which every new outgoing connection (a
 * database client, a fetch) may take in the moments before the service binds it — a start that then fails with
 * EADDRINUSE. Outgoing connections never take a port below it.
 */
const CHOSEN_PORTS = { from: 20_000, to: 32_767 } as const;

/**
 * `count` distinct ports that nothing listens on right now, on any interface (probed on `host`, every interface by
 * default), chosen at random outside the ephemeral range so that nothing but another listener can take them.
 */
export async function freePorts(count: number, host = '0.0.0.0'): Promise<number[]> {
  const chosen = new Set<number>();
  while (chosen.size < count) {
    const port = randomInt(CHOSEN_PORTS.from, CHOSEN_PORTS.to + 1);
    if (!chosen.has(port) && (await isFree(port, host))) chosen.add(port);
  }
  return [...chosen];
}

/** A port nothing listens on right now (for a service whose URL must be known before it starts). */
export async function freePort(host = '0.0.0.0'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}
