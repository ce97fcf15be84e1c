import { demo } from '@vegshare/demo';
import type { AuthDb } from './db.ts';
import { argon2idHasher } from './domain/passwords/hasher.ts';

/** Idempotent demo accounts (fixed ids shared by every subgraph's seed), all with `demo.password`. */
export async function seedAuth(db: AuthDb): Promise<void> {
  const hasher = argon2idHasher();
  for (const user of Object.values(demo.users)) {
    const existing = await db.user.findUnique({ where: { id: user.id }, select: { id: true } });
    const data = { email: user.email, roles: [...user.roles], emailVerifiedAt: new Date('2026-01-01T00:00:00Z') };
    if (existing) await db.user.update({ where: { id: user.id }, data });
    else await db.user.create({ data: { id: user.id, ...data, passwordHash: await hasher.hash(demo.password) } });
  }
}
