import { useVideoPlayer, VideoView } from 'expo-video';

/** HLS playback on iOS/Android through expo-video (AVPlayer / ExoPlayer play HLS natively). */
export function HlsVideo({ url, testID }: { url: string; testID?: string }) {
  const player = useVideoPlayer(url, (p) => {
    p.muted = true;
    p.play();
  });
  return <VideoView testID={testID} player={player} style={{ width: '100%', aspectRatio: 16 / 9, backgroundColor: '#000' }} nativeControls contentFit="contain" />;
}
