// Transcoding with real peers (issue 6): a VP8 publisher (libwebrtc via @roamhq/wrtc, which has no H.264) into a
// WebRtcEndpoint, and a viewer in Debian's Chromium whose offer allows only H.264 (setCodecPreferences). Medley
// must transcode VP8 → H.264 for that viewer: the browser decodes H.264 frames, the viewer endpoint says
// TRANSCODING (event and isMediaTranscoding). Usage: node chromium_transcode.js <medley>
'use strict';
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { kurento, startMedley, log, waitFor, Peer, trickle } = require('../kurento_client/peer_util');
const { chromium } = require(path.join(__dirname, '..', 'npm', 'node_modules', 'playwright-core'));

const medleyBinary = process.argv[2];
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Runs in the page: a receive-only H.264 viewer of an existing WebRtcEndpoint, over raw Kurento JSON-RPC.
async function viewerInPage({ wsUrl, endpoint }) {
  const ws = new WebSocket(wsUrl);
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  let nextId = 1;
  let sessionId;
  const pending = new Map();
  const pc = new RTCPeerConnection({});
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.method === 'onEvent') {
      const v = msg.params.value;
      if (v.type === 'IceCandidateFound') pc.addIceCandidate(v.data.candidate).catch(() => {});
      return;
    }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else { if (msg.result && msg.result.sessionId) sessionId = msg.result.sessionId; p.resolve(msg.result && msg.result.value); }
  };
  const call = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params: sessionId ? { ...params, sessionId } : params }));
  });
  await call('ping', { interval: 10000 });
  await call('subscribe', { object: endpoint, type: 'IceCandidateFound' });
  const t = pc.addTransceiver('video', { direction: 'recvonly' });
  const caps = RTCRtpReceiver.getCapabilities('video').codecs;
  t.setCodecPreferences(caps.filter((c) => /video\/h264/i.test(c.mimeType)).concat(caps.filter((c) => /rtx/i.test(c.mimeType))));
  const video = document.createElement('video');
  video.autoplay = true; video.muted = true; document.body.appendChild(video);
  pc.ontrack = (e) => { video.srcObject = new MediaStream([e.track]); };
  pc.onicecandidate = (e) => {
    if (e.candidate && e.candidate.candidate) {
      call('invoke', { object: endpoint, operation: 'addIceCandidate', operationParams: { candidate: {
        candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex } } });
    }
  };
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const answer = await call('invoke', { object: endpoint, operation: 'processOffer', operationParams: { offer: offer.sdp } });
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await call('invoke', { object: endpoint, operation: 'gatherCandidates', operationParams: {} });
  window.viewerStats = async () => {
    const report = await pc.getStats();
    let frames = 0, codec = '', width = 0;
    const codecs = {};
    report.forEach((r) => { if (r.type === 'codec') codecs[r.id] = r.mimeType; });
    report.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        frames = r.framesDecoded || 0; width = r.frameWidth || 0; codec = codecs[r.codecId] || '';
      }
    });
    return { frames, codec, width, state: pc.connectionState };
  };
  return true;
}

async function main() {
  const { child, url } = await startMedley(medleyBinary);
  const client = await kurento(url, { failAfter: 2 });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medley-chromium-'));
  let browser;
  let ok = false;
  const publisher = new Peer('vp8-publisher');
  try {
    const pipeline = await client.create('MediaPipeline');
    const presenterEp = await pipeline.create('WebRtcEndpoint');
    const viewerEp = await pipeline.create('WebRtcEndpoint');
    const events = [];
    viewerEp.on('MediaTranscodingStateChanged', (e) => events.push(e));
    await presenterEp.connect(viewerEp);
    const offer = await publisher.offer();
    const answer = await presenterEp.processOffer(offer);
    await publisher.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await trickle(publisher, presenterEp, {});
    await presenterEp.gatherCandidates();
    await waitFor('publisher connected', () => publisher.pc.connectionState === 'connected', 20000);

    browser = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--allow-loopback-in-peer-connection'],
    });
    const page = await browser.newPage();
    await page.goto(url.replace(/^ws:/, 'http:').replace(/\/kurento$/, '/'));
    await page.evaluate(viewerInPage, { wsUrl: url, endpoint: viewerEp.id });
    let stats = {};
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      stats = await page.evaluate(() => window.viewerStats());
      if (stats.frames >= 30) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(stats.frames >= 30, 'frames decoded by the H.264-only viewer: ' + JSON.stringify(stats));
    assert.match(stats.codec, /h264/i, 'the viewer decodes H.264');
    await waitFor('TRANSCODING event', () => events.some((e) => e.state === 'TRANSCODING' && e.mediaType === 'VIDEO'), 5000);
    assert.strictEqual(await viewerEp.isMediaTranscoding('VIDEO'), true);
    assert.strictEqual(await presenterEp.isMediaTranscoding('VIDEO'), false);
    log(`VP8 publisher → H.264-only Chromium viewer: ${stats.frames} frames decoded (${stats.codec}, ${stats.width} px ` +
        `wide); viewer endpoint TRANSCODING`);
    ok = true;
    await pipeline.release();
  } catch (e) {
    log('FAIL: ' + (e && e.stack ? e.stack : e));
    console.log('---- medley log tail ----\n' + child.logTail());
  } finally {
    publisher.close();
    if (browser) await browser.close().catch(() => {});
    fs.rmSync(userDir, { recursive: true, force: true });
    client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
