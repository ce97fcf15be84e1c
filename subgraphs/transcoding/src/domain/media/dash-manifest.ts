import { parseMasterPlaylist, parseMediaPlaylist, type MediaPlaylist } from './m3u8.ts';

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const iso = (seconds: number): string => `PT${seconds.toFixed(3)}S`;
const dirOf = (uri: string): string => (uri.includes('/') ? uri.slice(0, uri.lastIndexOf('/') + 1) : '');

function segmentList(dir: string, playlist: MediaPlaylist): string {
  const timeline = playlist.segments.map((s) => `<S d="${Math.round(s.duration * 1000)}"/>`).join('');
  const urls = playlist.segments.map((s) => `<SegmentURL media="${xml(dir + s.uri)}"/>`).join('');
  const init = playlist.mapUri ? `<Initialization sourceURL="${xml(dir + playlist.mapUri)}"/>` : '';
  return `<SegmentList timescale="1000">${init}<SegmentTimeline>${timeline}</SegmentTimeline>${urls}</SegmentList>`;
}

/**
 * A static (VOD) DASH manifest over the very fMP4/CMAF segments the HLS ladder wrote: one video adaptation set
 * with a representation per rendition, one audio adaptation set. `mediaPlaylists` maps each master URI to its text.
 */
export function dashManifestFromHls(masterText: string, mediaPlaylists: ReadonlyMap<string, string>): string {
  const master = parseMasterPlaylist(masterText);
  const media = (uri: string): MediaPlaylist => {
    const text = mediaPlaylists.get(uri);
    if (!text) throw new Error(`media playlist ${uri} missing`);
    return parseMediaPlaylist(text);
  };
  const videos = master.variants.filter((v) => v.resolution);
  const audio = master.audio[0];
  const audioVariant = audio ? master.variants.find((v) => v.uri === audio.uri) : undefined;
  let duration = 0;
  const videoReps = videos.map((v, i) => {
    const playlist = media(v.uri);
    duration = Math.max(
      duration,
      playlist.segments.reduce((t, s) => t + s.duration, 0),
    );
    const codec = (v.codecs ?? 'avc1.4d401f').split(',').find((c) => c.startsWith('avc1')) ?? 'avc1.4d401f';
    const videoBandwidth = Math.max(1, v.bandwidth - (audioVariant?.bandwidth ?? 0));
    return `<Representation id="v${i}" bandwidth="${videoBandwidth}" width="${v.resolution?.width ?? 0}" height="${v.resolution?.height ?? 0}" codecs="${xml(codec)}">${segmentList(dirOf(v.uri), playlist)}</Representation>`;
  });
  const sets = [
    `<AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">${videoReps.join('')}</AdaptationSet>`,
  ];
  if (audio) {
    const playlist = media(audio.uri);
    const codec = (audioVariant?.codecs ?? 'mp4a.40.2').split(',').find((c) => c.startsWith('mp4a')) ?? 'mp4a.40.2';
    sets.push(
      `<AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="und"><Representation id="a0" bandwidth="${audioVariant?.bandwidth ?? 128000}" codecs="${xml(codec)}" audioSamplingRate="48000"><AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>${segmentList(dirOf(audio.uri), playlist)}</Representation></AdaptationSet>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011,urn:mpeg:dash:profile:cmaf:2019" type="static" mediaPresentationDuration="${iso(duration)}" minBufferTime="PT2S">`,
    `<Period id="0" start="PT0S">${sets.join('')}</Period>`,
    '</MPD>',
    '',
  ].join('\n');
}
