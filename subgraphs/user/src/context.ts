import type { Logger } from 'pino';
import type { EventBus, Viewer } from '@vegshare/kit';
import type { UserDb, UserSql } from './db.ts';
import type { UserLoaders } from './loaders.ts';
import type { AvatarStore } from './domain/avatars.ts';
import type { Presence } from './adapters/push/presence.ts';

/** Per-request (and per graphql-ws connection) context. */
export interface Context {
  readonly viewer: Viewer | null;
  readonly db: UserDb;
  /** The pool under `db`, for prepared statements. */
  readonly sql: UserSql;
  readonly loaders: UserLoaders;
  readonly avatars: AvatarStore;
  readonly bus: EventBus;
  /** Who has a live session (an open notificationAdded subscription), across replicas. */
  readonly presence: Presence;
  readonly logger: Logger;
}
