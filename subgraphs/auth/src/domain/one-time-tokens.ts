import type { AuthDb } from '../db.ts';
import type { OneTimeTokenPurpose } from '../generated/prisma/client.ts';
import { randomSecret, sha256 } from './secrets.ts';

type Tx = Pick<AuthDb, 'oneTimeToken'>;

const ONE_TIME_TOKEN_TTL_MS: Record<OneTimeTokenPurpose, number> = {
  EMAIL_VERIFICATION: 24 * 3_600_000,
  PASSWORD_RESET: 30 * 60_000,
};

/** Issues a fresh single-use token (only its hash is stored); earlier unused tokens of the same purpose stop working. */
export async function issueOneTimeToken(
  tx: Tx,
  userId: string,
  purpose: OneTimeTokenPurpose,
  now = new Date(),
): Promise<string> {
  await tx.oneTimeToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: now } });
  const token = randomSecret();
  await tx.oneTimeToken.create({
    data: {
      userId,
      purpose,
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + ONE_TIME_TOKEN_TTL_MS[purpose]),
    },
  });
  return token;
}

/** Spends a token atomically; returns its user, or null when it is unknown, of another purpose, used or expired. */
export async function consumeOneTimeToken(
  tx: Tx,
  token: string,
  purpose: OneTimeTokenPurpose,
  now = new Date(),
): Promise<string | null> {
  const tokenHash = sha256(token);
  const { count } = await tx.oneTimeToken.updateMany({
    where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  if (count === 0) return null;
  const row = await tx.oneTimeToken.findUnique({ where: { tokenHash }, select: { userId: true } });
  return row?.userId ?? null;
}
