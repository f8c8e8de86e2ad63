// PlayerEndpoint through kurento-client: ffmpeg-made files (WebM VP8+Opus, MP4 VP9+Opus) played into a WebRtcEndpoint
// whose libwebrtc peer (@roamhq/wrtc) decodes the frames; EndOfStream arrives; getVideoInfo; a missing file gives an
// Error event on play(). Usage: node player.js <medley>
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { log, waitFor, Peer, negotiate, runScenarios } = require('./peer_util');

const medleyBinary = process.argv[2];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medley-play-'));
const SECONDS = 3;

function makeFile(name, videoArgs) {
  const file = path.join(dir, name);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-f', 'lavfi', '-i',
    'sine=frequency=440:sample_rate=48000', '-t', String(SECONDS), ...videoArgs, '-g', '30', '-b:v', '500k',
    '-c:a', 'libopus', '-ar', '48000', '-y', file]);
  return file;
}

async function playInto(client, file, label) {
  const pipeline = await client.create('MediaPipeline');
  try {
    const player = await pipeline.create('PlayerEndpoint', { uri: 'file://' + file });
    const ep = await pipeline.create('WebRtcEndpoint');
    await player.connect(ep);
    const viewer = new Peer('viewer', { video: false, audio: false });
    try {
      await negotiate(viewer, ep);
      await waitFor('viewer connected', () => viewer.pc.connectionState === 'connected', 20000);
      const info = await player.getVideoInfo();
      assert.ok(Math.abs(info.duration - SECONDS * 1000) < 200, `${label}: duration ${info.duration} ms`);
      let eos = false;
      player.on('EndOfStream', () => { eos = true; });
      const t0 = Date.now();
      await player.play();
      await waitFor('EndOfStream', () => eos, 15000);
      const took = (Date.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(took > SECONDS * 0.9 && took < SECONDS * 1.5, `${label}: played in real time (${took} s)`);
      assert.ok(viewer.framesIn >= SECONDS * 30 * 0.6, `${label}: ${viewer.framesIn} frames decoded`);
      assert.ok(viewer.audioIn > 50, `${label}: ${viewer.audioIn} audio chunks`);
      log(`${label}: ${viewer.framesIn} frames (${viewer.lastFrameSize}) and ${viewer.audioIn} audio chunks decoded; ` +
          `EndOfStream after ${took.toFixed(2)} s; seekable ${info.isSeekable}`);
    } finally {
      viewer.close();
    }
  } finally {
    await pipeline.release();
  }
}

async function missingFile(client) {
  const pipeline = await client.create('MediaPipeline');
  try {
    const player = await pipeline.create('PlayerEndpoint', { uri: 'file:///nonexistent-medley/none.webm' });
    const errors = [];
    player.on('Error', (e) => errors.push(e));
    await player.play();
    await waitFor('Error event', () => errors.length > 0, 5000);
    log(`missing file: Error event "${errors[0].description}"`);
  } finally {
    await pipeline.release();
  }
}

const webm = makeFile('in.webm', ['-c:v', 'libvpx', '-deadline', 'realtime']);
const mp4 = makeFile('in.mp4', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-row-mt', '1']);
runScenarios(medleyBinary, [
  ['WebM VP8+Opus', (c) => playInto(c, webm, 'WebM VP8+Opus')],
  ['MP4 VP9+Opus', (c) => playInto(c, mp4, 'MP4 VP9+Opus')],
  ['missing file', missingFile],
], { cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) }).catch((e) => { console.error(e); process.exit(1); });
