import { useMutation, useQuery, useSubscription } from '@apollo/client';
import { useEffect } from 'react';
import { Text, View } from 'react-native';
import { timeAgo } from '../dates';
import { CameraViewDocument, HeartbeatDocument, OnStreamStatusDocument, OnViewerCountDocument, PlaybackUrlDocument } from '../graphql/operations';
import { Card, Empty, ErrorView, Loading, Pill, Screen, styles } from '../ui/components';
import { colors, space } from '../ui/theme';
import { HlsVideo } from '../video/HlsVideo';

const statusText: Record<string, string> = {
  IDLE: 'Not streaming',
  STARTING: 'Starting the camera…',
  LIVE: 'LIVE',
  RECONNECTING: 'Reconnecting to the camera…',
  ENDED: 'Stream ended',
  FAILED: 'Stream failed',
};

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

export function CameraScreen({ cameraId }: { cameraId: string }) {
  const camera = useQuery(CameraViewDocument, { variables: { id: cameraId } });
  const stream = camera.data?.camera?.stream;
  const streamId = stream?.id;
  // Asking for a playback URL starts the stream on demand; the URL is signed and short-lived, so ask again before it expires.
  const playback = useQuery(PlaybackUrlDocument, { variables: { streamId: streamId ?? '' }, skip: !streamId, fetchPolicy: 'network-only' });
  const expiresAt = playback.data?.playbackUrl.expiresAt;
  useEffect(() => {
    if (!expiresAt) return undefined;
    const timer = setTimeout(() => void playback.refetch(), Math.max(5_000, Date.parse(expiresAt) - Date.now() - 30_000));
    return () => clearTimeout(timer);
  }, [expiresAt, playback]);

  // Status changes arrive as Stream objects and update the cache by id; viewer counts arrive as bare numbers.
  const statusSub = useSubscription(OnStreamStatusDocument, { variables: { streamId: streamId ?? '' }, skip: !streamId });
  useSubscription(OnViewerCountDocument, {
    variables: { streamId: streamId ?? '' },
    skip: !streamId,
    onData: ({ client, data }) => {
      const viewers = data.data?.viewerCount;
      if (viewers == null || !streamId) return;
      client.cache.modify({ id: client.cache.identify({ __typename: 'Stream', id: streamId }), fields: { viewers: () => viewers } });
    },
  });
  const live = stream?.status === 'LIVE';
  useHeartbeat(streamId, live);

  if (!camera.data && camera.loading) return <Loading />;
  if (!camera.data?.camera) return <Screen>{camera.error ? <ErrorView error={camera.error} onRetry={() => void camera.refetch()} /> : <Empty text="This camera does not exist." />}</Screen>;
  const cam = camera.data.camera;
  const status = stream?.status ?? 'IDLE';
  const url = playback.data?.playbackUrl.url;

  return (
    <Screen title={cam.name} testID="camera-screen">
      <View style={[styles.between, { marginBottom: space(3) }]}>
        <Pill testID="stream-status" text={live ? '● LIVE' : statusText[status] ?? status} color={live ? colors.live : colors.muted} />
        <Text style={styles.muted} testID="viewer-count">
          {stream?.viewers ?? 0} watching
        </Text>
      </View>
      {live && url ? (
        <HlsVideo url={url} testID="video" />
      ) : (
        <View testID="video-placeholder" style={{ width: '100%', aspectRatio: 16 / 9, backgroundColor: '#1d241d', borderRadius: 12, alignItems: 'center', justifyContent: 'center' }}>
          <Text style={{ color: '#fff' }}>{statusText[status] ?? status}</Text>
          {status === 'FAILED' && stream?.lastError ? <Text style={{ color: '#ccc', marginTop: space(2) }}>{stream.lastError}</Text> : null}
        </View>
      )}
      {playback.error ? <ErrorView error={playback.error} onRetry={() => void playback.refetch()} /> : null}
      {statusSub.error ? <Text style={styles.muted}>Live status updates are paused; pull to refresh.</Text> : null}
      <Card style={{ marginTop: space(3) }}>
        <Text style={styles.text}>Camera health: {cam.health.toLowerCase()}</Text>
        {stream?.startedAt && live ? <Text style={styles.muted}>Live since {timeAgo(stream.startedAt)}</Text> : null}
        {stream && stream.renditions.length > 0 ? <Text style={styles.muted}>Quality: {stream.renditions.join(' · ')}</Text> : null}
      </Card>
    </Screen>
  );
}
