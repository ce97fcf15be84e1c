/** One ffmpeg status line, e.g. `frame=  120 fps= 60 q=28.0 size=N/A time=00:00:04.00 bitrate=N/A speed=2.01x`. */
export interface FfmpegProgress {
  readonly frame: number | null;
  readonly fps: number | null;
  readonly processedMs: number | null;
  readonly bitrateKbps: number | null;
  readonly speed: number | null;
}

const field = (line: string, name: string): string | null => {
  const match = new RegExp(`${name}=\\s*(\\S+)`).exec(line);
  return match?.[1] ?? null;
};
const number = (raw: string | null): number | null => {
  if (raw === null) return null;
  const value = Number.parseFloat(raw);
  return Number.isFinite(value) ? value : null;
};

/** Parses ffmpeg's stderr status line; null for any other line. */
export function parseProgressLine(line: string): FfmpegProgress | null {
  if (!/(^|\s|\r)frame=\s*\d+/.test(line) && !/(^|\s|\r)size=/.test(line)) return null;
  const time = field(line, 'time');
  const match = time ? /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(time) : null;
  const processedMs =
    match && match[1] !== '-'
      ? Math.round(((Number(match[2]) * 60 + Number(match[3])) * 60 + Number(match[4])) * 1000)
      : null;
  const bitrate = field(line, 'bitrate');
  const bitrateKbps = bitrate && /kbits\/s$/.test(bitrate) ? number(bitrate.replace(/kbits\/s$/, '')) : null;
  const speed = field(line, 'speed');
  return {
    frame: number(field(line, 'frame')),
    fps: number(field(line, 'fps')),
    processedMs,
    bitrateKbps,
    speed: speed && speed.endsWith('x') ? number(speed.slice(0, -1)) : null,
  };
}

/** Calls `emit` at most once per `intervalMs` with the latest value; `flush` emits a pending one at once. */
export function throttle<T>(
  intervalMs: number,
  emit: (value: T) => void,
): { push(value: T): void; flush(): void; cancel(): void } {
  let last = 0;
  let pending: { value: T } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    last = Date.now();
    emit(value);
  };
  return {
    push(value) {
      pending = { value };
      const wait = last + intervalMs - Date.now();
      if (wait <= 0) fire();
      else timer ??= setTimeout(fire, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
