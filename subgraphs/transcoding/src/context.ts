import type { EventBus, MediaSigner, ObjectStore, Viewer } from '@vegshare/kit';
import type { Logger } from 'pino';
import type { TranscodingDb } from './db.ts';
import type { TranscodingConfig } from './env.ts';
import type { TranscodingLoaders } from './loaders.ts';
import type { JobQueue } from './adapters/queue/job-queue.ts';

/** Per-request (or per-WebSocket-connection) context; one factory for HTTP and graphql-ws. */
export interface Context {
  readonly viewer: Viewer | null;
  readonly db: TranscodingDb;
  readonly loaders: TranscodingLoaders;
  readonly bus: EventBus;
  readonly queue: JobQueue;
  readonly store: ObjectStore;
  readonly config: TranscodingConfig;
  readonly logger: Logger;
  /** Farms the viewer owns (from the FarmChanged projection), looked up at most every few seconds. */
  ownedFarms(): Promise<ReadonlySet<string>>;
  /** Signs playback URLs of VOD outputs; null when PLAYBACK_SIGNING_SECRET is not set (no URLs then). */
  readonly signer: MediaSigner | null;
}
