import type { StreamStatus } from '../generated/prisma/enums.ts';

/**
 * The stream lifecycle: IDLE → STARTING → LIVE ⇄ RECONNECTING → ENDED / FAILED; ENDED and FAILED may start again.
 * Every status change goes through `canTransition`, and the database update is conditional on the `from` set,
 * so concurrent replicas and re-delivered events cannot move a stream along an edge that does not exist.
 */
const edges: Readonly<Record<StreamStatus, readonly StreamStatus[]>> = {
  IDLE: ['STARTING'],
  STARTING: ['LIVE', 'RECONNECTING', 'ENDED', 'FAILED'],
  LIVE: ['RECONNECTING', 'ENDED', 'FAILED'],
  RECONNECTING: ['LIVE', 'ENDED', 'FAILED'],
  ENDED: ['STARTING'],
  FAILED: ['STARTING'],
};

export const STREAM_STATUSES = Object.keys(edges) as StreamStatus[];
/** Statuses in which the transcoder is (or should be) running a ladder. */
export const ACTIVE_STATUSES: readonly StreamStatus[] = ['STARTING', 'LIVE', 'RECONNECTING'];

export const isActive = (status: StreamStatus): boolean => ACTIVE_STATUSES.includes(status);

export function canTransition(from: StreamStatus, to: StreamStatus): boolean {
  return edges[from].includes(to);
}

/** Statuses from which `to` may be reached (the condition of the database update). */
export function sourcesOf(to: StreamStatus): StreamStatus[] {
  return STREAM_STATUSES.filter((from) => canTransition(from, to));
}
