import type { EventBus, MediaSigner, Viewer } from '@vegshare/kit';
import type { StreamingDb } from './db.ts';
import type { StreamingLoaders } from './loaders.ts';
import type { PresenceStore } from './domain/presence.ts';
import type { StreamControl } from './domain/stream-control.ts';

/** What the service holds once and every request shares. */
export interface StreamingRuntime {
  readonly bus: EventBus;
  readonly control: StreamControl;
  readonly presence: PresenceStore;
  readonly signer: MediaSigner;
  /** Public origin players use to reach /hls/ and /media/ (PLAYBACK_BASE_URL). */
  readonly playbackBaseUrl: string;
}

/** Per-request context, built once per HTTP request or graphql-ws connection. */
export interface Context {
  readonly viewer: Viewer | null;
  readonly db: StreamingDb;
  readonly loaders: StreamingLoaders;
  readonly runtime: StreamingRuntime;
}
