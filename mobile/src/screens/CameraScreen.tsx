import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import { useConnection } from '../apollo/use-connection';
import { useFormat, useTimeAgo } from '../app-context';
import {
  CameraRecordingsDocument,
  CameraTimelapsesDocument,
  CameraViewDocument,
  HeartbeatDocument,
  OnStreamStatusDocument,
  OnViewerCountDocument,
  PlaybackUrlDocument,
} from '../graphql/operations';
import { Button, Card, Empty, ErrorView, Loading, Pill, Screen, Section } from '../ui/components';
import { space } from '../ui/theme';
import { useTheme } from '../ui/theme-context';
import { VideoPlayer } from '../video/VideoPlayer';

/** Keeps the viewer counted while the video plays (the server forgets silent viewers). */
function useHeartbeat(streamId: string | undefined, active: boolean) {
  const [beat] = useMutation(HeartbeatDocument);
  useEffect(() => {
    if (!streamId || !active) return undefined;
    const send = () => void beat({ variables: { streamId } }).catch(() => undefined);
    send();
    const timer = setInterval(send, 10_000);
    return () => clearInterval(timer);
  }, [streamId, active, beat]);
}

/** What the archive plays: a recording (HLS VOD) or a timelapse (MP4), by id. */
type Playing = { readonly kind: 'recording' | 'timelapse'; readonly id: string } | null;

/**
 * Recorded sessions and daily timelapses of the camera, each playable in place. Their URLs are signed and short-lived:
 * the list is fetched again when one is opened, so the player gets a fresh URL.
 */
