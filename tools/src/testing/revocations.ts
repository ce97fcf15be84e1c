import type { RevocationSource } from '@vegshare/kit';

/**
 * The revocation feed of a subgraph tested on its own, with tokens minted by the test instead of an auth service:
 * with no auth service nothing is ever revoked, so its catch-up is empty (live AccessRevoked events on the test's
 * bus still apply).
 */
export const withoutAuthService: RevocationSource = { changesSince: async () => [] };
