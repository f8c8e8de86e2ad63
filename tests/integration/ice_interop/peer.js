// Interop test driver: Google's libwebrtc (npm @roamhq/wrtc) against a program built from Medley's ice/ and rtp/
// modules. Spawns that program, exchanges SDP and trickled candidates with it over JSON lines on its
// stdin/stdout, sends VP8 video and a data channel, and checks what the program reports:
//   - ICE and DTLS complete (both sides report connected),
//   - the program decrypted at least MIN_PACKETS of our SRTP video packets,
//   - a data-channel message goes each way and comes back (echo), including one of 100 KiB.
// Usage: node peer.js <program> [rounds]. Exit code 0 only if every round passed.
'use strict';
const { spawn } = require('child_process');
const readline = require('readline');
const path = require('path');
const wrtc = require(path.join(__dirname, '..', 'npm', 'node_modules', '@roamhq', 'wrtc'));

const MIN_PACKETS = 60;
const ROUND_TIMEOUT_MS = 20000;

function log(...a) { console.log(new Date().toISOString().slice(11, 23), ...a); }

function oneRound(program, round) {
  return new Promise((resolve) => {
    const child = spawn(program, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
    const source = new wrtc.nonstandard.RTCVideoSource();
    const track = source.createTrack();
    pc.addTrack(track);
    const dc = pc.createDataChannel('medley-test', { protocol: 'echo' });
    let done = false;
    let frameTimer = null;
    const state = { connected: false, echoed: false, bigEchoed: false, serverMsgEchoed: false, packets: 0 };

    function finish(ok, why) {
      if (done) return;
      done = true;
      clearInterval(frameTimer);
      clearTimeout(timeout);
      try { track.stop(); } catch (e) {}
      try { pc.close(); } catch (e) {}
      try { child.stdin.end(JSON.stringify({ type: 'bye' }) + '\n'); } catch (e) {}
      setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) {} }, 2000);
      log(`round ${round}: ${ok ? 'PASS' : 'FAIL'} ${why}`);
      resolve(ok);
    }
    const timeout = setTimeout(() => finish(false, 'timeout: ' + JSON.stringify(state)), ROUND_TIMEOUT_MS);
    const send = (msg) => { if (!done) child.stdin.write(JSON.stringify(msg) + '\n'); };

    // 320x240 I420 frames at 30 fps; the content changes so the encoder keeps sending.
    const width = 320, height = 240;
    const frame = { width, height, data: new Uint8ClampedArray(width * height * 1.5) };
    let n = 0;
    frameTimer = setInterval(() => {
      frame.data.fill((n++ * 7) & 0xff, 0, width * height);
      source.onFrame(frame);
    }, 33);

    pc.onicecandidate = (e) => {
      if (e.candidate) send({ type: 'candidate', candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid });
      else send({ type: 'end-of-candidates' });
    };
    const big = 'x'.repeat(100 * 1024);
    dc.onopen = () => {
      dc.send('hello from libwebrtc');
      dc.send(big);
    };
    dc.onmessage = (e) => {
      const text = typeof e.data === 'string' ? e.data : Buffer.from(e.data).toString();
      if (text === 'echo: hello from libwebrtc') state.echoed = true;
      else if (text === 'echo: ' + big) state.bigEchoed = true;
      else if (text.startsWith('from medley:')) dc.send('echo: ' + text);
      check();
    };
    function check() {
      if (state.connected && state.echoed && state.bigEchoed && state.serverMsgEchoed && state.packets >= MIN_PACKETS) {
        finish(true, JSON.stringify(state));
      }
    }

    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', async (line) => {
      let msg;
      try { msg = JSON.parse(line); } catch (e) { log('program:', line); return; }
      if (msg.type === 'answer') {
        await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      } else if (msg.type === 'candidate') {
        await pc.addIceCandidate({ candidate: msg.candidate, sdpMid: msg.sdpMid || '0', sdpMLineIndex: 0 });
      } else if (msg.type === 'connected') {
        state.connected = true;
      } else if (msg.type === 'stats') {
        state.packets = msg.srtp_video_packets;
        state.serverMsgEchoed = !!msg.echo_received;
      } else if (msg.type === 'error') {
        finish(false, 'program error: ' + msg.reason);
        return;
      }
      check();
    });
    child.on('exit', (code) => { if (!done) finish(false, `program exited with ${code}`); });

    (async () => {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      send({ type: 'offer', sdp: pc.localDescription.sdp });
    })().catch((e) => finish(false, 'offer failed: ' + e));
  });
}

(async () => {
  const program = process.argv[2];
  const rounds = Number(process.argv[3] || 1);
  let passed = 0;
  for (let r = 1; r <= rounds; r++) if (await oneRound(program, r)) passed++;
  log(`${passed}/${rounds} rounds passed`);
  process.exit(passed === rounds ? 0 : 1);
})();
