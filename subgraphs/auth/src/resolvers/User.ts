import { hasRole } from '@vegshare/kit';
import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import type { Context } from '../context.ts';
import { isOwnView } from '../domain/own-view.ts';
import type { User as UserRow } from '../generated/prisma/client.ts';

/** Private fields are visible to the user themself and to admins only. */
const canSeePrivate = (user: UserRow, { viewer }: Context): boolean =>
  isOwnView(user) || (viewer !== null && (viewer.userId === user.id || hasRole(viewer, 'ADMIN')));

export const User: UserResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.user.load(ref.id),
  email: (user, _, ctx) => (canSeePrivate(user, ctx) ? user.email : null),
  emailVerified: (user, _, ctx) => (canSeePrivate(user, ctx) ? user.emailVerifiedAt !== null : null),
  roles: (user) => user.roles,
  createdAt: (user) => user.createdAt.toISOString(),
};
