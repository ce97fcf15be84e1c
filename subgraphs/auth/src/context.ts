import type { Logger } from 'pino';
import type { Viewer } from '@vegshare/kit';
import type { AuthDb } from './db.ts';
import type { AuthLoaders } from './loaders.ts';
import type { RequestMeta } from './adapters/http/request-meta.ts';
import type { AuthServices } from './domain/auth-services.ts';

/** Per-request context, built once per HTTP request. */
export interface Context {
  readonly viewer: Viewer | null;
  /** Client IP and user agent (from the gateway's x-forwarded-for and user-agent). */
  readonly request: RequestMeta;
  readonly db: AuthDb;
  readonly loaders: AuthLoaders;
  readonly auth: AuthServices;
  readonly logger: Logger;
}
