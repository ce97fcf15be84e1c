import { describe, expect, it } from 'vitest';
import { parseProgressLine, throttle } from '../src/media/progress.ts';
import { parseMasterPlaylist, parseMediaPlaylist } from '../src/media/m3u8.ts';
import { ladderPlan, liveInputOptions } from '../src/media/commands.ts';
import { dashManifestFromHls } from '../src/media/dash-manifest.ts';
import { profiles } from '../src/media/profiles.ts';
import { toArgs } from '../src/media/run-ffmpeg.ts';
import { backoffDelay, msUntilDaily } from '../src/queue/job-queue.ts';
import { redactCredentials } from '../src/jobs/job-run.ts';

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
    expect(parseProgressLine('frame=  241 fps= 60 q=28.0 size=    1024kB time=00:01:04.52 bitrate= 512.3kbits/s speed=2.01x')).toEqual({
      frame: 241, fps: 60, processedMs: 64_520, bitrateKbps: 512.3, speed: 2.01,
    });
    expect(parseProgressLine('frame=   12 fps=0.0 q=-1.0 q=-1.0 size=N/A time=00:00:00.40 bitrate=N/A speed=0.79x')).toMatchObject({ processedMs: 400, bitrateKbps: null, speed: 0.79 });
    expect(parseProgressLine('frame=    0 fps=0.0 q=0.0 size=N/A time=-577014:32:22.77 bitrate=N/A speed=N/A')).toMatchObject({ processedMs: null, speed: null });
    expect(parseProgressLine('[hls @ 0x55] Opening \'720p/seg_00001.m4s\' for writing')).toBeNull();
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
      targetDuration: 2, mediaSequence: 0, mapUri: 'init_0.mp4', endList: true,
      segments: [{ uri: 'seg_00000.m4s', duration: 2 }, { uri: 'seg_00001.m4s', duration: 1.5 }],
    });
    expect(() => parseMediaPlaylist('<html>')).toThrow();
  });

  it('writes a static DASH manifest over the HLS fMP4 segments', () => {
    const mpd = dashManifestFromHls(MASTER, new Map([['720p/index.m3u8', media('init_0.mp4')], ['360p/index.m3u8', media('init_1.mp4')], ['audio/index.m3u8', media('init_2.mp4')]]));
    expect(mpd).toContain('type="static"');
    expect(mpd).toContain('mediaPresentationDuration="PT3.500S"');
    expect(mpd).toContain('<Representation id="v0" bandwidth="3080000" width="1280" height="720" codecs="avc1.4d401f">');
    expect(mpd).toContain('<Initialization sourceURL="360p/init_1.mp4"/>');
    expect(mpd).toContain('<S d="2000"/><S d="1500"/>');
    expect(mpd).toContain('contentType="audio"');
    expect(mpd).toContain('<SegmentURL media="audio/seg_00001.m4s"/>');
  });
});

describe('ffmpeg command plans', () => {
  it('aligns keyframes to segments: GOP = fps × segment seconds, forced keyframes, no scene cuts', () => {
    const plan = ladderPlan({ profile: profiles['hls-720-480-360']!, segmentSeconds: 2, preset: 'veryfast', hasAudio: true, thumbnailEverySeconds: 10 });
    const args = toArgs(plan.outputs[0]!.options);
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(value('-g')).toBe('60');
    expect(value('-keyint_min')).toBe('60');
    expect(value('-sc_threshold')).toBe('0');
    expect(value('-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    expect(value('-hls_segment_type')).toBe('fmp4');
    expect(value('-hls_time')).toBe('2');
    expect(value('-var_stream_map')).toBe('v:0,agroup:aud,name:720p v:1,agroup:aud,name:480p v:2,agroup:aud,name:360p a:0,agroup:aud,name:audio');
    expect(plan.complexFilter).toBe('[0:v]fps=30,split=4[s0][s1][s2][s3];[s0]scale=-2:720[v0];[s1]scale=-2:480[v1];[s2]scale=-2:360[v2];[s3]fps=1/10,scale=-2:180[thumb]');
    expect(plan.outputs[1]?.path).toBe('thumbnails/thumb_%05d.jpg');
  });

  it('keeps a sliding window with continuing numbers for live, and no audio group without audio', () => {
    const plan = ladderPlan({ profile: profiles['hls-360-240']!, segmentSeconds: 2, preset: 'ultrafast', hasAudio: false, liveWindowSegments: 6, inputOptions: liveInputOptions('rtsp://cam/1') });
    const args = toArgs(plan.outputs[0]!.options);
    expect(args[args.indexOf('-hls_list_size') + 1]).toBe('6');
    expect(args[args.indexOf('-hls_start_number_source') + 1]).toBe('datetime');
    expect(args[args.indexOf('-var_stream_map') + 1]).toBe('v:0,name:360p v:1,name:240p');
    expect(args).not.toContain('-c:a');
    expect(plan.inputOptions).toContain('-rtsp_transport tcp');
    expect(liveInputOptions('rtmp://cam/live')).toContain('-rw_timeout 5000000');
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
    expect(redactCredentials('input not reachable: rtsp://admin:s3cret@10.0.0.5:554/stream1: Connection refused')).toBe('input not reachable: rtsp://***@10.0.0.5:554/stream1: Connection refused');
    expect(redactCredentials('rtmp://user@host/live and http://a:b@c/d')).toBe('rtmp://***@host/live and http://***@c/d');
    expect(redactCredentials('s3://recordings/cam/1.mp4')).toBe('s3://recordings/cam/1.mp4');
  });
});
