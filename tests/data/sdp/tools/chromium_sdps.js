// Generates real Chromium SDPs (offer with getUserMedia audio+video + data channel, simulcast offer, answer)
// through playwright-core driving Debian's /usr/bin/chromium with fake media devices.
const fs = require('fs');
const { chromium } = require('playwright-core');

async function main() {
  const out = process.argv[2] || 'out';
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection'],
  });
  const page = await browser.newPage();
  // localhost is a secure context (getUserMedia needs one); playwright serves the page itself.
  await page.route('http://localhost/**', (r) => r.fulfill({ contentType: 'text/html', body: '<title>sdp</title>' }));
  await page.goto('http://localhost/');
  const res = await page.evaluate(async () => {
    const gathered = (pc) => new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
      setTimeout(resolve, 8000);
    });
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const a = new RTCPeerConnection({ iceServers: [] });
    for (const t of stream.getTracks()) a.addTrack(t, stream);
    a.createDataChannel('chat');
    await a.setLocalDescription(await a.createOffer());
    await gathered(a);
    const offer = a.localDescription.sdp;

    const b = new RTCPeerConnection({ iceServers: [] });
    await b.setRemoteDescription(a.localDescription);
    const s2 = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    for (const t of s2.getTracks()) b.addTrack(t, s2);
    await b.setLocalDescription(await b.createAnswer());
    await gathered(b);
    const answer = b.localDescription.sdp;

    const c = new RTCPeerConnection({ iceServers: [] });
    c.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream], sendEncodings: [
      { rid: 'h' }, { rid: 'm', scaleResolutionDownBy: 2 }, { rid: 'l', scaleResolutionDownBy: 4 }] });
    await c.setLocalDescription(await c.createOffer());
    await gathered(c);
    const simulcast = c.localDescription.sdp;
    return { offer, answer, simulcast, ua: navigator.userAgent };
  });
  fs.writeFileSync(`${out}/chromium_offer.sdp`, res.offer);
  fs.writeFileSync(`${out}/chromium_answer.sdp`, res.answer);
  fs.writeFileSync(`${out}/chromium_simulcast_offer.sdp`, res.simulcast);
  console.log(res.ua);
  await browser.close();
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
