import { useEvent } from 'expo';
import { useVideoPlayer, VideoView, type VideoTrack } from 'expo-video';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { Button, Segmented } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import { isBehindLive, renditionLabel, sortRenditions, type QualityChoice } from './renditions';
import type { VideoPlayerProps } from './VideoPlayer.web';

/**
 * iOS and Android: expo-video (AVPlayer, ExoPlayer), which play LL-HLS natively and pick renditions by bandwidth.
 * Live streams start at the live edge without a seek bar (the system controls are off; a LIVE badge, "Go to live"
 * and the quality choice replace them); choosing a rendition plays its media playlist, Auto the master playlist.
 * Recordings and timelapses get the system controls.
 */
export function VideoPlayer({ url, live, kind = 'hls', testID }: VideoPlayerProps) {
  const { t } = useTranslation();
  const { colors, styles } = useTheme();
  const source = { uri: url, contentType: kind === 'hls' ? ('hls' as const) : ('progressive' as const) };
  const player = useVideoPlayer(source, (p) => {
    p.muted = true;
    p.timeUpdateEventInterval = 1;
    p.play();
  });
  const { status } = useEvent(player, 'statusChange', { status: player.status });
  const loaded = useEvent(player, 'sourceLoad', null);
  const availableVideoTracks = loaded?.availableVideoTracks ?? player.availableVideoTracks;
  const [choice, setChoice] = useState<QualityChoice>('auto');
  const [offset, setOffset] = useState<number | null>(null);
  useEffect(() => {
    if (!live) return undefined;
    const sub = player.addListener('timeUpdate', () => setOffset(player.currentOffsetFromLive));
    return () => sub.remove();
  }, [player, live]);

  const tracks: VideoTrack[] = availableVideoTracks ?? [];
  const renditions = sortRenditions(
    tracks.map((tr) => ({
      key: tr.id,
      height: tr.size?.height ?? null,
      bitrate: tr.peakBitrate ?? tr.averageBitrate ?? null,
    })),
  );
  const choose = (next: QualityChoice) => {
    setChoice(next);
    const track = tracks.find((tr) => tr.id === next);
    void player
      .replaceAsync(next === 'auto' || !track?.url ? source : { uri: track.url, contentType: 'hls' })
      .then(() => player.play());
  };

  return (
    <View testID={testID}>
      <View
        style={{ width: '100%', aspectRatio: 16 / 9, backgroundColor: '#000', borderRadius: 12, overflow: 'hidden' }}
      >
        <VideoView
          player={player}
          style={{ flex: 1 }}
          nativeControls={!live}
          contentFit="contain"
          allowsPictureInPicture
        />
        {live ? (
          <View
            style={{
              position: 'absolute',
              top: 8,
              left: 8,
              backgroundColor: isBehindLive(offset) ? '#555555' : '#b71c31',
              borderRadius: 6,
              paddingHorizontal: 8,
              paddingVertical: 2,
            }}
          >
            <Text style={{ color: '#ffffff', fontWeight: '700' }}>{t('enums.streamStatus.LIVE')}</Text>
          </View>
        ) : null}
        {status === 'error' ? (
          <View style={{ position: 'absolute', inset: 0, alignItems: 'center', justifyContent: 'center' }}>
            <Text style={{ color: '#ffffff' }}>{t('camera.videoError')}</Text>
          </View>
        ) : null}
      </View>
      {live && isBehindLive(offset) ? (
        <Button
          kind="secondary"
          title={`${t('camera.goLive')} (${t('camera.behindLive', { seconds: Math.round(offset ?? 0) })})`}
          onPress={() => void player.replaceAsync(source).then(() => player.play())}
        />
      ) : null}
      {live && renditions.length > 1 ? (
        <View style={{ marginTop: space(2) }}>
          <Text style={[styles.label, { color: colors.muted }]}>{t('camera.quality')}</Text>
          <Segmented
            testID="quality"
            value={choice}
            onChange={choose}
            options={[
              { value: 'auto', label: t('camera.auto') },
              ...renditions.map((r) => ({ value: r.key, label: renditionLabel(r) })),
            ]}
          />
        </View>
      ) : null}
    </View>
  );
}
