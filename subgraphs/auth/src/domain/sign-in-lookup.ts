import type { AuthSql } from '../db.ts';
import type { User as UserRow } from '../generated/prisma/client.ts';

/** The columns of `auth."user"` as Prisma names them (the enum array as text). */
const USER_COLUMNS = `id, email, password_hash AS "passwordHash", roles::text[] AS roles,
  email_verified_at AS "emailVerifiedAt", password_changed_at AS "passwordChangedAt",
  pending_sign_up AS "pendingSignUp", pending_display_name AS "pendingDisplayName",
  roles_changed_at AS "rolesChangedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

const USER_BY_EMAIL = {
  name: 'auth_user_by_email',
  text: `SELECT ${USER_COLUMNS} FROM auth."user" WHERE email = $1`,
};

/**
 * The account a password sign-in names, by its normalized email — as `db.user.findUnique({ where: { email } })`
 * answers it: every sign-in runs this, so it is a prepared statement on the pool (see AuthSql). SQL names the schema
 * itself (auth, AUTH_SCHEMA).
 */
export async function userByEmail(sql: AuthSql, email: string): Promise<UserRow | null> {
  const { rows } = await sql.query<UserRow>({ ...USER_BY_EMAIL, values: [email] });
  return rows[0] ?? null;
}
