// Two libwebrtc peers in one process, a synthetic video and audio track, a few seconds of media over loopback.
const wrtc = require('@roamhq/wrtc');
const { RTCPeerConnection, nonstandard } = wrtc;
const { RTCVideoSource, RTCAudioSource } = nonstandard;
const fs = require('fs');

const secs = Number(process.argv[2] || 4);
(async () => {
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate).catch(() => {});
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate).catch(() => {});
  const vsrc = new RTCVideoSource();
  const asrc = new RTCAudioSource();
  const vtrack = vsrc.createTrack();
  const atrack = asrc.createTrack();
  a.addTrack(vtrack);
  a.addTrack(atrack);
  b.ontrack = () => {};
  const offer = await a.createOffer();
  // Keep plain VP8 (drop RED/ULPFEC and their RTX) so video packets carry VP8 payloads directly.
  offer.sdp = offer.sdp.replace(/^(m=video \S+ \S+) (.*)$/m, (l, h, pts) => h + ' ' + pts.split(' ').filter((p) => !['125', '124', '127'].includes(p)).join(' '))
    .split('\r\n').filter((l) => !/^a=(rtpmap|fmtp|rtcp-fb):(125|124|127)[ :]/.test(l)).join('\r\n');
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(a.localDescription);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(b.localDescription);
  fs.writeFileSync('offer.sdp', a.localDescription.sdp);
  fs.writeFileSync('answer.sdp', b.localDescription.sdp);

  const w = Number(process.argv[3] || 640), h = Number(process.argv[4] || 480);
  let n = 0;
  const vt = setInterval(() => {
    const data = new Uint8ClampedArray(w * h * 3 / 2);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = ((x ^ y) + n * 4 + ((x * 7919 + y * 104729 + n * 31) % 17) * 9) & 0xff;
    data.fill(128 + ((n * 3) & 63), w * h);
    vsrc.onFrame({ width: w, height: h, data });
    n++;
  }, 33);
  let t = 0;
  const at = setInterval(() => {
    const samples = new Int16Array(480);
    for (let i = 0; i < 480; i++, t++) samples[i] = Math.round(8000 * Math.sin(2 * Math.PI * 440 * t / 48000));
    asrc.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
  }, 10);
  setTimeout(() => {
    clearInterval(vt); clearInterval(at);
    console.log('state', a.connectionState, b.connectionState, 'frames', n);
    vtrack.stop(); atrack.stop(); a.close(); b.close();
    setTimeout(() => process.exit(0), 200);
  }, secs * 1000);
})().catch((e) => { console.error(e); process.exit(1); });
