// WebRtcEndpoint through Kurento's official client (npm kurento-client 7.3.0) with libwebrtc peers (@roamhq/wrtc):
// loopback (frames and audio come back, events and stats), a data-channel echo, one presenter to N viewers, a
// PassThrough chain, and the server-offers path (generateOffer/processAnswer). Usage: node webrtc.js <medley> [N]
'use strict';
const assert = require('assert');
const { log, waitFor, Peer, trickle, negotiate: negotiateShared, runScenarios } = require('./peer_util');

const medleyBinary = process.argv[2];
const viewerCount = Number(process.argv[3] || 10);

const EVENTS = ['IceComponentStateChanged', 'NewCandidatePairSelected', 'MediaFlowInStateChanged',
  'MediaFlowOutStateChanged', 'ConnectionStateChanged', 'MediaStateChanged', 'IceGatheringDone',
  'DataChannelOpened', 'Error'];

function record(endpoint, events) {
  for (const name of EVENTS) endpoint.on(name, (e) => events.push({ name, ...e }));
}

async function negotiate(peer, endpoint, state) {
  const answer = await negotiateShared(peer, endpoint, state);
  assert.match(answer, /a=setup:active/, 'Kurento answers as DTLS client');
}

async function loopback(client) {
  const pipeline = await client.create('MediaPipeline');
  const ep = await pipeline.create('WebRtcEndpoint');
  const events = [];
  const state = {};
  record(ep, events);
  await ep.connect(ep);
  const peer = new Peer('loopback');
  try {
    await negotiate(peer, ep, state);
    await waitFor('loopback frames and audio', () => peer.framesIn >= 60 && peer.audioIn >= 100, 30000);
    await waitFor('the tone comes back', () => peer.audioPeak > 1000, 5000);
    await waitFor('flow events', () => events.some((e) => e.name === 'MediaFlowOutStateChanged' && e.state === 'FLOWING'));
    const names = new Set(events.map((e) => e.name));
    for (const n of ['IceComponentStateChanged', 'NewCandidatePairSelected', 'MediaFlowInStateChanged',
      'ConnectionStateChanged', 'IceGatheringDone']) assert.ok(names.has(n), 'event ' + n);
    assert.ok(events.some((e) => e.name === 'IceComponentStateChanged' && e.state === 'READY'), 'ICE READY');
    assert.ok(events.some((e) => e.name === 'MediaFlowInStateChanged' && e.state === 'FLOWING' && e.mediaType === 'VIDEO'));
    assert.ok(events.some((e) => e.name === 'ConnectionStateChanged' && e.newState === 'CONNECTED'));
    assert.strictEqual(await ep.isMediaFlowingIn('VIDEO'), true);
    assert.strictEqual(await ep.isMediaFlowingOut('AUDIO'), true);
    assert.strictEqual(await ep.getConnectionState(), 'CONNECTED');
    assert.strictEqual(await ep.isMediaTranscoding('VIDEO'), false, 'VP8 to VP8: forwarded, not transcoded');
    const stats = await ep.getStats('VIDEO');
    assert.ok(stats['inbound-video'].packetsReceived > 50, 'inbound video packets in getStats');
    assert.ok(stats['outbound-video'].packetsSent > 50, 'outbound video packets in getStats');
    const pairs = await ep.getICECandidatePairs();
    assert.ok(pairs.length === 1 && /127\.0\.0\.1/.test(pairs[0].localCandidate), 'selected pair');
    const local = await ep.getLocalSessionDescriptor();
    assert.match(local, /^v=0/);
    // maxVideoRecvBandwidth reaches the publisher as REMB: libwebrtc's available send rate drops to the cap.
    await ep.setMaxVideoRecvBandwidth(150);
    assert.strictEqual(await ep.getMaxVideoRecvBandwidth(), 150);
    let available = Infinity;
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const report = await peer.pc.getStats();
      report.forEach((r) => {
        if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate) available = r.availableOutgoingBitrate;
      });
      if (available <= 160000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(available <= 160000, 'available outgoing bitrate under the 150 kbps cap, got ' + available);
    state.capped = available;
    log(`loopback: ${peer.framesIn} frames (${peer.lastFrameSize}), ${peer.audioIn} audio chunks back; ` +
        `${state.serverCandidates} server candidates; ${stats['inbound-video'].packetsReceived} video packets in; ` +
        `send rate capped to ${state.capped} bit/s by maxVideoRecvBandwidth 150`);
  } finally {
    peer.close();
    await pipeline.release();
  }
}

