import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** Where a binary came from: configuration, the PATH, or an npm package that ships it in its tarball. */
export type BinarySource = 'config' | 'path' | 'npm';

export interface FfmpegBinaries {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** First line of `ffmpeg -version`. */
  readonly version: string;
  readonly ffmpegSource: BinarySource;
  readonly ffprobeSource: BinarySource;
  /**
   * The RTSP demuxer's socket I/O timeout option: `stimeout` up to ffmpeg 4.x, `timeout` from 5.0 (where 4.x's
   * `timeout` meant "listen for a connection" instead). Filled in by the capability check.
   */
  readonly rtspTimeoutOption: 'stimeout' | 'timeout';
}

export interface ResolveOptions {
  readonly ffmpegPath?: string | undefined;
  readonly ffprobePath?: string | undefined;
  /** The PATH to search (default: the process's). */
  readonly searchPath?: string | undefined;
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

export function onPath(name: string, path = process.env['PATH'] ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

/**
 * npm 11 does not run install scripts, so a package whose postinstall sets the executable bit (as
 * @ffprobe-installer/* does) arrives with a plain file. Make it executable in place, or — on a read-only
 * node_modules — run a private copy from the temp directory.
 */
export function ensureExecutable(file: string): string {
  if (isExecutable(file)) return file;
  try {
    chmodSync(file, 0o755);
    if (isExecutable(file)) return file;
  } catch {
    // read-only install: fall through to a private copy
  }
  const { size, mtimeMs } = statSync(file);
  const dir = join(tmpdir(), 'vegshare-media-binaries', `${size}-${Math.round(mtimeMs)}`);
  const copy = join(dir, file.split(/[\\/]/).pop() ?? 'binary');
  if (!isExecutable(copy)) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, copy);
    chmodSync(copy, 0o755);
  }
  return copy;
}

const require = createRequire(import.meta.url);
/** The npm installer packages, each required by its literal name (so dependency checks see the import). */
const NPM_SHIPPED = {
  '@ffmpeg-installer/ffmpeg': () => require('@ffmpeg-installer/ffmpeg') as { path?: unknown },
  '@ffprobe-installer/ffprobe': () => require('@ffprobe-installer/ffprobe') as { path?: unknown },
} as const;

/** The binary an npm installer package ships for this platform (its `path` export), or null when not installed. */
function npmShipped(pkg: keyof typeof NPM_SHIPPED): string | null {
  try {
    const path = NPM_SHIPPED[pkg]().path;
    return typeof path === 'string' ? ensureExecutable(path) : null;
  } catch {
    return null;
  }
}

function pick(
  configured: string | undefined,
  name: 'ffmpeg' | 'ffprobe',
  searchPath: string | undefined,
): { path: string; source: BinarySource } | null {
  if (configured) return { path: configured, source: 'config' };
  const found = onPath(name, searchPath);
  if (found) return { path: found, source: 'path' };
  const shipped = npmShipped(name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe');
  return shipped ? { path: shipped, source: 'npm' } : null;
}

/**
 * ffmpeg and ffprobe: FFMPEG_PATH / FFPROBE_PATH, else the PATH, else the static builds npm ships inside
 * @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (no download at install time). Whether the binary can do
 * what we ask of it is checked separately (ffmpeg-capabilities.ts).
 */
export async function resolveFfmpeg(options: ResolveOptions = {}): Promise<FfmpegBinaries> {
  const ffmpeg = pick(options.ffmpegPath, 'ffmpeg', options.searchPath);
  if (!ffmpeg)
    throw new Error(
      'ffmpeg not found: set FFMPEG_PATH, put ffmpeg on the PATH (apt-get install ffmpeg), or npm install @ffmpeg-installer/ffmpeg',
    );
  const ffprobe = pick(options.ffprobePath, 'ffprobe', options.searchPath);
  if (!ffprobe)
    throw new Error(
      'ffprobe not found: set FFPROBE_PATH, put ffprobe on the PATH (apt-get install ffmpeg), or npm install @ffprobe-installer/ffprobe',
    );
  let version: string;
  try {
    const { stdout } = await promisify(execFile)(ffmpeg.path, ['-hide_banner', '-version'], { timeout: 10_000 });
    version = stdout.split('\n')[0]?.trim() || 'unknown version';
  } catch (error) {
    throw new Error(
      `ffmpeg at ${ffmpeg.path} does not run: ${(error as Error).message.split('\n')[0] ?? 'unknown error'}`,
    );
  }
  return {
    ffmpeg: ffmpeg.path,
    ffprobe: ffprobe.path,
    version,
    ffmpegSource: ffmpeg.source,
    ffprobeSource: ffprobe.source,
    rtspTimeoutOption: 'timeout',
  };
}
