import type { Stream } from '../generated/prisma/client.ts';

/** A reference to an entity another subgraph owns (Plot, Farm): this subgraph only adds fields to it. */
export interface EntityRef {
  readonly id: string;
}

/** What `playbackUrl` answers: the signed URL, its expiry and the stream it plays. */
export interface PlaybackGrant {
  readonly url: string;
  readonly expiresAt: Date;
  readonly stream: Stream;
}
