import { mediaScopeOf, mediaUrl, type MediaSigner, type Viewer } from '@vegshare/kit';

/** Who a media URL is signed for: the signed-in user, or an anonymous viewer of a public camera. */
const viewerIdOf = (viewer: Viewer | null): string => viewer?.userId ?? `anon:public`;

/**
 * A signed URL of finished media (a recording's master playlist, a timelapse MP4) under `/media/`, for a viewer the
 * caller has already checked. Null when the key is not of a servable shape (it then cannot be played).
 */
export function signedMediaUrl(
  signer: MediaSigner,
  baseUrl: string,
  key: string,
  viewer: Viewer | null,
): string | null {
  const scope = mediaScopeOf(key);
  if (!scope) return null;
  return mediaUrl(baseUrl, key, signer.sign(scope, viewerIdOf(viewer)).query);
}
