import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureExecutable, onPath, resolveFfmpeg } from '../src/domain/media/ffmpeg-binary.ts';
import {
  checkCapabilities,
  FfmpegUnfitError,
  prepareFfmpeg,
  REQUIRED,
} from '../src/domain/media/ffmpeg-capabilities.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const NPM_FFMPEG = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const NPM_FFPROBE = (require('@ffprobe-installer/ffprobe') as { path: string }).path;

const root = await mkdtemp(join(tmpdir(), 'vegshare-ffmpeg-binary-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A directory for a PATH search that holds no ffmpeg (but other programs). */
async function pathWithoutFfmpeg(): Promise<string> {
  const dir = await mkdtemp(join(root, 'bin-'));
  await writeFile(join(dir, 'ls'), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * A shell script that answers ffmpeg's listing options like ffmpeg does, minus `lacking` (names of encoders,
 * muxers, filters, protocols or mp4 options); `failing` makes it exit 1 for that query instead.
 */
async function fakeFfmpeg(
  dir: string,
  options: { lacking?: readonly string[]; failing?: string; version?: string } = {},
): Promise<string> {
  const lacking = new Set(options.lacking ?? []);
  const rows = (flag: string, names: readonly string[]) =>
    names
      .filter((n) => !lacking.has(n))
      .map((n) => ` ${flag}..... ${n}   fake ${n}`)
      .join('\n');
  const answers: Record<string, string> = {
    '-version': `${options.version ?? 'ffmpeg version 0.1-fake Copyright (c) the fakers'}\nbuilt with sh`,
    '-encoders': `Encoders:\n V..... = Video\n ------\n${rows('V', [...REQUIRED.encoders, 'libvpx'])}`,
    '-decoders': `Decoders:\n ------\n${rows('V', [...REQUIRED.decoders])}`,
    '-muxers': `File formats:\n D. = Demuxing supported\n --\n${rows(' E', [...REQUIRED.muxers, 'hls'])}`,
    '-demuxers': `File formats:\n --\n${rows(' D', [...REQUIRED.demuxers])}`,
    '-filters': `Filters:\n${rows('.', [...REQUIRED.filters])}`,
    '-protocols': `Supported file protocols:\nInput:\n${REQUIRED.inputProtocols
      .filter((p) => !lacking.has(p))
      .map((p) => `  ${p}`)
      .join('\n')}\nOutput:\n${REQUIRED.outputProtocols
      .filter((p) => !lacking.has(`out:${p}`))
      .map((p) => `  ${p}`)
      .join('\n')}`,
    '-h muxer=mp4': `Muxer mp4 [MP4 (MPEG-4 Part 14)]:\n${REQUIRED.mp4Options
      .filter((o) => !lacking.has(o))
      .map((o) => `  -${o}  <flags>  E.......`)
      .join('\n')}`,
    '-h demuxer=rtsp':
      'Demuxer rtsp [RTSP input]:\n  -timeout  <int64>  .D...... set timeout (in microseconds) of socket I/O operations',
  };
  const cases = Object.entries(answers)
    .map(
      ([query, text]) =>
        `  "${query}")\n${options.failing === query ? 'echo "Unrecognized option" >&2; exit 1' : `cat <<'EOF'\n${text}\nEOF`}\n  ;;`,
    )
    .join('\n');
  const file = join(dir, 'ffmpeg');
  await writeFile(
    file,
    `#!/bin/sh\n[ "$1" = "-hide_banner" ] && shift\ncase "$*" in\n${cases}\n  *) exit 1 ;;\nesac\n`,
    { mode: 0o755 },
  );
  return file;
}

describe('resolveFfmpeg', () => {
  it('takes FFMPEG_PATH/FFPROBE_PATH first, then the PATH, then the binaries npm ships', async () => {
    const empty = await pathWithoutFfmpeg();
    const fromNpm = await resolveFfmpeg({ searchPath: empty });
    expect(fromNpm).toMatchObject({ ffmpegSource: 'npm', ffprobeSource: 'npm' });
    expect(fromNpm.ffmpeg).toBe(NPM_FFMPEG);
    expect([NPM_FFPROBE, expect.stringContaining('vegshare-media-binaries')]).toContainEqual(fromNpm.ffprobe);
    expect(fromNpm.version).toMatch(/^ffmpeg version N-/);

    const fromPath = await resolveFfmpeg({ searchPath: `${empty}:/usr/bin` });
    expect(fromPath).toMatchObject({
      ffmpeg: '/usr/bin/ffmpeg',
      ffprobe: '/usr/bin/ffprobe',
      ffmpegSource: 'path',
      ffprobeSource: 'path',
    });
    expect(fromPath.version).toMatch(/^ffmpeg version 5\.1/);

    const fromConfig = await resolveFfmpeg({ ffmpegPath: NPM_FFMPEG, searchPath: '/usr/bin' });
    expect(fromConfig).toMatchObject({
      ffmpeg: NPM_FFMPEG,
      ffmpegSource: 'config',
      ffprobe: '/usr/bin/ffprobe',
      ffprobeSource: 'path',
    });
    expect(await resolveFfmpeg({ ffprobePath: NPM_FFPROBE, searchPath: '/usr/bin' })).toMatchObject({
      ffprobe: NPM_FFPROBE,
      ffprobeSource: 'config',
    });
  });

  it('says which configured binary does not run', async () => {
    const dir = await mkdtemp(join(root, 'broken-'));
    const broken = join(dir, 'ffmpeg');
    await writeFile(broken, '#!/bin/sh\necho "segfault" >&2\nexit 139\n', { mode: 0o755 });
    await expect(resolveFfmpeg({ ffmpegPath: broken })).rejects.toThrow(`ffmpeg at ${broken} does not run`);
    await expect(resolveFfmpeg({ ffmpegPath: join(dir, 'missing') })).rejects.toThrow(/does not run/);
  });

  it('finds only executable files on the PATH', async () => {
    const dir = await mkdtemp(join(root, 'path-'));
    await mkdir(join(dir, 'a', 'ffmpeg'), { recursive: true });
    await mkdir(join(dir, 'b'));
    await writeFile(join(dir, 'b', 'ffmpeg'), 'not a program', { mode: 0o644 });
    await mkdir(join(dir, 'c'));
    await writeFile(join(dir, 'c', 'ffmpeg'), '#!/bin/sh\n', { mode: 0o755 });
    expect(onPath('ffmpeg', ['', join(dir, 'a'), join(dir, 'b'), join(dir, 'c')].join(':'))).toBe(
      join(dir, 'c', 'ffmpeg'),
    );
    expect(onPath('ffmpeg', [join(dir, 'a'), join(dir, 'b')].join(':'))).toBeNull();
    expect(onPath('ffmpeg', '')).toBeNull();
  });
});

describe('ensureExecutable', () => {
  it('makes a binary that arrived without its executable bit runnable in place', async () => {
    const dir = await mkdtemp(join(root, 'plain-'));
    const copy = join(dir, 'ffmpeg');
    await copyFile('/usr/bin/ffmpeg', copy);
    await chmod(copy, 0o644);
    expect(isExecutable(copy)).toBe(false);
    expect(ensureExecutable(copy)).toBe(copy);
    expect((await stat(copy)).mode & 0o111).not.toBe(0);
    expect((await run(copy, ['-hide_banner', '-version'])).stdout).toMatch(/^ffmpeg version/);
    // Already executable: nothing changes.
    expect(ensureExecutable(copy)).toBe(copy);
  });

  it.runIf(process.getuid?.() === 0)(
    'runs a private copy when the file cannot be changed (another owner, read-only install)',
    async () => {
      // As an unprivileged user, a root-owned node_modules cannot be chmod-ed: ensureExecutable must copy.
      const install = await mkdtemp(join(root, 'readonly-'));
      const binary = join(install, 'ffmpeg');
      await copyFile('/usr/bin/ffmpeg', binary);
      await chmod(binary, 0o644);
      await chmod(install, 0o755);
      await chmod(root, 0o755);
      const home = await mkdtemp(join(tmpdir(), 'vegshare-nobody-'));
      await chmod(home, 0o777);
      try {
        const module = resolve(import.meta.dirname, '../src/domain/media/ffmpeg-binary.ts');
        const script = `import(${JSON.stringify(module)}).then((m) => { const p = m.ensureExecutable(${JSON.stringify(binary)}); require('node:child_process').execFile(p, ['-hide_banner', '-version'], (e, out) => { console.log(JSON.stringify({ p, e: e && e.message, out: out.split('\\n')[0] })); }); })`;
        const { stdout } = await run(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script],
          {
            cwd: resolve(import.meta.dirname, '../../..'),
            env: { PATH: process.env['PATH'] ?? '', TMPDIR: home, HOME: home },
            timeout: 60_000,
          },
        );
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { p: string; e: string | null; out: string };
        expect(result.e).toBeNull();
        expect(result.p.startsWith(join(home, 'vegshare-media-binaries'))).toBe(true);
        expect(result.out).toMatch(/^ffmpeg version/);
        // The install itself is untouched.
        expect((await stat(binary)).mode & 0o777).toBe(0o644);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    },
  );
});

describe('prepareFfmpeg', () => {
  it('accepts Debian ffmpeg 5.1 with the RTSP option `timeout`', async () => {
    const binaries = await prepareFfmpeg({ ffmpegPath: '/usr/bin/ffmpeg', ffprobePath: '/usr/bin/ffprobe' });
    expect(binaries.version).toMatch(/^ffmpeg version 5\.1/);
    expect(binaries.rtspTimeoutOption).toBe('timeout');
    expect((await checkCapabilities(binaries)).missing).toEqual([]);
  });

  it('accepts the npm-shipped 4.1 build with the RTSP option `stimeout` (what a machine with only Node has)', async () => {
    const binaries = await prepareFfmpeg({ searchPath: await pathWithoutFfmpeg() });
    expect(binaries.ffmpegSource).toBe('npm');
    expect(binaries.rtspTimeoutOption).toBe('stimeout');
    expect((await checkCapabilities(binaries)).missing).toEqual([]);
  });

  it('refuses an ffmpeg that lacks what we use, in one line naming it, its version and every missing part', async () => {
    const dir = await mkdtemp(join(root, 'fake-'));
    const fake = await fakeFfmpeg(dir, { lacking: ['libx264', 'frag_duration', 'unix', 'out:unix', 'concat'] });
    // The script answers like ffmpeg: with nothing missing it passes (so the refusal below is about what it lacks).
    const complete = await fakeFfmpeg(await mkdtemp(join(root, 'fake-ok-')));
    expect((await prepareFfmpeg({ ffmpegPath: complete, ffprobePath: '/usr/bin/ffprobe' })).version).toBe(
      'ffmpeg version 0.1-fake Copyright (c) the fakers',
    );
    const error = await prepareFfmpeg({ ffmpegPath: fake, ffprobePath: '/usr/bin/ffprobe' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FfmpegUnfitError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`ffmpeg at ${fake} (ffmpeg version 0.1-fake Copyright (c) the fakers)`);
    expect(message).toContain(
      'missing: encoder libx264, demuxer concat, output protocol unix, mp4 muxer option frag_duration.',
    );
  });

  it('refuses, in the same one line, an ffmpeg that cannot answer a question or an ffprobe that does not run', async () => {
    const failing = await fakeFfmpeg(await mkdtemp(join(root, 'fake-h-')), { failing: '-h muxer=mp4' });
    const error = await prepareFfmpeg({ ffmpegPath: failing, ffprobePath: '/usr/bin/ffprobe' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FfmpegUnfitError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(
      /ffmpeg at .*fake-h-.* \(ffmpeg version 0\.1-fake.*missing: .*-h muxer=mp4/,
    );

    const complete = await fakeFfmpeg(await mkdtemp(join(root, 'fake-p-')));
    const noProbe = await prepareFfmpeg({ ffmpegPath: complete, ffprobePath: join(root, 'no-ffprobe') }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(noProbe).toBeInstanceOf(FfmpegUnfitError);
    expect((noProbe as Error).message).not.toContain('\n');
    expect((noProbe as Error).message).toContain(`missing: a working ffprobe (${join(root, 'no-ffprobe')}`);
  });
});
