import { describe, expect, it } from 'vitest';
import { parseProgressLine, throttle } from '../src/domain/media/progress.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../src/domain/media/m3u8.ts';
import { thumbnailPlan, timelapsePlan } from '../src/domain/media/commands.ts';
import { liveInputArgs, liveProbeArgs } from '../src/domain/media/live-input.ts';
import { dashManifestFromHls } from '../src/domain/media/dash-manifest.ts';
import { toArgs } from '../src/domain/media/run-ffmpeg.ts';
import { backoffDelay, msUntilDaily } from '../src/adapters/queue/job-queue.ts';
import { redactCredentials } from '../src/domain/jobs/job-run.ts';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_aud",NAME="audio_3",DEFAULT=YES,URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=3220800,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2",AUDIO="group_aud"
720p/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=1020800,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="group_aud"
360p/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=140800,CODECS="mp4a.40.2",AUDIO="group_aud"
audio/index.m3u8
`;
const media = (init: string) => `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="${init}"
#EXTINF:2.000000,
seg_00000.m4s
#EXTINF:1.500000,
seg_00001.m4s
#EXT-X-ENDLIST
`;

describe('ffmpeg progress', () => {
  it('parses the status line into fps, speed, processed time and bitrate', () => {
    expect(
      parseProgressLine(
        'frame=  241 fps= 60 q=28.0 size=    1024kB time=00:01:04.52 bitrate= 512.3kbits/s speed=2.01x',
      ),
    ).toEqual({
      frame: 241,
      fps: 60,
      processedMs: 64_520,
      bitrateKbps: 512.3,
      speed: 2.01,
    });
    expect(
      parseProgressLine('frame=   12 fps=0.0 q=-1.0 q=-1.0 size=N/A time=00:00:00.40 bitrate=N/A speed=0.79x'),
    ).toMatchObject({ processedMs: 400, bitrateKbps: null, speed: 0.79 });
    expect(
      parseProgressLine('frame=    0 fps=0.0 q=0.0 size=N/A time=-577014:32:22.77 bitrate=N/A speed=N/A'),
    ).toMatchObject({ processedMs: null, speed: null });
    expect(parseProgressLine("[hls @ 0x55] Opening '720p/seg_00001.m4s' for writing")).toBeNull();
    expect(parseProgressLine('Stream #0:0: Video: h264')).toBeNull();
  });

  it('throttles progress to one event per interval, keeping the latest', async () => {
    const seen: number[] = [];
    const t = throttle<number>(50, (v) => seen.push(v));
    for (let i = 1; i <= 10; i++) t.push(i);
    expect(seen).toEqual([1]);
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toEqual([1, 10]);
    t.push(11);
    t.flush();
    expect(seen).toEqual([1, 10, 11]);
  });
});

describe('playlists and manifests', () => {
  it('reads master and media playlists', () => {
    const master = parseMasterPlaylist(MASTER);
    expect(master.variants.map((v) => [v.uri, v.bandwidth, v.resolution?.height ?? null, v.codecs])).toEqual([
      ['720p/index.m3u8', 3220800, 720, 'avc1.4d401f,mp4a.40.2'],
      ['360p/index.m3u8', 1020800, 360, 'avc1.4d401e,mp4a.40.2'],
      ['audio/index.m3u8', 140800, null, 'mp4a.40.2'],
    ]);
    expect(master.audio).toEqual([{ uri: 'audio/index.m3u8', groupId: 'group_aud', name: 'audio_3' }]);
    expect(parseMediaPlaylist(media('init_0.mp4'))).toEqual({
      targetDuration: 2,
      mediaSequence: 0,
      mapUri: 'init_0.mp4',
      endList: true,
      segments: [
        { uri: 'seg_00000.m4s', duration: 2 },
        { uri: 'seg_00001.m4s', duration: 1.5 },
      ],
    });
    expect(() => parseMediaPlaylist('<html>')).toThrow();
  });

  it('writes a static DASH manifest over the HLS fMP4 segments', () => {
    const mpd = dashManifestFromHls(
      MASTER,
      new Map([
        ['720p/index.m3u8', media('init_0.mp4')],
        ['360p/index.m3u8', media('init_1.mp4')],
        ['audio/index.m3u8', media('init_2.mp4')],
      ]),
    );
    expect(mpd).toContain('type="static"');
    expect(mpd).toContain('mediaPresentationDuration="PT3.500S"');
    expect(mpd).toContain(
      '<Representation id="v0" bandwidth="3080000" width="1280" height="720" codecs="avc1.4d401f">',
    );
    expect(mpd).toContain('<Initialization sourceURL="360p/init_1.mp4"/>');
    expect(mpd).toContain('<S d="2000"/><S d="1500"/>');
    expect(mpd).toContain('contentType="audio"');
    expect(mpd).toContain('<SegmentURL media="audio/seg_00001.m4s"/>');
  });
});

describe('ffmpeg command plans', () => {
  // The ladder's own arguments (pass-through, encoded rungs, fragments) are tested in ladder-plan.test.ts.
  const debian = { rtspTimeoutOption: 'timeout' } as const;
  const npm41 = { rtspTimeoutOption: 'stimeout' } as const;

  it('reads a live camera over TCP with a socket timeout in the option its ffmpeg knows, decoding on one thread', () => {
    expect(liveInputArgs('rtsp://admin:pw@cam.local/1', debian, 3_000)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '3000000',
      '-fflags',
      '+genpts+nobuffer',
      '-threads',
      '1',
    ]);
    // ffmpeg 4.1 (the npm-shipped build) calls the RTSP socket timeout `stimeout` (its `timeout` means listen).
    expect(liveInputArgs('RTSPS://cam.local/1', npm41, 2_500)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-stimeout',
      '2500000',
      '-fflags',
      '+genpts+nobuffer',
      '-threads',
      '1',
    ]);
    expect(liveInputArgs('rtmp://relay.local/live/cam', debian, 3_000)).toEqual([
      '-rw_timeout',
      '3000000',
      '-fflags',
      '+genpts+nobuffer',
      '-threads',
      '1',
    ]);
    // The probe gets the same transport and timeout, without decoder options.
    expect(liveProbeArgs('rtsp://cam.local/1', npm41, 5_000)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-stimeout',
      '5000000',
    ]);
    expect(liveProbeArgs('rtmps://relay.local/live/cam', debian, 5_000)).toEqual(['-rw_timeout', '5000000']);
  });

  it('makes a timelapse from numbered stills: 720p H.264 at 30 fps that starts at once, no audio', () => {
    const plan = timelapsePlan({ kind: 'frames', frameRate: 6 }, 'veryfast', 'timelapse.mp4');
    expect(plan.inputOptions).toEqual(['-framerate 6']);
    expect(plan.outputs).toEqual([
      {
        path: 'timelapse.mp4',
        options: [
          '-vf scale=-2:720:flags=bicubic,fps=30',
          '-c:v libx264',
          '-preset veryfast',
          '-pix_fmt yuv420p',
          '-movflags +faststart',
          '-an',
        ],
      },
    ]);
    expect(toArgs(plan.outputs[0]!.options)).toContain('+faststart');
  });

  it('takes a thumbnail every N seconds of the first video stream', () => {
    const plan = thumbnailPlan(10);
    expect(plan.outputs).toEqual([
      {
        path: 'thumbnails/thumb_%05d.jpg',
        options: ['-map 0:v:0', '-vf fps=1/10,scale=-2:360', '-f image2', '-q:v 4'],
      },
    ]);
    expect(plan.complexFilter).toBeNull();
  });
});

describe('queue timing', () => {
  it('backs off exponentially with a cap', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(1000, a, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });
  it('schedules the daily tick at the next HH:MM in UTC', () => {
    expect(msUntilDaily('00:30', new Date('2026-05-01T00:00:00Z'))).toBe(30 * 60_000);
    expect(msUntilDaily('00:30', new Date('2026-05-01T00:30:00Z'))).toBe(24 * 3_600_000);
    expect(msUntilDaily('23:00', new Date('2026-05-01T23:30:00Z'))).toBe(23.5 * 3_600_000);
  });
});

describe('credentials in camera URLs', () => {
  it('never survive into error messages', () => {
    expect(redactCredentials('input not reachable: rtsp://admin:s3cret@10.0.0.5:554/stream1: Connection refused')).toBe(
      'input not reachable: rtsp://***@10.0.0.5:554/stream1: Connection refused',
    );
    expect(redactCredentials('rtmp://user@host/live and http://a:b@c/d')).toBe(
      'rtmp://***@host/live and http://***@c/d',
    );
    expect(redactCredentials('s3://recordings/cam/1.mp4')).toBe('s3://recordings/cam/1.mp4');
  });
});
