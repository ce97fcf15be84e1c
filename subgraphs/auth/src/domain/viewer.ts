import { forbidden, requireRole, requireViewer, unauthenticated, type Role, type Viewer } from '@vegshare/kit';
import type { Context } from '../context.ts';

/**
 * The signed-in viewer whose session is still active. Other subgraphs accept an access token until it expires;
 * here, where credentials change, a token of a revoked session is refused at once.
 */
export async function activeViewer(ctx: Context, ...roles: Role[]): Promise<Viewer> {
  const viewer = roles.length ? requireRole(ctx.viewer, ...roles) : requireViewer(ctx.viewer);
  if (viewer.sessionId && !(await ctx.auth.sessions.isActive(viewer.sessionId, viewer.userId)))
    throw unauthenticated('This session has ended; sign in again');
  // Where a role grants something here (role management, API keys), it is the stored role, not the token's claim.
  if (roles.length && !(await ctx.auth.accounts.currentRoles(viewer.userId)).some((r) => roles.includes(r))) {
    throw forbidden(`Requires role ${roles.join(' or ')}`);
  }
  return viewer;
}

/** A token bound to a session (not a partner API-key token): needed to manage sessions and credentials. */
export async function sessionViewer(ctx: Context): Promise<Viewer & { sessionId: string }> {
  const viewer = await activeViewer(ctx);
  if (!viewer.sessionId) throw unauthenticated('Sign in with a user session to do this');
  return { ...viewer, sessionId: viewer.sessionId };
}