function Archive({ cameraId }: { cameraId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { styles } = useTheme();
  const recordings = useQuery(CameraRecordingsDocument, { variables: { cameraId }, fetchPolicy: 'cache-and-network' });
  const timelapses = useQuery(CameraTimelapsesDocument, { variables: { cameraId }, fetchPolicy: 'cache-and-network' });
  const [playing, setPlaying] = useState<Playing>(null);
  const recs = recordings.data?.recordings ?? [];
  const tls = timelapses.data?.timelapses ?? [];
  const open = (next: NonNullable<Playing>) => {
    void (next.kind === 'recording' ? recordings.refetch() : timelapses.refetch());
    setPlaying(next);
  };
  return (
    <>
      <Section title={t('camera.recordings')} testID="recordings">
        {recordings.data && recs.length === 0 ? <Empty text={t('camera.noRecordings')} /> : null}
        {recs.map((r) => (
          <Card key={r.id} testID={`recording-${r.id}`}>
            <Text style={styles.text}>
              {t('camera.recording', { date: f.dateTime(r.startedAt), duration: f.duration(r.durationSeconds) })}
            </Text>
            {r.renditions.length ? <Text style={styles.muted}>{r.renditions.join(' · ')}</Text> : null}
            {playing?.kind === 'recording' && playing.id === r.id ? (
              <VideoPlayer key={r.playbackUrl} url={r.playbackUrl} live={false} kind="hls" testID="archive-video" />
            ) : (
              <Button
                title={t('camera.play')}
                onPress={() => open({ kind: 'recording', id: r.id })}
                testID={`play-recording-${r.id}`}
              />
            )}
          </Card>
        ))}
      </Section>
      <Section title={t('camera.timelapses')} testID="timelapses">
        {timelapses.data && tls.length === 0 ? <Text style={styles.muted}>{t('rental.noTimelapse')}</Text> : null}
        {tls.map((tl) => (
          <Card key={tl.id} testID={`timelapse-${tl.id}`}>
            <Text style={styles.text}>
              {t('rental.timelapse', { date: f.date(tl.day), duration: f.duration(tl.durationSeconds) })}
            </Text>
            {playing?.kind === 'timelapse' && playing.id === tl.id ? (
              <VideoPlayer key={tl.playbackUrl} url={tl.playbackUrl} live={false} kind="mp4" testID="archive-video" />
            ) : (
              <Button
                title={t('camera.play')}
                onPress={() => open({ kind: 'timelapse', id: tl.id })}
                testID={`play-timelapse-${tl.id}`}
              />
            )}
          </Card>
        ))}
      </Section>
    </>
  );
}

export function CameraScreen({ cameraId }: { cameraId: string }) {
  const { t } = useTranslation();
  const ago = useTimeAgo();
  const { styles, colors } = useTheme();
  const connection = useConnection();
  const camera = useQuery(CameraViewDocument, { variables: { id: cameraId } });
  const stream = camera.data?.camera?.stream;
  const streamId = stream?.id;
  // Asking for a playback URL starts the stream on demand; the URL is signed and short-lived, so ask again before it expires.
  const playback = useQuery(PlaybackUrlDocument, {
    variables: { streamId: streamId ?? '' },
    skip: !streamId,
    fetchPolicy: 'network-only',
  });
  const expiresAt = playback.data?.playbackUrl.expiresAt;
  const refetchPlayback = playback.refetch;
  useEffect(() => {
    if (!expiresAt) return undefined;
    const timer = setTimeout(
      () => void refetchPlayback(),
      Math.max(5_000, Date.parse(expiresAt) - Date.now() - 30_000),
    );
    return () => clearTimeout(timer);
  }, [expiresAt, refetchPlayback]);

  // Status changes arrive as Stream objects and update the cache by id; viewer counts arrive as bare numbers.
  const statusSub = useSubscription(OnStreamStatusDocument, {
    variables: { streamId: streamId ?? '' },
    skip: !streamId,
  });
  useSubscription(OnViewerCountDocument, {
    variables: { streamId: streamId ?? '' },
    skip: !streamId,
    onData: ({ client, data }) => {
      const viewers = data.data?.viewerCount;
      if (viewers == null || !streamId) return;
      client.cache.modify({
        id: client.cache.identify({ __typename: 'Stream', id: streamId }),
        fields: { viewers: () => viewers },
      });
    },
  });
  const live = stream?.status === 'LIVE';
  useHeartbeat(streamId, live);

  if (!camera.data && camera.loading) return <Loading />;
  if (!camera.data?.camera)
    return (
      <Screen onRefresh={() => camera.refetch()}>
        {camera.error ? (
          <ErrorView error={camera.error} onRetry={() => void camera.refetch()} />
        ) : (
          <Empty text={t('camera.notFound')} />
        )}
      </Screen>
    );
  const cam = camera.data.camera;
  const status = stream?.status ?? 'IDLE';
  const url = playback.data?.playbackUrl.url;
  const statusText = t(`enums.streamStatus.${status}`);

  return (
    <Screen
      title={cam.name}
      testID="camera-screen"
      onRefresh={() => Promise.all([camera.refetch(), streamId ? playback.refetch() : null])}
    >
      <View style={[styles.between, { marginBottom: space(3) }]}>
        <Pill
          testID="stream-status"
          text={statusText}
          tone={live ? 'live' : status === 'STARTING' || status === 'RECONNECTING' ? 'accent' : 'muted'}
        />
        <Text style={styles.muted} testID="viewer-count">
          {t('camera.watching', { count: stream?.viewers ?? 0 })}
        </Text>
      </View>
      {live && url ? (
        <VideoPlayer url={url} live testID="video" />
      ) : (
        <View
          testID="video-placeholder"
          style={{
            width: '100%',
            aspectRatio: 16 / 9,
            backgroundColor: '#1d241d',
            borderRadius: 12,
            alignItems: 'center',
            justifyContent: 'center',
            padding: space(4),
          }}
        >
          <Text style={{ color: '#ffffff' }}>{statusText}</Text>
          {status === 'FAILED' && stream?.lastError ? (
            <Text style={{ color: '#dddddd', marginTop: space(2) }}>{stream.lastError}</Text>
          ) : null}
        </View>
      )}
      {playback.error ? <ErrorView error={playback.error} onRetry={() => void playback.refetch()} /> : null}
      {statusSub.error || connection !== 'online' ? (
        <Text style={[styles.muted, { marginTop: space(2) }]}>{t('camera.statusPaused')}</Text>
      ) : null}
      <Card style={{ marginTop: space(3) }}>
        <Text style={styles.text}>{t('camera.health', { health: t(`enums.cameraHealth.${cam.health}`) })}</Text>
        {stream?.startedAt && live ? (
          <Text style={styles.muted}>{t('camera.liveSince', { ago: ago(stream.startedAt) })}</Text>
        ) : null}
        {stream && stream.renditions.length > 0 ? (
          <Text style={[styles.muted, { color: colors.muted }]}>
            {t('camera.quality')}: {stream.renditions.join(' · ')}
          </Text>
        ) : null}
      </Card>
      <Archive cameraId={cam.id} />
    </Screen>
  );
}
