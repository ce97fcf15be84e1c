import { forbidden, hasRole, requireViewer, unauthenticated, type Viewer } from '@vegshare/kit';
import type { Camera } from '../generated/prisma/client.ts';
import type { StreamingLoaders } from '../loaders.ts';

/**
 * Who may do what, from the local projections of the farm subgraph's events:
 * - manage a farm's cameras and streams, read source URLs: admins, and the farm's owner when they are a FARMER;
 * - watch a camera (playback, heartbeat, subscriptions, recordings): admins, the farm's owner, the current
 *   (ACTIVE, in date) renter of the camera's plot, and anyone at all for public cameras.
 */
type AccessLoaders = Pick<StreamingLoaders, 'farmOwner' | 'activeRentersByPlot'>;

async function ownsFarm(viewer: Viewer | null, farmId: string, loaders: AccessLoaders): Promise<boolean> {
  if (!viewer) return false;
  const owner = await loaders.farmOwner.load(farmId);
  return owner !== null && owner.ownerId === viewer.userId;
}

export async function canManageFarm(viewer: Viewer | null, farmId: string, loaders: AccessLoaders): Promise<boolean> {
  if (hasRole(viewer, 'ADMIN')) return true;
  return hasRole(viewer, 'FARMER') && (await ownsFarm(viewer, farmId, loaders));
}

export async function requireFarmManager(
  viewer: Viewer | null,
  farmId: string,
  loaders: AccessLoaders,
): Promise<Viewer> {
  const v = requireViewer(viewer);
  if (!(await canManageFarm(v, farmId, loaders)))
    throw forbidden('Only the farm’s farmer or an admin may manage its cameras');
  return v;
}

export async function canWatch(viewer: Viewer | null, camera: Camera, loaders: AccessLoaders): Promise<boolean> {
  if (camera.isPublic || hasRole(viewer, 'ADMIN')) return true;
  if (!viewer) return false;
  if (await ownsFarm(viewer, camera.farmId, loaders)) return true;
  if (!camera.plotId) return false;
  const renters = await loaders.activeRentersByPlot.load(camera.plotId);
  return renters.some((r) => r.customerId === viewer.userId);
}

export async function requireWatcher(viewer: Viewer | null, camera: Camera, loaders: AccessLoaders): Promise<void> {
  if (await canWatch(viewer, camera, loaders)) return;
  throw viewer ? forbidden('You may not watch this camera') : unauthenticated('Sign in to watch this camera');
}
