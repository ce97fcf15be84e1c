import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canTransition, STREAM_STATUSES, sourcesOf } from '../src/domain/stream-machine.ts';
import { MediaSigner } from '@vegshare/kit';
import { objectKeyFor, parseHlsPath } from '../src/domain/hls-path.ts';
import { playlistSeconds, signPlaylist } from '../src/domain/hls-playlist.ts';
import { parseRegisterCamera, parseUpdateCamera } from '../src/domain/camera-input.ts';

const STREAM = '50000000-0000-4000-8000-000000000001';

describe('stream status machine', () => {
  it('allows exactly the documented lifecycle', () => {
    expect(canTransition('IDLE', 'STARTING')).toBe(true);
    expect(canTransition('STARTING', 'LIVE')).toBe(true);
    expect(canTransition('LIVE', 'RECONNECTING')).toBe(true);
    expect(canTransition('RECONNECTING', 'LIVE')).toBe(true);
    expect(canTransition('LIVE', 'ENDED')).toBe(true);
    expect(canTransition('ENDED', 'STARTING')).toBe(true);
    expect(canTransition('FAILED', 'STARTING')).toBe(true);
    expect(canTransition('IDLE', 'LIVE')).toBe(false);
    expect(canTransition('ENDED', 'LIVE')).toBe(false);
    expect(canTransition('LIVE', 'STARTING')).toBe(false);
    expect(canTransition('LIVE', 'IDLE')).toBe(false);
  });

  it('never returns to IDLE and reaches LIVE only through STARTING or RECONNECTING', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STREAM_STATUSES), { maxLength: 40 }), (requests) => {
        let status: (typeof STREAM_STATUSES)[number] = 'IDLE';
        for (const to of requests) {
          if (!canTransition(status, to)) continue;
          if (to === 'LIVE') expect(['STARTING', 'RECONNECTING']).toContain(status);
          expect(to).not.toBe('IDLE');
          status = to;
        }
        expect(sourcesOf('IDLE')).toEqual([]);
      }),
    );
  });
});

describe('playback signing', () => {
  const signer = new MediaSigner('a-signing-secret-of-enough-length', 120);
  const now = 1_800_000_000_000;

  it('verifies its own grant for the same stream and viewer until it expires', () => {
    const { query, expiresAt } = signer.sign(STREAM, 'user-1', now);
    expect(expiresAt.getTime()).toBe(now + 120_000);
    expect(signer.verify(STREAM, new URLSearchParams(query), now + 1000)).toMatchObject({
      ok: true,
      grant: { viewerId: 'user-1' },
    });
    expect(signer.verify(STREAM, new URLSearchParams(query), now + 120_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a grant for another stream, another viewer, a moved expiry or another key', () => {
    const params = new URLSearchParams(signer.sign(STREAM, 'user-1', now).query);
    expect(signer.verify('50000000-0000-4000-8000-000000000002', params, now)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const otherViewer = new URLSearchParams(params);
    otherViewer.set('v', 'user-2');
    expect(signer.verify(STREAM, otherViewer, now)).toEqual({ ok: false, reason: 'bad-signature' });
    const later = new URLSearchParams(params);
    later.set('e', String(Number(params.get('e')) + 3600));
    expect(signer.verify(STREAM, later, now)).toEqual({ ok: false, reason: 'bad-signature' });
    const foreign = new MediaSigner('another-secret-of-enough-length!', 120);
    expect(foreign.verify(STREAM, params, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(signer.verify(STREAM, new URLSearchParams(''), now)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses any single-character change of the signature', () => {
    const params = new URLSearchParams(signer.sign(STREAM, 'viewer', now).query);
    const signature = params.get('s') ?? '';
    fc.assert(
      fc.property(fc.nat({ max: signature.length - 1 }), fc.constantFrom(...'ABCabc012-_'), (i, c) => {
        fc.pre(signature[i] !== c);
        const tampered = new URLSearchParams(params);
        tampered.set('s', signature.slice(0, i) + c + signature.slice(i + 1));
        expect(signer.verify(STREAM, tampered, now).ok).toBe(false);
      }),
    );
  });

  it('will not issue URLs living longer than 5 minutes', () => {
    expect(() => new MediaSigner('a-signing-secret-of-enough-length', 301)).toThrow(RangeError);
  });
});

describe('HLS paths', () => {
  it('accepts playlists and segments below the stream folder', () => {
    expect(parseHlsPath(`/hls/${STREAM}/master.m3u8`)).toEqual({
      streamId: STREAM,
      file: 'master.m3u8',
      extension: 'm3u8',
    });
    expect(parseHlsPath(`/hls/${STREAM}/720p/seg_00001.ts`)).toMatchObject({
      file: '720p/seg_00001.ts',
      extension: 'ts',
    });
    // What the LL-HLS ladder writes: segments, parts (named by rendition-wide id) and a run's init segment.
    expect(parseHlsPath(`/hls/${STREAM}/720p/s12.m4s`)).toMatchObject({ file: '720p/s12.m4s', extension: 'm4s' });
    expect(parseHlsPath(`/hls/${STREAM}/360p/part12004.m4s`)).toMatchObject({
      file: '360p/part12004.m4s',
      extension: 'm4s',
    });
    expect(parseHlsPath(`/hls/${STREAM}/720p/init-mb2x1.mp4`)).toMatchObject({
      file: '720p/init-mb2x1.mp4',
      extension: 'mp4',
    });
    expect(objectKeyFor(`live/${STREAM}/job-1/master.m3u8`, '720p/index.m3u8')).toBe(
      `live/${STREAM}/job-1/720p/index.m3u8`,
    );
    expect(objectKeyFor(`live/${STREAM}/job-1/master.m3u8`, 'master.m3u8')).toBe(`live/${STREAM}/job-1/master.m3u8`);
  });

  it.each([
    `/hls/${STREAM}/../other/master.m3u8`,
    `/hls/${STREAM}/720p/../../x.ts`,
    `/hls/${STREAM}/%2e%2e/x.ts`,
    `/hls/${STREAM}/..%2fx.ts`,
    `/hls/${STREAM}/.hidden.ts`,
    `/hls/${STREAM}//x.ts`,
    `/hls/${STREAM}/x..ts`,
    `/hls/${STREAM}/a\\b.ts`,
    `/hls/${STREAM}/secret.json`,
    `/hls/${STREAM}`,
    `/hls/not-a-uuid/master.m3u8`,
  ])('refuses %s', (path) => {
    expect(parseHlsPath(path)).toBeNull();
  });

  it('never yields a file with a dot segment, whatever the path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('..', '.', '', 'a', 'b.ts', '%2e', '\\', 'x.m3u8', '%2f', '~'), { maxLength: 6 }),
        (segments) => {
          const parsed = parseHlsPath(`/hls/${STREAM}/${segments.join('/')}`);
          if (parsed)
            expect(
              parsed.file
                .split('/')
                .every((s) => s.length > 0 && !s.startsWith('.') && !s.includes('..') && !s.includes('%')),
            ).toBe(true);
        },
      ),
    );
  });
});

describe('playlist signing', () => {
  it('adds the grant to relative URIs and URI attributes only', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",URI="audio/index.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360',
      '360p/index.m3u8',
      '#EXT-X-MAP:URI="init.mp4"',
      'https://cdn.example.com/x.ts',
      'seg.ts?x=1',
      '',
    ].join('\n');
    expect(signPlaylist(playlist, 'v=u&e=1&s=abc').split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",URI="audio/index.m3u8?v=u&e=1&s=abc"',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360',
      '360p/index.m3u8?v=u&e=1&s=abc',
      '#EXT-X-MAP:URI="init.mp4?v=u&e=1&s=abc"',
      'https://cdn.example.com/x.ts',
      'seg.ts?x=1&v=u&e=1&s=abc',
      '',
    ]);
  });
});

