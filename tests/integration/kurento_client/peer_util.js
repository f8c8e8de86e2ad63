// Shared pieces of the kurento-client integration tests: start medley on loopback, a libwebrtc peer
// (@roamhq/wrtc) that sends synthetic video and audio and counts what it decodes, and promise helpers.
'use strict';
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');
const modules = path.join(__dirname, '..', 'npm', 'node_modules');
const kurento = require(path.join(modules, 'kurento-client'));
const wrtc = require(path.join(modules, '@roamhq/wrtc'));

function log(...a) { console.log(new Date().toISOString().slice(11, 23), ...a); }

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// Starts medley on 127.0.0.1 (WebSocket and media), resolves with { child, url } once it listens.
async function startMedley(binary, extraArgs = []) {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--address', '127.0.0.1', '--network-interfaces', '127.0.0.1',
                               ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('medley did not start listening')), 20000);
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      if (process.env.MEDLEY_TEST_VERBOSE) process.stderr.write(d);
      if (/listening on ws:\/\//i.test(buf)) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { onData(d); });
    child.on('exit', (code) => reject(new Error('medley exited with ' + code)));
  });
  child.stderr.removeAllListeners('data');
  child.stdout.removeAllListeners('data');
  const tail = [];
  const keep = (d) => { tail.push(d.toString()); if (tail.length > 200) tail.shift(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.logTail = () => tail.join('');
  return { child, url: `ws://127.0.0.1:${port}/kurento` };
}

// A promise around kurento-client's callback form (server errors arrive as the callback's error).
const cb = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

function waitFor(what, predicate, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const t = setInterval(() => {
      let ok = false;
      try { ok = predicate(); } catch (e) { ok = false; }
      if (ok) { clearInterval(t); resolve(); }
      else if (Date.now() - started > timeoutMs) { clearInterval(t); reject(new Error('timeout waiting for ' + what)); }
    }, 50);
  });
}

// A libwebrtc peer. send: {video, audio} to publish synthetic media; it counts decoded frames and audio chunks
// on whatever tracks arrive. Candidates other than loopback are not given to the server (tests stay on lo).
class Peer {
  constructor(name, { video = true, audio = true, dataChannel = null, noTransceivers = false } = {}) {
    this.name = name;
    this.pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    this.framesIn = 0;
    this.audioIn = 0;
    this.lastFrameSize = null;
    this.timers = [];
    this.sinks = [];
    this.candidates = [];
    this.gatheringDone = false;
    this.messages = [];
    this.pc.onicecandidate = (e) => {
      if (e.candidate) {
        if (/ 127\.0\.0\.1 /.test(e.candidate.candidate)) this.candidates.push(e.candidate);
      } else {
        this.gatheringDone = true;
      }
      if (this.onCandidate && e.candidate && / 127\.0\.0\.1 /.test(e.candidate.candidate)) this.onCandidate(e.candidate);
    };
    this.pc.ontrack = (e) => {
      if (e.track.kind === 'video') {
        const sink = new wrtc.nonstandard.RTCVideoSink(e.track);
        sink.onframe = ({ frame }) => { this.framesIn++; this.lastFrameSize = `${frame.width}x${frame.height}`; };
        this.sinks.push(sink);
      } else {
        const sink = new wrtc.nonstandard.RTCAudioSink(e.track);
        this.audioPeak = 0;
        sink.ondata = (d) => {
          this.audioIn++;
          // Decoded audio, not the silence a receiver plays when no packet comes: track the loudest sample.
          const samples = d.samples || [];
          for (let i = 0; i < samples.length; i += 8) this.audioPeak = Math.max(this.audioPeak, Math.abs(samples[i]));
        };
        this.sinks.push(sink);
      }
    };
    if (video) {
      const source = new wrtc.nonstandard.RTCVideoSource();
      this.pc.addTrack(source.createTrack());
      const width = 320, height = 240;
      const frame = { width, height, data: new Uint8ClampedArray(width * height * 1.5) };
      let n = 0;
      this.timers.push(setInterval(() => {
        // A moving gradient: the encoder keeps producing real frames.
        const t = n++;
        for (let y = 0; y < height; y += 4) frame.data.fill((y + t * 3) & 0xff, y * width, (y + 4) * width);
        source.onFrame(frame);
      }, 33));
    } else if (!noTransceivers) {
      this.pc.addTransceiver('video', { direction: 'recvonly' });
    }
    if (audio) {
      const source = new wrtc.nonstandard.RTCAudioSource();
      this.pc.addTrack(source.createTrack());
      const samples = new Int16Array(480);
      let phase = 0;
      this.timers.push(setInterval(() => {
        for (let i = 0; i < 480; i++) samples[i] = Math.round(8000 * Math.sin((phase++ * 2 * Math.PI * 440) / 48000));
        source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
      }, 10));
    } else if (!noTransceivers) {
      this.pc.addTransceiver('audio', { direction: 'recvonly' });
    }
    if (dataChannel) {
      this.dc = this.pc.createDataChannel(dataChannel);
      this.dc.onmessage = (e) => this.messages.push(typeof e.data === 'string' ? e.data : Buffer.from(e.data).toString());
    }
    this.pc.ondatachannel = (e) => {
      this.remoteChannels = (this.remoteChannels || []).concat([e.channel]);
    };
  }

