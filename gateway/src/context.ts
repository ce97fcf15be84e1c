import type { Viewer } from '@vegshare/kit/gateway';

/** Per-request gateway context: the verified viewer and what is forwarded to subgraphs. */
export interface GatewayContext {
  readonly viewer: Viewer | null;
  /** `Bearer <jwt>` to forward: the caller's own token, or the one an API key was exchanged for. */
  readonly authorization: string | null;
  /**
   * The caller is a partner integration: a partner API key (`x-api-key`, no bearer token) or a token without a session
   * (an OAuth client_credentials token): the safelist may restrict it.
   */
  readonly viaApiKey: boolean;
  readonly clientIp: string;
  readonly userAgent: string | null;
}
