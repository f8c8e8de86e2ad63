// Generates real libwebrtc SDPs (offer, answer, simulcast offer) with @roamhq/wrtc after ICE gathering completes.
const fs = require('fs');
const { RTCPeerConnection, nonstandard } = require('@roamhq/wrtc');

function gathered(pc) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
    setTimeout(resolve, 8000);
  });
}

async function main() {
  const out = process.argv[2] || 'out';
  // Offer: audio + video transceivers (with real tracks) and a data channel.
  const a = new RTCPeerConnection({ iceServers: [] });
  const b = new RTCPeerConnection({ iceServers: [] });
  const audioSrc = new nonstandard.RTCAudioSource();
  const videoSrc = new nonstandard.RTCVideoSource();
  const at = audioSrc.createTrack();
  const vt = videoSrc.createTrack();
  const { MediaStream } = require('@roamhq/wrtc');
  const stream = new MediaStream([at, vt]);
  a.addTrack(at, stream);
  a.addTrack(vt, stream);
  a.createDataChannel('chat');
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await gathered(a);
  fs.writeFileSync(`${out}/libwebrtc_offer.sdp`, a.localDescription.sdp);

  await b.setRemoteDescription(a.localDescription);
  const bAudio = new nonstandard.RTCAudioSource().createTrack();
  const bVideo = new nonstandard.RTCVideoSource().createTrack();
  const tr = b.getTransceivers();
  await tr[0].sender.replaceTrack(bAudio); tr[0].direction = 'sendrecv';
  await tr[1].sender.replaceTrack(bVideo); tr[1].direction = 'sendrecv';
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await gathered(b);
  fs.writeFileSync(`${out}/libwebrtc_answer.sdp`, b.localDescription.sdp);

  // Simulcast offer.
  const c = new RTCPeerConnection({ iceServers: [] });
  c.addTransceiver('video', { direction: 'sendonly', sendEncodings: [{ rid: 'h' }, { rid: 'm', scaleResolutionDownBy: 2 }, { rid: 'l', scaleResolutionDownBy: 4 }] });
  const so = await c.createOffer();
  await c.setLocalDescription(so);
  await gathered(c);
  fs.writeFileSync(`${out}/libwebrtc_simulcast_offer.sdp`, c.localDescription.sdp);

  for (const pc of [a, b, c]) pc.close();
  at.stop(); vt.stop(); bAudio.stop(); bVideo.stop();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
