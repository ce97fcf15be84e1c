import type { EventBus, Logger, Viewer } from '@vegshare/kit';
import type { FarmDb, FarmSql } from './db.ts';
import type { FarmLoaders } from './loaders.ts';
import type { FarmEvents } from './domain/notify.ts';

/** Per-request context, built once per HTTP request (or graphql-ws connection). */
export interface Context {
  readonly viewer: Viewer | null;
  readonly db: FarmDb;
  /** The pool under `db`, for prepared statements (the hot loaders). */
  readonly sql: FarmSql;
  readonly loaders: FarmLoaders;
  /** The raw bus (subscriptions listen on it). */
  readonly bus: EventBus;
  /** Typed publishers of the farm's outgoing events. */
  readonly events: FarmEvents;
  readonly logger: Logger;
}
