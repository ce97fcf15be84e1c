import type { AuthDb } from '../db.ts';
import type { User as UserRow } from '../generated/prisma/client.ts';

/**
 * The account a password sign-in names, by its normalized email — as `db.user.findUnique({ where: { email } })`
 * answers it, in raw SQL: every sign-in runs this, and Prisma 6 compiles each model query anew in WebAssembly on the
 * event loop (about twice the CPU of the same read as raw SQL, see bench/auth). Raw SQL names the schema itself
 * (auth, AUTH_SCHEMA); the enum array comes back as text.
 */
export async function userByEmail(db: AuthDb, email: string): Promise<UserRow | null> {
  const rows = await db.$queryRaw<UserRow[]>`
    SELECT id, email, password_hash AS "passwordHash", roles::text[] AS roles,
      email_verified_at AS "emailVerifiedAt", password_changed_at AS "passwordChangedAt",
      pending_sign_up AS "pendingSignUp", pending_display_name AS "pendingDisplayName",
      roles_changed_at AS "rolesChangedAt", created_at AS "createdAt", updated_at AS "updatedAt"
    FROM auth."user" WHERE email = ${email}`;
  return rows[0] ?? null;
}
