import { hasRole, requireRole, type Viewer } from '@vegshare/kit';

/** Transcode jobs are operations data: farmers and admins. */
export const requireOperator = (viewer: Viewer | null): Viewer => requireRole(viewer, 'FARMER', 'ADMIN');
export const isOperator = (viewer: Viewer | null): boolean => hasRole(viewer, 'FARMER', 'ADMIN');
/** The worker pool is infrastructure: admins only. */
export const requireAdmin = (viewer: Viewer | null): Viewer => requireRole(viewer, 'ADMIN');