describe('playlist playing time', () => {
  it('adds up the segments of a media playlist, dated or not; a master playlist or anything else plays for 0 s', () => {
    const recording = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MEDIA-SEQUENCE:4',
      '#EXT-X-MAP:URI="init-a.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2030-05-01T12:00:00.000Z',
      '#EXTINF:2,',
      's4.m4s',
      '#EXT-X-DISCONTINUITY',
      '#EXT-X-MAP:URI="init-b.mp4"',
      '#EXT-X-PROGRAM-DATE-TIME:2030-05-01T12:01:00.000Z',
      '#EXTINF:1.5,',
      's5.m4s',
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    expect(playlistSeconds(recording)).toBeCloseTo(3.5, 6);
    expect(playlistSeconds('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n360p/index.m3u8\n')).toBe(0);
    expect(playlistSeconds('<html>')).toBe(0);
  });
});

describe('camera input', () => {
  const farmId = '10000000-0000-4000-8000-000000000001';
  it('accepts RTSP/RTMP sources and trims names', () => {
    expect(parseRegisterCamera({ farmId, name: '  Gate  ', sourceUrl: 'rtsp://cam.local:554/stream1' })).toEqual({
      farmId,
      plotId: null,
      name: 'Gate',
      sourceUrl: 'rtsp://cam.local:554/stream1',
      enabled: true,
      isPublic: false,
    });
    expect(
      parseRegisterCamera({ farmId, name: 'x', sourceUrl: 'rtmps://live.example.com/app/key', public: true }).isPublic,
    ).toBe(true);
  });

  it.each([
    'http://cam.local/x',
    'file:///etc/passwd',
    'rtsp://',
    'rtsp:// cam',
    'javascript:alert(1)',
    'rtsp://cam\n.local',
    '',
  ])('refuses source %j', (sourceUrl) => {
    expect(() => parseRegisterCamera({ farmId, name: 'x', sourceUrl })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    );
  });

  it('distinguishes detaching a plot from leaving it unchanged', () => {
    expect(parseUpdateCamera({ plotId: null })).toEqual({ plotId: null });
    expect(parseUpdateCamera({})).toEqual({});
    expect(parseUpdateCamera({ name: null, enabled: false })).toEqual({ enabled: false });
  });
});

describe('configuration', () => {
  it('names every missing or bad variable in one line', async () => {
    const { loadStreamingConfig } = await import('../src/env.ts');
    expect(() => loadStreamingConfig({})).toThrow(
      /^Invalid configuration: .*DATABASE_URL: required.*S3_ENDPOINT: required/,
    );
    const base = {
      DATABASE_URL: 'postgresql://x/y',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_ACCESS_KEY: 'a',
      S3_SECRET_KEY: 'b',
      S3_BUCKET: 'vegshare',
    };
    expect(() => loadStreamingConfig({ ...base, PLAYBACK_URL_TTL_SECONDS: '301' })).toThrow(/PLAYBACK_URL_TTL_SECONDS/);
    expect(() => loadStreamingConfig({ ...base, PLAYBACK_SIGNING_SECRET: 'short' })).toThrow(
      /PLAYBACK_SIGNING_SECRET: must be at least 16 characters/,
    );
    expect(loadStreamingConfig({ ...base, STREAM_IDLE_STOP_SECONDS: '5' })).toMatchObject({
      PORT: 4004,
      STREAM_IDLE_STOP_SECONDS: 5,
      PLAYBACK_URL_TTL_SECONDS: 120,
    });
  });
});