async function dataChannelEcho(client) {
  const pipeline = await client.create('MediaPipeline');
  const ep = await pipeline.create('WebRtcEndpoint', { useDataChannels: true });
  const events = [];
  const state = {};
  record(ep, events);
  await ep.connect(ep);
  const peer = new Peer('data', { dataChannel: 'chat' });
  try {
    const opened = new Promise((r) => { peer.dc.onopen = r; });
    await negotiate(peer, ep, state);
    await opened;
    peer.dc.send('hello medley');
    peer.dc.send('second message');
    await waitFor('echoes', () => peer.messages.includes('hello medley') && peer.messages.includes('second message'));
    await waitFor('DataChannelOpened', () => events.some((e) => e.name === 'DataChannelOpened'));
    // A channel the server opens (Kurento's createDataChannel) reaches the peer.
    await ep.createDataChannel('from-server');
    await waitFor('server channel at the peer', () => (peer.remoteChannels || []).some((c) => c.label === 'from-server'));
    log(`data channel: echoed ${JSON.stringify(peer.messages)}; server-created channel opened at the peer`);
  } finally {
    peer.close();
    await pipeline.release();
  }
}

async function oneToMany(client, n) {
  const pipeline = await client.create('MediaPipeline');
  const presenterEp = await pipeline.create('WebRtcEndpoint');
  const presenter = new Peer('presenter');
  const viewers = [];
  try {
    await negotiate(presenter, presenterEp, {});
    for (let i = 0; i < n; i++) {
      const ep = await pipeline.create('WebRtcEndpoint');
      await presenterEp.connect(ep);
      const peer = new Peer('viewer' + i, { video: false, audio: false });
      await negotiate(peer, ep, {});
      viewers.push({ ep, peer });
    }
    await waitFor(`${n} viewers decoding`, () => viewers.every((v) => v.peer.framesIn >= 30 && v.peer.audioIn >= 50), 60000);
    log(`one-to-many: ${n} viewers, frames ${viewers.map((v) => v.peer.framesIn).join(',')}`);
  } finally {
    presenter.close();
    for (const v of viewers) v.peer.close();
    await pipeline.release();
  }
}

async function passThroughChain(client) {
  const pipeline = await client.create('MediaPipeline');
  const presenterEp = await pipeline.create('WebRtcEndpoint');
  const pt1 = await pipeline.create('PassThrough');
  const pt2 = await pipeline.create('PassThrough');
  const viewerEp = await pipeline.create('WebRtcEndpoint');
  await presenterEp.connect(pt1);
  await pt1.connect(pt2);
  await pt2.connect(viewerEp);
  const presenter = new Peer('presenter');
  const viewer = new Peer('viewer', { video: false, audio: false });
  try {
    await negotiate(presenter, presenterEp, {});
    await negotiate(viewer, viewerEp, {});
    await waitFor('frames through two PassThroughs', () => viewer.framesIn >= 30 && viewer.audioIn >= 50, 30000);
    log(`PassThrough chain: ${viewer.framesIn} frames at the viewer`);
  } finally {
    presenter.close();
    viewer.close();
    await pipeline.release();
  }
}

