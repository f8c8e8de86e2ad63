// RecorderEndpoint through kurento-client with a libwebrtc publisher (@roamhq/wrtc, VP8 + Opus): every profile the
// peer's codecs allow, checked with ffprobe (codecs, duration, frame count); a bad URI and an unwritable path; and a
// recording whose server is killed with SIGKILL still plays up to about a second before the kill.
// Usage: node recorder.js <medley>
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { kurento, log, startMedley, waitFor, Peer, negotiate, runScenarios } = require('./peer_util');

const medleyBinary = process.argv[2];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medley-rec-'));
const RECORD_MS = 4000;

function probe(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file]);
  return JSON.parse(out.toString());
}

async function publish(pipeline) {
  const ep = await pipeline.create('WebRtcEndpoint');
  const peer = new Peer('publisher');
  await negotiate(peer, ep);
  return { ep, peer };
}

async function recordProfile(client, profile, ext, expect) {
  const pipeline = await client.create('MediaPipeline');
  const file = path.join(dir, `rec-${profile}.${ext}`);
  const { ep, peer } = await publish(pipeline);
  try {
    const rec = await pipeline.create('RecorderEndpoint', { uri: 'file://' + file, mediaProfile: profile });
    const events = [];
    for (const e of ['Recording', 'Stopped', 'Error', 'UriEndpointStateChanged']) rec.on(e, (ev) => events.push({ name: e, ...ev }));
    await ep.connect(rec);
    await waitFor('media flowing into the endpoint', () => peer.pc.connectionState === 'connected', 20000);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await rec.record();
    await new Promise((r) => setTimeout(r, RECORD_MS));
    await rec.stopAndWait();
    const wall = (Date.now() - t0) / 1000;
    await waitFor('Recording and Stopped events', () => events.some((e) => e.name === 'Recording') && events.some((e) => e.name === 'Stopped'));
    assert.ok(!events.some((e) => e.name === 'Error'), 'no Error event: ' + JSON.stringify(events));
    const info = probe(file);
    const codecs = info.streams.map((s) => s.codec_name).sort();
    assert.deepStrictEqual(codecs, expect.slice().sort(), `${profile}: codecs`);
    const duration = Number(info.format.duration);
    // Media starts at the first keyframe after record(): allow 0.5 s of that, and 5 % either way.
    assert.ok(duration > (wall - 0.5) * 0.95 && duration < wall * 1.05, `${profile}: duration ${duration} s for ${wall} s recorded`);
    const video = info.streams.find((s) => s.codec_type === 'video');
    if (video) {
      const frames = Number(video.nb_read_frames);
      assert.ok(frames >= duration * 30 * 0.6, `${profile}: ${frames} video frames in ${duration} s`);
    }
    log(`${profile}: ${codecs.join('+')} ${duration.toFixed(2)} s (recorded ${wall.toFixed(2)} s)` +
        (video ? `, ${video.nb_read_frames} video frames ${video.width}x${video.height}` : ''));
  } finally {
    peer.close();
    await pipeline.release();
  }
}

async function badUris(client) {
  const pipeline = await client.create('MediaPipeline');
  try {
    await assert.rejects(pipeline.create('RecorderEndpoint', { uri: 'http://example.com/x.webm' }), (e) => e.code === 40107);
    const rec = await pipeline.create('RecorderEndpoint', { uri: 'file:///nonexistent-dir-medley/x.webm' });
    const errors = [];
    rec.on('Error', (e) => errors.push(e));
    await rec.record();
    await waitFor('Error event for an unwritable path', () => errors.length > 0, 5000);
    assert.match(errors[0].description, /nonexistent-dir-medley/);
    log(`bad URI refused (40107); unwritable path: Error event "${errors[0].description}"`);
  } finally {
    await pipeline.release();
  }
}

async function killedMidRecording() {
  const { child, url } = await startMedley(medleyBinary);
  const client = await kurento(url, { failAfter: 2 });
  const pipeline = await client.create('MediaPipeline');
  const file = path.join(dir, 'killed.webm');
  const { ep, peer } = await publish(pipeline);
  try {
    const rec = await pipeline.create('RecorderEndpoint', { uri: 'file://' + file, mediaProfile: 'WEBM' });
    await ep.connect(rec);
    await waitFor('connected', () => peer.pc.connectionState === 'connected', 20000);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await rec.record();
    await new Promise((r) => setTimeout(r, RECORD_MS));
    child.kill('SIGKILL');
    const wall = (Date.now() - t0) / 1000;
    await new Promise((r) => child.once('exit', r));
    const info = probe(file);
    const video = info.streams.find((s) => s.codec_type === 'video');
    assert.ok(video, 'the killed recording has its video stream');
    // No Duration was written (never finalized): measure the last frame's time.
    const last = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=pts_time',
      '-of', 'csv=p=0', file]).toString().trim().split('\n').map(Number).filter((x) => !Number.isNaN(x));
    const lastTime = Math.max(...last);
    assert.ok(lastTime >= wall - 1.0, `media up to ${lastTime} s of ${wall} s before SIGKILL`);
    log(`SIGKILL after ${wall.toFixed(2)} s: the file plays ${last.length} frames up to ${lastTime.toFixed(2)} s`);
  } finally {
    peer.close();
    client.close();
  }
}

runScenarios(medleyBinary, [
  ['WEBM', (c) => recordProfile(c, 'WEBM', 'webm', ['vp8', 'opus'])],
  ['MKV', (c) => recordProfile(c, 'MKV', 'mkv', ['vp8', 'opus'])],
  ['WEBM_VIDEO_ONLY', (c) => recordProfile(c, 'WEBM_VIDEO_ONLY', 'webm', ['vp8'])],
  ['WEBM_AUDIO_ONLY', (c) => recordProfile(c, 'WEBM_AUDIO_ONLY', 'webm', ['opus'])],
  ['MP4_AUDIO_ONLY', (c) => recordProfile(c, 'MP4_AUDIO_ONLY', 'mp4', ['opus'])],
  // The VP8 source is stored as H.264 through the transcoding branch (issue 6).
  ['MP4', (c) => recordProfile(c, 'MP4', 'mp4', ['h264', 'opus'])],
  ['MP4_VIDEO_ONLY', (c) => recordProfile(c, 'MP4_VIDEO_ONLY', 'mp4', ['h264'])],
  ['bad URIs', badUris],
  ['SIGKILL mid-recording', () => killedMidRecording()],
], { cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }).catch((e) => { console.error(e); process.exit(1); });
