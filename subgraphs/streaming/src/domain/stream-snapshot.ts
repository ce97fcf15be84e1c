import type { StreamSnapshot } from '@vegshare/kit';
import type { Stream } from '../generated/prisma/client.ts';

/**
 * A stream as published on `topics.streamStatus(id)` is the kit's `StreamSnapshot` (the row with ISO dates, JSON-safe
 * across Redis): `snapshotOf` and `streamFromSnapshot` below fail to compile when the row and the contract part.
 */
export type { StreamSnapshot, ViewerCountEvent } from '@vegshare/kit';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const date = (s: string | null): Date | null => (s ? new Date(s) : null);

export function snapshotOf(stream: Stream): StreamSnapshot {
  return {
    ...stream,
    requestedAt: iso(stream.requestedAt),
    startedAt: iso(stream.startedAt),
    endedAt: iso(stream.endedAt),
    updatedAt: stream.updatedAt.toISOString(),
  };
}

export function streamFromSnapshot(s: StreamSnapshot): Stream {
  return {
    ...s,
    renditions: [...s.renditions],
    requestedAt: date(s.requestedAt),
    startedAt: date(s.startedAt),
    endedAt: date(s.endedAt),
    updatedAt: new Date(s.updatedAt),
  };
}
