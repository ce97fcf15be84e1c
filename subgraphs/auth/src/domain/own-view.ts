import type { User as UserRow } from '../generated/prisma/client.ts';

const own = new WeakSet<UserRow>();

/** Marks a row handed to its own user in a sign-in payload (their private fields are visible there). */
export function markOwnView(user: UserRow): UserRow {
  own.add(user);
  return user;
}

export const isOwnView = (user: UserRow): boolean => own.has(user);
