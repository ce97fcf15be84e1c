import type { AuthDb } from '../db.ts';
import type { LoginOutcome } from '../generated/prisma/client.ts';
import type { RequestMeta } from '../adapters/http/request-meta.ts';

/** Appends one sign-in attempt to the audit log (every success, failure, limit hit and refresh-token reuse). */
export async function auditLogin(
  db: AuthDb,
  entry: { email: string; userId: string | null; outcome: LoginOutcome; meta: RequestMeta; method?: string },
): Promise<void> {
  await db.loginAudit.create({
    data: {
      email: entry.email.slice(0, 320),
      userId: entry.userId,
      outcome: entry.outcome,
      ip: entry.meta.ip,
      userAgent: entry.meta.userAgent,
      ...(entry.method ? { method: entry.method } : {}),
    },
  });
}