// The server offers (generateOffer), the browser answers (processAnswer); the server is ICE-controlling and
// DTLS actpass, so the peer chooses its DTLS role.
async function serverOffers(client) {
  const pipeline = await client.create('MediaPipeline');
  const presenterEp = await pipeline.create('WebRtcEndpoint');
  const viewerEp = await pipeline.create('WebRtcEndpoint', { recvonly: false });
  await presenterEp.connect(viewerEp);
  const presenter = new Peer('presenter');
  const { wrtc } = require('./peer_util');
  const viewerPc = new Peer('viewer-answerer', { video: false, audio: false, noTransceivers: true });
  try {
    await negotiate(presenter, presenterEp, {});
    const state = {};
    const offer = await viewerEp.generateOffer();
    assert.match(offer, /a=setup:actpass/);
    const answer = await viewerPc.answerFor(offer);
    await viewerEp.processAnswer(answer);
    await trickle(viewerPc, viewerEp, state);
    await viewerEp.gatherCandidates();
    await waitFor('frames to the answering viewer', () => viewerPc.framesIn >= 30, 30000);
    log(`generateOffer/processAnswer: ${viewerPc.framesIn} frames at the answering viewer`);
    void wrtc;
  } finally {
    presenter.close();
    viewerPc.close();
    await pipeline.release();
  }
}

// An Opus publisher and a viewer whose offer allows only PCMU (as a G.711-only device): medley transcodes the
// audio (decode Opus, 48 → 8 kHz, encode G.711) and the viewer hears it.
async function pcmuViewer(client) {
  const pipeline = await client.create('MediaPipeline');
  const presenterEp = await pipeline.create('WebRtcEndpoint');
  const viewerEp = await pipeline.create('WebRtcEndpoint');
  await presenterEp.connect(viewerEp);
  const presenter = new Peer('presenter');
  const viewer = new Peer('pcmu-viewer', { video: false, audio: false });
  try {
    await negotiate(presenter, presenterEp, {});
    const offer = await viewer.offer();
    const pcmuOnly = offer.replace(/^(m=audio \d+ [A-Z/]+) .*$/m, '$1 0');
    const answer = await viewerEp.processOffer(pcmuOnly);
    assert.match(answer, /^m=audio \d+ [A-Z/]+ 0\r?$/m, 'the answer keeps PCMU only');
    await viewer.pc.setRemoteDescription({ type: 'answer', sdp: answer });
    await trickle(viewer, viewerEp, {});
    await viewerEp.gatherCandidates();
    let audio = null;
    const codecs = {};
    const deadline = Date.now() + 15000;
    while (Date.now() < deadline) {
      const report = await viewer.pc.getStats();
      report.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') audio = r;
        if (r.type === 'codec') codecs[r.id] = r.mimeType;
      });
      if (audio && audio.packetsReceived >= 50 && viewer.framesIn >= 30 && viewer.audioPeak > 1000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(audio && audio.packetsReceived >= 50, 'PCMU packets received: ' + JSON.stringify(audio));
    assert.match(codecs[audio.codecId] || '', /PCMU/i);
    assert.ok(viewer.audioPeak > 1000, 'the 440 Hz tone is heard (peak ' + viewer.audioPeak + ')');
    assert.strictEqual(await viewerEp.isMediaTranscoding('AUDIO'), true);
    assert.strictEqual(await viewerEp.isMediaTranscoding('VIDEO'), false);
    log(`Opus → PCMU-only viewer: ${audio.packetsReceived} PCMU packets, peak ${viewer.audioPeak}, ` +
        `${viewer.framesIn} video frames (VP8 forwarded)`);
  } finally {
    presenter.close();
    viewer.close();
    await pipeline.release();
  }
}

runScenarios(medleyBinary, [
  ['loopback', loopback],
  ['data channel echo', dataChannelEcho],
  ['PassThrough chain', passThroughChain],
  ['generateOffer/processAnswer', serverOffers],
  ['Opus to a PCMU-only viewer', pcmuViewer],
  [`one presenter to ${viewerCount} viewers`, (client) => oneToMany(client, viewerCount)],
]).catch((e) => { console.error(e); process.exit(1); });
