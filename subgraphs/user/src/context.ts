import type { Logger } from 'pino';
import type { EventBus, Viewer } from '@vegshare/kit';
import type { UserDb } from './db.ts';
import type { UserLoaders } from './loaders.ts';
import type { AvatarStore } from './avatars.ts';

/** Per-request (and per graphql-ws connection) context. */
export interface Context {
  readonly viewer: Viewer | null;
  readonly db: UserDb;
  readonly loaders: UserLoaders;
  readonly avatars: AvatarStore;
  readonly events: EventBus;
  readonly logger: Logger;
}
