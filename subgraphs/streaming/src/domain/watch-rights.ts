import type { StreamingDb } from '../db.ts';
import { utcToday } from '../loaders.ts';

/**
 * Whether `viewerId` may still watch `streamId`, from this subgraph's projections (public camera, the farm's owner,
 * the plot's current renter), cached for two seconds per pair. Playlists renew a viewer's grant only while this holds,
 * so a renter whose rental ended stops being able to play within one grant's lifetime. Admins are not in the
 * projections: their grants are not renewed (the app asks for a new URL).
 */
export function watchRights(db: StreamingDb): (streamId: string, viewerId: string) => Promise<boolean> {
  const cache = new Map<string, { at: number; allowed: Promise<boolean> }>();
  const decide = async (streamId: string, viewerId: string): Promise<boolean> => {
    const stream = await db.stream.findUnique({ where: { id: streamId }, include: { camera: true } });
    if (!stream) return false;
    const { camera } = stream;
    if (camera.isPublic) return true;
    if (viewerId.startsWith('anon:')) return false;
    const owner = await db.farmOwner.findUnique({ where: { farmId: camera.farmId } });
    if (owner?.ownerId === viewerId) return true;
    if (!camera.plotId) return false;
    const today = utcToday();
    const rental = await db.plotRental.findFirst({
      where: {
        plotId: camera.plotId,
        customerId: viewerId,
        status: 'ACTIVE',
        startsOn: { lte: today },
        endsOn: { gt: today },
      },
      select: { rentalId: true },
    });
    return rental !== null;
  };
  return (streamId, viewerId) => {
    const key = `${streamId}:${viewerId}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < 2_000) return hit.allowed;
    if (cache.size > 50_000) cache.clear();
    const allowed = decide(streamId, viewerId);
    cache.set(key, { at: Date.now(), allowed });
    allowed.catch(() => cache.delete(key));
    return allowed;
  };
}
