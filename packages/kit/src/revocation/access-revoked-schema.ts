import { z } from 'zod';
import type { AccessRevoked } from '../events/contracts.ts';

const id = z.string().min(1).max(100);
const at = z.number().finite().nonnegative();

/** The wire shape of AccessRevoked, checked on every event and catch-up entry (nothing unchecked reaches the view). */
const accessRevokedSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('SESSIONS_ENDED'), userId: id, sessionIds: z.array(id).max(10_000), at }),
  z.object({ kind: z.literal('ROLES_CHANGED'), userId: id, roles: z.array(z.string().max(40)).max(20), at }),
  z.object({ kind: z.literal('API_KEY_REVOKED'), userId: id, apiKeyId: id, at }),
  z.object({ kind: z.literal('TOKEN_REVOKED'), userId: id, tokenId: id, at }),
  z.object({ kind: z.literal('ACCOUNT_DELETED'), userId: id, at }),
]) satisfies z.ZodType<AccessRevoked>;

export function parseAccessRevoked(payload: unknown): AccessRevoked | null {
  const parsed = accessRevokedSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}
