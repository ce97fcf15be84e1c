import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  /** Null when only the npm-shipped ffmpeg is available (it has no ffprobe). */
  readonly ffprobe: string | null;
  /** First line of `ffmpeg -version`. */
  readonly version: string;
}

function onPath(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function npmShippedFfmpeg(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    return installer.path ?? null;
  } catch {
    return null;
  }
}

/** ffmpeg from config, else PATH, else the npm-shipped static binary (@ffmpeg-installer/ffmpeg). */
export async function resolveFfmpeg(options: { ffmpegPath?: string | undefined; ffprobePath?: string | undefined } = {}): Promise<FfmpegBinaries> {
  const ffmpeg = options.ffmpegPath ?? onPath('ffmpeg') ?? npmShippedFfmpeg();
  if (!ffmpeg) throw new Error('ffmpeg not found: install it (apt-get install ffmpeg), set FFMPEG_PATH, or install @ffmpeg-installer/ffmpeg');
  const ffprobe = options.ffprobePath ?? onPath('ffprobe');
  const { stdout } = await promisify(execFile)(ffmpeg, ['-hide_banner', '-version']);
  return { ffmpeg, ffprobe, version: stdout.split('\n')[0]?.trim() ?? 'unknown' };
}
