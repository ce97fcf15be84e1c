import { conflict, isUuid, MediaSigner, notFound, type Viewer } from '@vegshare/kit';
import { requireWatcher } from './access.ts';
import type { StreamingRuntime } from '../context.ts';
import type { StreamingLoaders } from '../loaders.ts';
import type { PlaybackGrant } from './models.ts';
import { isActive } from './stream-machine.ts';
import type { Camera, Stream } from '../generated/prisma/client.ts';

/** The stream and camera of `streamId` if the viewer may watch it; NOT_FOUND, UNAUTHENTICATED or FORBIDDEN otherwise. */
export async function watchableStream(
  loaders: StreamingLoaders,
  viewer: Viewer | null,
  streamId: string,
): Promise<{ stream: Stream; camera: Camera }> {
  const stream = isUuid(streamId) ? await loaders.stream.load(streamId.toLowerCase()) : null;
  const camera = stream ? await loaders.camera.load(stream.cameraId) : null;
  if (!stream || !camera) throw notFound('Stream', streamId);
  await requireWatcher(viewer, camera, loaders);
  return { stream, camera };
}

/** Issues a signed playback URL, starting the stream on demand; the request itself counts as the viewer's presence. */
export async function issuePlaybackUrl(
  runtime: StreamingRuntime,
  loaders: StreamingLoaders,
  viewer: Viewer | null,
  streamId: string,
): Promise<PlaybackGrant> {
  const { stream, camera } = await watchableStream(loaders, viewer, streamId);
  if (!camera.enabled) throw conflict('The camera is disabled');
  const viewerId = viewer?.userId ?? MediaSigner.anonymousViewer();
  const current = isActive(stream.status) ? stream : await runtime.control.start(stream.id, { onDemand: true });
  // Presence is advisory: a Redis hiccup must not keep anyone from watching (the HLS requests will count them).
  await runtime.control.noteViewer(stream.id, viewerId).catch(() => undefined);
  const { query, expiresAt } = runtime.signer.sign(stream.id, viewerId);
  const url = new URL(`/hls/${stream.id}/master.m3u8?${query}`, runtime.playbackBaseUrl).toString();
  return { url, expiresAt, stream: current };
}
