import type { AccessRevoked } from '../events/contracts.ts';
import { GATEWAY_SECRET_HEADER } from '../gateway-secret.ts';
import { parseAccessRevoked } from './access-revoked-schema.ts';
import type { RevocationSource } from './revocation-sync.ts';

/** Path of auth's catch-up feed: `GET /internal/revocations?since=<ms>` → `{ "changes": AccessRevoked[] }`. */
export const REVOCATIONS_PATH = '/internal/revocations';

/** Reads the catch-up from the auth service's internal route (behind the gateway secret, like every internal route). */
export function httpRevocationSource(options: {
  readonly authUrl: string;
  readonly gatewaySecret: string | undefined;
  readonly timeoutMs?: number;
}): RevocationSource {
  return {
    async changesSince(sinceMs) {
      const url = new URL(REVOCATIONS_PATH, options.authUrl);
      url.searchParams.set('since', String(Math.floor(sinceMs)));
      const res = await fetch(url, {
        headers: options.gatewaySecret ? { [GATEWAY_SECRET_HEADER]: options.gatewaySecret } : {},
        signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      });
      if (!res.ok) throw new Error(`revocation feed answered ${res.status}`);
      const body = (await res.json()) as { changes?: unknown };
      if (!Array.isArray(body.changes)) throw new Error('revocation feed answered without changes');
      const changes: AccessRevoked[] = [];
      for (const raw of body.changes) {
        const change = parseAccessRevoked(raw);
        if (!change) throw new Error('revocation feed sent a malformed change');
        changes.push(change);
      }
      return changes;
    },
  };
}
