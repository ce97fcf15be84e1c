import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEDIA_CONTENT_TYPES, MEDIA_PREFIX, mediaScopeOf, mediaUrl, parseMediaPath } from '../src/media/media-paths.ts';
import { MAX_GRANT_SECONDS, MediaSigner } from '../src/media/media-signer.ts';

const JOB = '3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f8a9b0c';
const STREAM = '50000000-0000-4000-8000-000000000001';
const CAMERA = '60000000-0000-4000-8000-000000000002';
const NOW = Date.UTC(2030, 0, 1, 12);

describe('MediaSigner', () => {
  const signer = new MediaSigner('a secret of the cluster', 120);
  const grant = (scope: string, viewer = 'user-1', now = NOW, ttl?: number) =>
    new URLSearchParams(signer.sign(scope, viewer, now, ttl).query);

  it('grants a viewer a scope until the expiry, and nothing else', () => {
    const q = grant(STREAM);
    expect(signer.verify(STREAM, q, NOW)).toEqual({
      ok: true,
      grant: { scope: STREAM, viewerId: 'user-1', expiresAt: NOW / 1000 + 120 },
    });
    expect(signer.verify(STREAM, q, NOW + 119_999).ok).toBe(true);
    expect(signer.verify(STREAM, q, NOW + 120_000)).toEqual({ ok: false, reason: 'expired' });
    // Another scope, a prefix of it, or a longer one: the signature does not carry over.
    for (const other of [CAMERA, STREAM.slice(0, -1), `${STREAM}/`, `vod/${JOB}/`, ''])
      expect(signer.verify(other, q, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    // Changing the viewer or pushing the expiry breaks it.
    const asOther = new URLSearchParams(q);
    asOther.set('v', 'user-2');
    expect(signer.verify(STREAM, asOther, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const later = new URLSearchParams(q);
    later.set('e', String(Number(q.get('e')) + 3600));
    expect(signer.verify(STREAM, later, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    // Another cluster's key does not verify.
    expect(new MediaSigner('another secret', 120).verify(STREAM, q, NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('never lets a grant for one scope open another (media prefixes and stream ids alike)', () => {
    const scope = fc.oneof(
      fc.uuid().map((u) => `vod/${u}/`),
      fc.tuple(fc.uuid(), fc.uuid()).map(([a, b]) => `live/${a}/${b}/`),
      fc.uuid(),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(scope, scope, fc.stringMatching(/^[A-Za-z0-9:_-]{1,80}$/), (a, b, viewer) => {
        fc.pre(a !== b);
        const q = grant(a, viewer);
        expect(signer.verify(a, q, NOW).ok).toBe(true);
        expect(signer.verify(b, q, NOW)).toEqual({ ok: false, reason: 'bad-signature' });
      }),
      { numRuns: 300 },
    );
  });

  it('lengthens one grant on request, never past MAX_GRANT_SECONDS', () => {
    expect(signer.sign(STREAM, 'u', NOW).expiresAt.getTime()).toBe(NOW + 120_000);
    expect(signer.sign(STREAM, 'u', NOW, 3_600).expiresAt.getTime()).toBe(NOW + 3_600_000);
    expect(signer.sign(STREAM, 'u', NOW, 10 * 24 * 3600).expiresAt.getTime()).toBe(NOW + MAX_GRANT_SECONDS * 1000);
    expect(MAX_GRANT_SECONDS).toBe(6 * 3600);
    expect(signer.sign(STREAM, 'u', NOW, 0).expiresAt.getTime()).toBe(NOW + 1000);
    expect(signer.sign(STREAM, 'u', NOW, -50).expiresAt.getTime()).toBe(NOW + 1000);
    const long = grant(`vod/${JOB}/`, 'u', NOW, 99_999_999);
    expect(signer.verify(`vod/${JOB}/`, long, NOW + MAX_GRANT_SECONDS * 1000 - 1).ok).toBe(true);
    expect(signer.verify(`vod/${JOB}/`, long, NOW + MAX_GRANT_SECONDS * 1000).ok).toBe(false);
  });

  it('tells missing from malformed grants, and refuses to sign odd viewer ids or long base TTLs', () => {
    const q = grant(STREAM);
    for (const key of ['v', 'e', 's']) {
      const without = new URLSearchParams(q);
      without.delete(key);
      expect(signer.verify(STREAM, without, NOW)).toEqual({ ok: false, reason: 'missing' });
    }
    for (const [key, value] of [
      ['v', 'user 1'],
      ['v', 'x'.repeat(81)],
      ['e', '12a'],
      ['e', '1'.repeat(13)],
      ['e', '-5'],
      ['s', 'short'],
      ['s', `${q.get('s')}=`],
    ] as const) {
      const bad = new URLSearchParams(q);
      bad.set(key, value);
      expect(signer.verify(STREAM, bad, NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(() => signer.sign(STREAM, 'user/1')).toThrow(/not signable/);
    expect(() => signer.sign(STREAM, '')).toThrow(/not signable/);
    expect(() => new MediaSigner('s', 301)).toThrow(RangeError);
    expect(() => new MediaSigner('s', 0)).toThrow(RangeError);
    expect(MediaSigner.anonymousViewer()).toMatch(/^anon:[0-9a-f-]{36}$/);
    expect(signer.verify(STREAM, grant(STREAM, MediaSigner.anonymousViewer()), NOW).ok).toBe(true);
  });
});

describe('parseMediaPath', () => {
  const path = (key: string) => `${MEDIA_PREFIX}${key}`;

  it('accepts the documented shapes, with the scope a grant must cover', () => {
    const cases: [string, string, string][] = [
      [`vod/${JOB}/master.m3u8`, `vod/${JOB}/`, 'm3u8'],
      [`vod/${JOB}/720p/index.m3u8`, `vod/${JOB}/`, 'm3u8'],
      [`vod/${JOB}/720p/s12.m4s`, `vod/${JOB}/`, 'm4s'],
      [`vod/${JOB}/720p/init-lx1.mp4`, `vod/${JOB}/`, 'mp4'],
      [`vod/${JOB}/thumbnails/thumb_00001.jpg`, `vod/${JOB}/`, 'jpg'],
      [`vod/${JOB}/manifest.mpd`, `vod/${JOB}/`, 'mpd'],
      [`live/${STREAM}/${JOB}/master.m3u8`, `live/${STREAM}/${JOB}/`, 'm3u8'],
      [`live/${STREAM}/${JOB}/360p/p3.1.m4s`, `live/${STREAM}/${JOB}/`, 'm4s'],
      [`timelapses/${CAMERA}/2030-01-02.mp4`, `timelapses/${CAMERA}/2030-01-02.mp4`, 'mp4'],
    ];
    for (const [key, scope, extension] of cases) {
      expect(parseMediaPath(path(key))).toEqual({ key, scope, extension });
      expect(mediaScopeOf(key)).toBe(scope);
      expect(MEDIA_CONTENT_TYPES[extension]).toBeDefined();
    }
    expect(mediaUrl('https://play.example/', `vod/${JOB}/master.m3u8`, 'v=u&e=1&s=x')).toBe(
      `https://play.example/media/vod/${JOB}/master.m3u8?v=u&e=1&s=x`,
    );
  });

  it('refuses everything else: other prefixes, traversal, encoded separators, control characters, other files', () => {
    const refused = [
      `/hls/${STREAM}/master.m3u8`,
      `/mediax/vod/${JOB}/master.m3u8`,
      `media/vod/${JOB}/master.m3u8`,
      path(`uploads/${JOB}/source.mp4`),
      path(`snapshots/${CAMERA}/2030-01-02/12-00-00.jpg`),
      path(`vod/${JOB}/../${STREAM}/master.m3u8`),
      path(`vod/${JOB}/720p/..`),
      path(`vod/${JOB}/..m3u8`),
      path(`vod/${JOB}/%2e%2e/x.m3u8`),
      path(`vod/${JOB}%2fmaster.m3u8`),
      path(`vod/${JOB}/720p%2Fs1.m4s`),
      path(`vod/${JOB}/720p\\s1.m4s`),
      path(`vod/${JOB}/master.m3u8\n`),
      path(`vod/${JOB}/master\u0000.m3u8`),
      path(`vod/${JOB}/a/b/c.m4s`),
      path(`vod/${JOB}//master.m3u8`),
      path(`vod/${JOB}/.hidden.m3u8`),
      path(`vod/${JOB}/master.txt`),
      path(`vod/${JOB}/master`),
      path(`vod/${JOB.toUpperCase()}/master.m3u8`),
      path(`vod/not-a-uuid/master.m3u8`),
      path(`live/${STREAM}/master.m3u8`),
      path(`timelapses/${CAMERA}/2030-1-2.mp4`),
      path(`timelapses/${CAMERA}/2030-01-02.m3u8`),
      path(`timelapses/${CAMERA}/x/2030-01-02.mp4`),
      path(`vod/${JOB}/${'a'.repeat(600)}.m4s`),
      // Extensions are looked up as the media types' own keys, not inherited object properties.
      path(`vod/${JOB}/x.constructor`),
      path(`vod/${JOB}/x.__proto__`),
      path(`vod/${JOB}/x.toString`),
      path(`vod/${JOB}/x.hasOwnProperty`),
    ];
    for (const p of refused) expect([p, parseMediaPath(p)]).toEqual([p, null]);
    expect(mediaScopeOf(`uploads/${JOB}/source.mp4`)).toBeNull();
  });

  it('never accepts a hostile path, however it is put together', () => {
    const token = fc.constantFrom(
      'vod',
      'live',
      'timelapses',
      'uploads',
      JOB,
      STREAM,
      '..',
      '.',
      '%2e',
      '%2f',
      '%2F',
      '%5c',
      '\\',
      '\u0000',
      '\n',
      '\r',
      '\t',
      '\u007f',
      ' ',
      '~',
      'a.m3u8',
      'x.m4s',
      'master.m3u8',
      '2030-01-02.mp4',
      '',
      'constructor',
      '__proto__',
    );
    const hostile = fc
      .array(fc.oneof(token, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.join('/'));
    fc.assert(
      fc.property(hostile, (key) => {
        const parsed = parseMediaPath(path(key));
        if (!parsed) return;
        // Whatever got through is one of the documented shapes, made of safe characters only.
        expect(parsed.key).toBe(key);
        expect(key).toMatch(
          /^(vod\/[0-9a-f-]{36}\/|live\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/|timelapses\/[0-9a-f-]{36}\/)[A-Za-z0-9_./-]+$/,
        );
        expect(key).not.toContain('..');
        expect(key).not.toContain('//');
        expect(Object.hasOwn(MEDIA_CONTENT_TYPES, parsed.extension)).toBe(true);
        expect(key.startsWith(parsed.scope)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Any character outside the safe set anywhere in a key of a valid shape is refused.
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 3 }).filter((s) => /[^A-Za-z0-9_.-]/.test(s)),
        fc.nat(20),
        (bad, at) => {
          const name = 'segment_00001.m4s';
          const i = at % name.length;
          expect(parseMediaPath(path(`vod/${JOB}/720p/${name.slice(0, i)}${bad}${name.slice(i)}`))).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  });
});
