import { useEffect, useRef, useState } from 'react';

/** HLS playback on the web: hls.js over Media Source Extensions, or the browser's own HLS (Safari). */
export function HlsVideo({ url, testID }: { url: string; testID?: string }) {
  const ref = useRef<HTMLVideoElement | null>(null);
  const [state, setState] = useState<'loading' | 'playing' | 'error'>('loading');

  useEffect(() => {
    const video = ref.current;
    if (!video) return undefined;
    let destroyed = false;
    let hls: { destroy(): void } | null = null;
    const onPlaying = () => setState('playing');
    video.addEventListener('playing', onPlaying);
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      void video.play().catch(() => undefined);
    } else {
      void import('hls.js').then(({ default: Hls }) => {
        if (destroyed) return;
        if (!Hls.isSupported()) return setState('error');
        const instance = new Hls({ lowLatencyMode: true, liveSyncDurationCount: 3 });
        hls = instance;
        instance.on(Hls.Events.ERROR, (_event, data) => {
          if (data.fatal) setState('error');
        });
        instance.loadSource(url);
        instance.attachMedia(video);
        instance.on(Hls.Events.MANIFEST_PARSED, () => void video.play().catch(() => undefined));
      });
    }
    return () => {
      destroyed = true;
      video.removeEventListener('playing', onPlaying);
      hls?.destroy();
    };
  }, [url]);

  return (
    <div data-testid={testID} data-state={state} style={{ width: '100%', aspectRatio: '16 / 9', background: '#000', borderRadius: 12, overflow: 'hidden' }}>
      <video ref={ref} muted playsInline autoPlay controls style={{ width: '100%', height: '100%' }} />
    </div>
  );
}
