import type { Stream } from '../generated/prisma/client.ts';

/** A stream as published on `topics.streamStatus(id)`: the row with ISO dates (JSON-safe across Redis). */
export interface StreamSnapshot extends Omit<Stream, 'requestedAt' | 'startedAt' | 'endedAt' | 'updatedAt'> {
  readonly requestedAt: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly updatedAt: string;
}

/** Payload of `topics.viewerCount(id)`. */
export interface ViewerCountEvent {
  readonly streamId: string;
  readonly viewers: number;
}

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