  async offer() {
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return offer.sdp;
  }

  async answerFor(sdp) {
    await this.pc.setRemoteDescription({ type: 'offer', sdp });
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    return answer.sdp;
  }

  close() {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sinks) { try { s.stop(); } catch (e) {} }
    try { this.pc.close(); } catch (e) {}
  }
}

// Wires trickle ICE both ways between a Peer and a WebRtcEndpoint (subscribe before gatherCandidates).
async function trickle(peer, endpoint, state) {
  endpoint.on('IceCandidateFound', (ev) => {
    state.serverCandidates = (state.serverCandidates || 0) + 1;
    peer.pc.addIceCandidate(new wrtc.RTCIceCandidate(ev.candidate)).catch((e) => { state.addError = String(e); });
  });
  const send = (c) => endpoint.addIceCandidate(kurento.getComplexType('IceCandidate')({
    candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }));
  for (const c of peer.candidates) await send(c);
  peer.onCandidate = (c) => { send(c).catch((e) => { state.addError = String(e); }); };
}

// Peer offers, endpoint answers (Kurento's hello-world order: processOffer, trickle both ways, gatherCandidates).
async function negotiate(peer, endpoint, state = {}) {
  const offer = await peer.offer();
  const answer = await endpoint.processOffer(offer);
  await peer.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await trickle(peer, endpoint, state);
  await endpoint.gatherCandidates();
  return answer;
}

// Starts medley, runs each [name, async (client) => ...] scenario (MEDLEY_SCENARIO=<part of a name> picks some),
// logs PASS/FAIL, stops medley and exits non-zero on any failure or if medley died.
async function runScenarios(binary, scenarios, { cleanup } = {}) {
  const { child, url } = await startMedley(binary);
  const client = await kurento(url, { failAfter: 2 });
  let failed = 0;
  const only = process.env.MEDLEY_SCENARIO;
  for (const [name, run] of scenarios) {
    if (only && !name.includes(only)) continue;
    const t0 = Date.now();
    try {
      await run(client);
      log(`PASS ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  client.close();
  const alive = child.exitCode === null;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  if (failed || !alive) {
    console.log('---- medley log tail ----\n' + child.logTail());
    if (!alive) console.log('medley died during the tests');
  }
  if (cleanup) cleanup();
  process.exit(failed || !alive ? 1 : 0);
}

module.exports = { kurento, wrtc, log, startMedley, cb, waitFor, Peer, trickle, negotiate, runScenarios };
