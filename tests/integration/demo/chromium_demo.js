// The README's first experience, checked with a real browser: Debian's Chromium (driven by npm playwright-core,
// fake camera and microphone) opens medley's demo page, which loops the camera back through a WebRtcEndpoint;
// the test waits for frames decoded from the server in the page's remote <video>. Usage: node chromium_demo.js
// <medley> [codec]  (codec: VP8 (default), H264 or VP9, forced in the page with setCodecPreferences).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startMedley, log } = require('../kurento_client/peer_util');
const { chromium } = require(path.join(__dirname, '..', 'npm', 'node_modules', 'playwright-core'));

const medleyBinary = process.argv[2];
const codec = (process.argv[3] || 'VP8').toUpperCase();
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

async function main() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: scripts/install-deps.sh installs Debian's chromium`);
  const { child, url } = await startMedley(medleyBinary);
  const pageUrl = url.replace(/^ws:/, 'http:').replace(/\/kurento$/, '/') + '?autostart';
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medley-chromium-'));
  let browser;
  let ok = false;
  try {
    // A fresh profile directory per run (playwright's persistent context takes it as userDataDir).
    browser = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection'],
    });
    const page = await browser.newPage();
    const pageLog = [];
    page.on('console', (m) => pageLog.push(m.text()));
    if (codec !== 'VP8') {
      // Prefer one codec in the browser's offer (as an application would for Safari-style H.264).
      await page.addInitScript((wanted) => {
        const orig = RTCPeerConnection.prototype.addTrack;
        RTCPeerConnection.prototype.addTrack = function (track, ...streams) {
          const sender = orig.call(this, track, ...streams);
          if (track.kind === 'video') {
            const t = this.getTransceivers().find((x) => x.sender === sender);
            const caps = RTCRtpReceiver.getCapabilities('video').codecs;
            t.setCodecPreferences(caps.filter((c) => c.mimeType.toUpperCase() === 'VIDEO/' + wanted)
              .concat(caps.filter((c) => /rtx/i.test(c.mimeType))));
          }
          return sender;
        };
      }, codec);
    }
    await page.goto(pageUrl);
    const deadline = Date.now() + 30000;
    let status = {};
    while (Date.now() < deadline) {
      status = await page.evaluate(() => {
        const v = document.getElementById('remote');
        const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : { totalVideoFrames: 0 };
        return { frames: q.totalVideoFrames, width: v.videoWidth, height: v.videoHeight,
          state: document.getElementById('state').textContent, log: document.getElementById('log').innerText };
      });
      if (status.frames >= 30 && status.width > 0) { ok = true; break; }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (ok) {
      log(`Chromium demo page (${codec}): ${status.frames} frames decoded from medley, ${status.width}x${status.height}, ` +
          `state ${status.state}`);
    } else {
      log(`FAIL: no frames back: ${JSON.stringify({ frames: status.frames, w: status.width, state: status.state })}`);
      console.log('---- page log ----\n' + status.log + '\n' + pageLog.join('\n'));
      console.log('---- medley log tail ----\n' + child.logTail());
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    fs.rmSync(userDir, { recursive: true, force: true });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
