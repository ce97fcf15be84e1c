import type Hls from 'hls.js';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useTheme } from '../ui/theme-context';
import { TOUCH } from '../ui/theme';
import { isBehindLive, renditionLabel, sortRenditions, type QualityChoice, type Rendition } from './renditions';

export interface VideoPlayerProps {
  readonly url: string;
  /** A live stream: starts at the live edge, no seek bar, "Go to live" when behind, quality choice. */
  readonly live: boolean;
  /** 'hls' (live streams, recordings) or 'mp4' (timelapses). */
  readonly kind?: 'hls' | 'mp4';
  readonly testID?: string;
}

type State = 'loading' | 'playing' | 'paused' | 'error';

/**
 * The web player: hls.js over Media Source Extensions (the browser's own HLS on Safari). Live streams play in
 * low-latency mode (LL-HLS partial segments and blocking playlist reloads) from the live edge, with our own controls
 * — the browser's seek bar would show a meaningless 0:00 on a live stream — a LIVE badge, "Go to live" when playback
 * fell behind, and the rendition chosen by bandwidth (Auto) or by hand. Recordings and timelapses use the browser's
 * controls (seeking is meaningful there).
 */
export function VideoPlayer({ url, live, kind = 'hls', testID }: VideoPlayerProps) {
  const { t } = useTranslation();
  const { colors } = useTheme();
  const ref = useRef<HTMLVideoElement | null>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [state, setState] = useState<State>('loading');
  const [renditions, setRenditions] = useState<Rendition[]>([]);
  const [choice, setChoice] = useState<QualityChoice>('auto');
  const [autoLevel, setAutoLevel] = useState<string | null>(null);
  const [behind, setBehind] = useState<number | null>(null);

  useEffect(() => {
    const video = ref.current;
    if (!video) return undefined;
    let destroyed = false;
    const onPlaying = () => setState('playing');
    const onPause = () => setState('paused');
    video.addEventListener('playing', onPlaying);
    video.addEventListener('pause', onPause);
    const playNatively = () => {
      video.src = url;
      void video.play().catch(() => undefined);
    };
    if (kind === 'mp4') playNatively();
    else {
      // hls.js wherever Media Source Extensions exist (its low-latency mode and rendition control are what we want,
      // even where the browser also plays HLS itself); the browser's own HLS only without MSE (older iOS Safari).
      void import('hls.js').then(({ default: HlsClass }) => {
        if (destroyed) return;
        if (!HlsClass.isSupported()) {
          if (video.canPlayType('application/vnd.apple.mpegurl')) playNatively();
          else setState('error');
          return;
        }
        const hls = new HlsClass({
          lowLatencyMode: live,
          startPosition: -1,
          capLevelToPlayerSize: false,
          backBufferLength: live ? 30 : Infinity,
        });
        hlsRef.current = hls;
        // A few recoveries (a network hiccup, a decoder glitch), then an honest error instead of retrying forever.
        let recoveries = 0;
        hls.on(HlsClass.Events.ERROR, (_event, data) => {
          if (!data.fatal) return;
          recoveries += 1;
          if (recoveries > 3) {
            hls.stopLoad();
            setState('error');
          } else if (data.type === HlsClass.ErrorTypes.NETWORK_ERROR) hls.startLoad();
          else if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
          else setState('error');
        });
        hls.on(HlsClass.Events.FRAG_BUFFERED, () => {
          recoveries = 0;
        });
        hls.on(HlsClass.Events.MANIFEST_PARSED, (_event, data) => {
          setRenditions(
            sortRenditions(
              data.levels.map((l, i) => ({ key: String(i), height: l.height || null, bitrate: l.bitrate || null })),
            ),
          );
          void video.play().catch(() => undefined);
        });
        hls.on(HlsClass.Events.LEVEL_SWITCHED, (_event, data) => setAutoLevel(String(data.level)));
        hls.loadSource(url);
        hls.attachMedia(video);
      });
    }
    const timer = live
      ? setInterval(() => {
          const edge = hlsRef.current?.liveSyncPosition;
          setBehind(edge != null ? Math.max(0, edge - video.currentTime) : null);
        }, 1000)
      : null;
    return () => {
      destroyed = true;
      if (timer) clearInterval(timer);
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('pause', onPause);
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [url, live, kind]);

  const choose = (next: QualityChoice) => {
    setChoice(next);
    const hls = hlsRef.current;
    if (!hls) return;
    // Auto: hls.js picks by measured bandwidth; a manual choice switches at the next segment.
    if (next === 'auto') hls.currentLevel = -1;
    else hls.nextLevel = Number(next);
  };
  const goLive = () => {
    const video = ref.current;
    const edge = hlsRef.current?.liveSyncPosition;
    if (video && edge != null) video.currentTime = edge;
    void video?.play().catch(() => undefined);
  };
  const toggle = () => {
    const video = ref.current;
    if (!video) return;
    if (video.paused) void video.play().catch(() => undefined);
    else video.pause();
  };

  const autoName = autoLevel !== null ? renditions.find((r) => r.key === autoLevel) : undefined;
  const button = {
    minHeight: TOUCH,
    minWidth: TOUCH,
    padding: '0 12px',
    borderRadius: 8,
    border: `1px solid ${colors.border}`,
    background: colors.card,
    color: colors.text,
    fontSize: 15,
    cursor: 'pointer',
  } as const;
  return (
    <div
      data-testid={testID}
      data-state={state}
      data-live={live ? 'true' : 'false'}
      data-quality={choice}
      data-behind-live={behind === null ? undefined : behind.toFixed(1)}
      style={{ width: '100%' }}
    >
      <div
        style={{
          position: 'relative',
          width: '100%',
          aspectRatio: '16 / 9',
          background: '#000',
          borderRadius: 12,
          overflow: 'hidden',
        }}
      >
        <video
          ref={ref}
          muted
          playsInline
          autoPlay
          controls={!live}
          aria-label={live ? t('enums.streamStatus.LIVE') : t('camera.playing')}
          style={{ width: '100%', height: '100%' }}
        />
        {live ? (
          <span
            data-testid="live-badge"
            style={{
              position: 'absolute',
              top: 8,
              left: 8,
              background: isBehindLive(behind) ? '#555' : '#b71c31',
              color: '#fff',
              fontWeight: 700,
              fontSize: 13,
              padding: '2px 8px',
              borderRadius: 6,
            }}
          >
            {t('enums.streamStatus.LIVE')}
          </span>
        ) : null}
        {state === 'error' ? (
          <span
            role="alert"
            style={{
              position: 'absolute',
              inset: 0,
              display: 'flex',
              alignItems: 'center',
              justifyContent: 'center',
              color: '#fff',
            }}
          >
            {t('camera.videoError')}
          </span>
        ) : null}
      </div>
      {live ? (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center', marginTop: 8 }}>
          <button
            type="button"
            data-testid="play-pause"
            onClick={toggle}
            style={button}
            aria-label={state === 'paused' ? '▶' : '❚❚'}
          >
            {state === 'paused' ? '▶' : '❚❚'}
          </button>
          {isBehindLive(behind) ? (
            <button type="button" data-testid="go-live" onClick={goLive} style={button}>
              {t('camera.goLive')} ({t('camera.behindLive', { seconds: Math.round(behind ?? 0) })})
            </button>
          ) : null}
          {renditions.length > 1 ? (
            <label style={{ display: 'flex', alignItems: 'center', gap: 6, color: colors.text }}>
              {t('camera.quality')}
              <select
                data-testid="quality"
                value={choice}
                onChange={(e) => choose(e.target.value)}
                style={{ ...button, padding: '0 8px' }}
              >
                <option value="auto">
                  {autoName ? t('camera.autoNow', { name: renditionLabel(autoName) }) : t('camera.auto')}
                </option>
                {renditions.map((r) => (
                  <option key={r.key} value={r.key}>
                    {renditionLabel(r)}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
