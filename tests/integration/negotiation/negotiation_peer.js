// Interop test for rtp/negotiation: Google's libwebrtc (npm @roamhq/wrtc) must accept the answers our
// process_offer writes to its offers (setRemoteDescription resolves, transceivers take the mirrored directions,
// tracks we send arrive in a real MediaStream), and our process_answer must accept libwebrtc's answers to our
// generate_offer. SDP goes through negotiation_cli on stdin/stdout.
// Usage: node negotiation_peer.js <negotiation_cli>. Exit code 0 only if every case passed.
'use strict';
const { execFileSync } = require('child_process');
const path = require('path');
const npmDir = process.env.MEDLEY_NPM_DIR || path.join(__dirname, '..', 'npm', 'node_modules');
const wrtc = require(path.join(npmDir, '@roamhq', 'wrtc'));

const cli = process.argv[2];
if (!cli) {
  console.error('usage: node negotiation_peer.js <negotiation_cli>');
  process.exit(2);
}

function run(args, input) {
  return execFileSync(cli, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// libwebrtc offers, we answer.
async function libwebrtcOffers(name, setup, expect) {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const tracks = [];
  const received = [];
  pc.ontrack = (e) => received.push({ kind: e.track.kind, streams: e.streams.length, id: e.streams[0] && e.streams[0].id });
  try {
    setup(pc, tracks);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = run(['answer', '7'], pc.localDescription.sdp);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    check(pc.signalingState === 'stable', 'signaling state ' + pc.signalingState);
    const dirs = pc.getTransceivers().map((t) => t.currentDirection);
    check(JSON.stringify(dirs) === JSON.stringify(expect.directions),
          'currentDirection ' + JSON.stringify(dirs) + ', expected ' + JSON.stringify(expect.directions));
    check(received.length === expect.tracksIn, 'received ' + received.length + ' tracks, expected ' + expect.tracksIn);
    for (const r of received) check(r.streams === 1 && r.id && r.id !== '-', 'track without a stream: ' + JSON.stringify(r));
    if (expect.data) check(/m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel/.test(answer), 'data section not accepted');
    console.log(`PASS libwebrtc offers, we answer: ${name} (${dirs.join(',')}, ${received.length} tracks in)`);
    return true;
  } catch (e) {
    console.log(`FAIL libwebrtc offers, we answer: ${name}: ${e.message}`);
    return false;
  } finally {
    for (const t of tracks) t.stop();
    pc.close();
  }
}

// We offer, libwebrtc answers.
async function weOffer(name, kinds, addTracks, expect) {
  const pc = new wrtc.RTCPeerConnection({ iceServers: [] });
  const tracks = [];
  try {
    const offer = run(['offer', '11', kinds]);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    if (addTracks) {
      for (const t of pc.getTransceivers()) {
        const kind = t.receiver.track.kind;
        const track = kind === 'audio' ? new wrtc.nonstandard.RTCAudioSource().createTrack()
                                       : new wrtc.nonstandard.RTCVideoSource().createTrack();
        tracks.push(track);
        await t.sender.replaceTrack(track);
        t.direction = t.direction === 'recvonly' ? 'sendrecv' : 'sendonly';
      }
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const summary = run(['process-answer', '11', kinds], pc.localDescription.sdp);
    for (const re of expect) check(re.test(summary), 'summary lacks ' + re + ':\n' + summary);
    console.log(`PASS we offer, libwebrtc answers: ${name}\n  ${summary.trim().split('\n').join('\n  ')}`);
    return true;
  } catch (e) {
    console.log(`FAIL we offer, libwebrtc answers: ${name}: ${e.message}${e.stderr ? ' ' + e.stderr : ''}`);
    return false;
  } finally {
    for (const t of tracks) t.stop();
    pc.close();
  }
}

(async () => {
  const results = [];
  results.push(await libwebrtcOffers('audio+video+data, sendrecv', (pc, tracks) => {
    const a = new wrtc.nonstandard.RTCAudioSource().createTrack();
    const v = new wrtc.nonstandard.RTCVideoSource().createTrack();
    tracks.push(a, v);
    const stream = new wrtc.MediaStream([a, v]);
    pc.addTrack(a, stream);
    pc.addTrack(v, stream);
    pc.createDataChannel('medley');
  }, { directions: ['sendrecv', 'sendrecv'], tracksIn: 2, data: true }));
  results.push(await libwebrtcOffers('recvonly audio+video (a viewer)', (pc) => {
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
  }, { directions: ['recvonly', 'recvonly'], tracksIn: 2 }));
  results.push(await libwebrtcOffers('sendonly video (a presenter)', (pc, tracks) => {
    const v = new wrtc.nonstandard.RTCVideoSource().createTrack();
    tracks.push(v);
    pc.addTransceiver(v, { direction: 'sendonly', streams: [new wrtc.MediaStream([v])] });
  }, { directions: ['sendonly'], tracksIn: 0 }));
  results.push(await libwebrtcOffers('data only', (pc) => {
    pc.createDataChannel('only-data');
  }, { directions: [], tracksIn: 0, data: true }));

  results.push(await weOffer('audio+video+data, libwebrtc sends back', 'avd', true, [
    /dtls_role server/, /section 0 mid 0 audio accepted direction sendrecv opus\/\d+/,
    /section 1 mid 1 video accepted direction sendrecv VP8\/\d+\+rtx\/\d+/, /section 2 mid 2 application accepted .*sctp 5000/]));
  results.push(await weOffer('audio+video+data, libwebrtc only receives', 'avd', false, [
    /section 0 mid 0 audio accepted direction sendonly/, /section 1 mid 1 video accepted direction sendonly/]));
  results.push(await weOffer('recvonly video, libwebrtc sends', 'r', true, [
    /section 0 mid 0 video accepted direction recvonly/]));

  const failed = results.filter((r) => !r).length;
  console.log(`${results.length - failed}/${results.length} cases passed`);
  process.exit(failed ? 1 : 0);
})();
