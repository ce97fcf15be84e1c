import { forbidden, hasRole, requireViewer, type Viewer } from '@vegshare/kit';

/** Private profile data (phone, addresses, preferences) is visible to the person themself and to admins. */
function canSeePrivate(viewer: Viewer | null, userId: string): boolean {
  return viewer !== null && (viewer.userId === userId || hasRole(viewer, 'ADMIN'));
}

/** Throws UNAUTHENTICATED for anonymous callers and FORBIDDEN for anyone but the owner or an admin. */
export function assertCanSeePrivate(viewer: Viewer | null, userId: string): void {
  requireViewer(viewer);
  if (!canSeePrivate(viewer, userId)) throw forbidden("Only this user and admins can see this user's private data");
}
