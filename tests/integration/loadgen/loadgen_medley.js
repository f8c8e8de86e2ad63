// medley_loadgen against medley: one publisher to 4 subscribers, then 3 echo sessions (a WebRtcEndpoint
// connected to itself), all on our own ICE/DTLS/SRTP clients. Checks that media went through (packets forwarded,
// no loss, latency read from the payloads), that the server's CPU and memory were sampled from /proc, and that
// both SRTP profiles the comparison uses are negotiated.
// Usage: node loadgen_medley.js <medley binary> <medley_loadgen binary>
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { startMedley } = require('../kurento_client/peer_util.js');

const [medley, loadgen] = process.argv.slice(2);
const log = (...a) => console.log('[loadgen]', ...a);

function runLoadgen(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(loadgen, args, { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; process.stderr.write(d); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('loadgen timed out')); }, 120000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`loadgen exited with ${code}: ${err}`));
      else resolve();
    });
  });
}

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

async function scenario(url, pid, name, extra, expect) {
  const out = path.join(os.tmpdir(), `loadgen-${process.pid}-${name}.json`);
  await runLoadgen(['--server', 'medley', '--url', url, '--ip', '127.0.0.1', '--server-pid', String(pid),
                    '--duration', '3', '--warmup', '1', '--video-kbps', '600', '--json', out, ...extra]);
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.unlinkSync(out);
  log(name, JSON.stringify({ fwd: r.packets_forwarded, loss: r.loss_pct, cpu: r.server_cpu_s, lat: r.latency_us,
                             rss: r.rss_per_session_bytes, setup: r.setup, profile: r.srtp_profile }));
  check(r.errors.length === 0, `${name}: no errors (${r.errors})`);
  check(r.srtp_profile === expect.profile, `${name}: SRTP ${expect.profile} (got ${r.srtp_profile})`);
  // 600 kbit/s in ~1100-byte packets is ~70 video + 50 audio packets per second per receiver.
  const floor = 0.7 * expect.receivers * 120 * r.duration_s;
  check(r.packets_forwarded >= floor, `${name}: ${r.packets_forwarded} packets forwarded >= ${floor.toFixed(0)}`);
  check(r.loss_pct < 1, `${name}: loss ${r.loss_pct} % < 1 %`);
  check(r.latency_us.samples > 0.5 * r.packets_forwarded, `${name}: latency read from most payloads`);
  check(r.latency_us.p50 > 0 && r.latency_us.p50 < 50000, `${name}: latency p50 ${r.latency_us.p50} us plausible`);
  check(r.trailer_missing === 0 && r.srtp_errors === 0, `${name}: every decrypted payload carried its send time`);
  check(r.server_cpu_s > 0 && r.forwarded_per_cpu_s > 0, `${name}: server CPU sampled`);
  check(r.rss_bytes > r.rss_base_bytes && r.rss_base_bytes > 0, `${name}: server RSS sampled`);
  check(r.setup.count === expect.receivers && r.setup.failed === 0, `${name}: every set-up connected`);
}

(async () => {
  const { child, url } = await startMedley(medley);
  let failed = 0;
  const cases = [
    ['fanout', ['--scenario', 'fanout', '--subscribers', '4'], { receivers: 4, profile: 'SRTP_AES128_CM_SHA1_80' }],
    ['fanout-gcm', ['--scenario', 'fanout', '--subscribers', '2', '--srtp', 'gcm'],
     { receivers: 2, profile: 'SRTP_AEAD_AES_128_GCM' }],
    ['echo', ['--scenario', 'echo', '--sessions', '3'], { receivers: 3, profile: 'SRTP_AES128_CM_SHA1_80' }],
  ];
  for (const [name, args, expect] of cases) {
    try {
      await scenario(url, child.pid, name, args, expect);
      log(`PASS ${name}`);
    } catch (e) {
      failed++;
      log(`FAIL ${name}: ${e.stack || e}`);
    }
  }
  const alive = child.exitCode === null;
  child.kill('SIGTERM');
  if (!alive) {
    log('medley died:\n' + child.logTail());
    failed++;
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
