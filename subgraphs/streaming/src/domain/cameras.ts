import {
  badInput,
  topics,
  inTransaction,
  notFound,
  type CameraChanged,
  type EventBus,
  type Viewer,
} from '@vegshare/kit';
import type { StreamingDb } from '../db.ts';
import type { Camera } from '../generated/prisma/client.ts';
import type { StreamingLoaders } from '../loaders.ts';
import { requireFarmManager } from './access.ts';
import type { CameraCreate, CameraPatch } from './camera-input.ts';
import type { StreamControl } from './stream-control.ts';
import { isActive } from './stream-machine.ts';

/**
 * A plot may only be given to a camera of its own farm. Plots are owned by the farm subgraph; what this one knows
 * of a plot's farm comes from rentals (RentalChanged carries both ids) and from cameras already on the plot.
 */
async function assertPlotOnFarm(db: StreamingDb, plotId: string, farmId: string): Promise<void> {
  const [rental, camera] = await Promise.all([
    db.plotRental.findFirst({ where: { plotId, farmId: { not: farmId } }, select: { rentalId: true } }),
    db.camera.findFirst({ where: { plotId, farmId: { not: farmId } }, select: { id: true } }),
  ]);
  if (rental || camera) throw badInput('plotId: the plot belongs to another farm', 'plotId');
}

/**
 * Tells other subgraphs (transcoding: which farm a camera's jobs belong to) what became of a camera; `bus` is the one
 * `inTransaction` hands the change, so the event is written with it.
 */
async function publishCameraChanged(
  bus: EventBus,
  camera: Pick<Camera, 'id' | 'farmId' | 'plotId'>,
  removed = false,
): Promise<void> {
  const event: CameraChanged = { cameraId: camera.id, farmId: camera.farmId, plotId: camera.plotId, removed };
  await bus.publish(topics.cameraChanged, event);
}

/**
 * Tells open subscriptions of the camera's stream (every replica) that who may watch it may have changed, so each
 * re-checks its subscriber now rather than at its next subscribe. Live, best effort like the events it guards.
 */
async function announceWatchersChanged(bus: EventBus, cameraId: string): Promise<void> {
  await bus.publish(topics.cameraWatchers(cameraId), { cameraId });
}

export async function registerCamera(
  db: StreamingDb,
  loaders: StreamingLoaders,
  bus: EventBus,
  viewer: Viewer | null,
  input: CameraCreate,
): Promise<Camera> {
  await requireFarmManager(viewer, input.farmId, loaders);
  if (input.plotId) await assertPlotOnFarm(db, input.plotId, input.farmId);
  return inTransaction(db, bus, async (tx, events) => {
    const camera = await tx.camera.create({ data: { ...input, stream: { create: {} } } });
    await publishCameraChanged(events, camera);
    return camera;
  });
}

async function managedCamera(
  db: StreamingDb,
  loaders: StreamingLoaders,
  viewer: Viewer | null,
  id: string,
): Promise<Camera> {
  const camera = await db.camera.findUnique({ where: { id } });
  if (!camera) throw notFound('Camera', id);
  await requireFarmManager(viewer, camera.farmId, loaders);
  return camera;
}

/** Stops the camera's stream if it is running (the camera is being disabled or removed). */
async function stopActiveStream(db: StreamingDb, control: StreamControl, cameraId: string, reason: string) {
  const stream = await db.stream.findUnique({ where: { cameraId } });
  if (stream && isActive(stream.status)) await control.stop(stream.id, reason);
}

export async function updateCamera(
  db: StreamingDb,
  loaders: StreamingLoaders,
  control: StreamControl,
  bus: EventBus,
  viewer: Viewer | null,
  id: string,
  patch: CameraPatch,
): Promise<Camera> {
  const camera = await managedCamera(db, loaders, viewer, id);
  if (patch.plotId) await assertPlotOnFarm(db, patch.plotId, camera.farmId);
  const updated = await inTransaction(db, bus, async (tx, events) => {
    const row = await tx.camera.update({ where: { id }, data: patch });
    if (row.plotId !== camera.plotId) await publishCameraChanged(events, row);
    // Live: published once the change committed, so the re-checks see it.
    if (row.plotId !== camera.plotId || row.isPublic !== camera.isPublic)
      await announceWatchersChanged(events, camera.id);
    return row;
  });
  if (patch.enabled === false) await stopActiveStream(db, control, id, 'camera disabled');
  return updated;
}

export async function removeCamera(
  db: StreamingDb,
  loaders: StreamingLoaders,
  control: StreamControl,
  bus: EventBus,
  viewer: Viewer | null,
  id: string,
): Promise<string> {
  const camera = await managedCamera(db, loaders, viewer, id);
  await stopActiveStream(db, control, id, 'camera removed');
  await inTransaction(db, bus, async (tx, events) => {
    await tx.camera.deleteMany({ where: { id } });
    await publishCameraChanged(events, camera, true);
    await announceWatchersChanged(events, camera.id);
  });
  return id;
}

/** The stream of a camera the viewer manages (startStream/stopStream). */
export async function managedStream(
  db: StreamingDb,
  loaders: StreamingLoaders,
  viewer: Viewer | null,
  cameraId: string,
): Promise<string> {
  await managedCamera(db, loaders, viewer, cameraId);
  const stream = await db.stream.upsert({
    where: { cameraId },
    create: { cameraId },
    update: {},
    select: { id: true },
  });
  return stream.id;
}
