// The demo page's HTML and JavaScript, kept as one raw string so the binary serves it with no files around.
#include "server/demo/demo_page.hpp"

#include <string>

namespace medley::server::demo {
namespace {

// The page derives the WebSocket URL from its own location (same host and port, the configured path in place of
// @WS_PATH@); `?ws=` overrides it and `?autostart` starts the loopback without a click (browser tests).
constexpr std::string_view kPage = R"MEDLEY(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Medley: WebRTC loopback</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
  h1 { font-size: 1.4em; margin: 0 0 .3em; }
  p.lead { margin: 0 0 1em; color: #555; }
  .videos { display: flex; gap: 1em; flex-wrap: wrap; }
  figure { margin: 0; }
  figcaption { font-size: .9em; color: #555; margin-bottom: .3em; }
  video { width: 480px; max-width: 90vw; aspect-ratio: 4 / 3; background: #000; border-radius: 4px; }
  .controls { margin: 1em 0; display: flex; gap: .5em; align-items: center; }
  button { font-size: 1em; padding: .4em 1.2em; }
  #state { font-weight: 600; }
  pre#log { background: #fff; border: 1px solid #ddd; padding: .6em; height: 16em; overflow: auto; font-size: .8em; }
  .err { color: #b00020; }
</style>
</head>
<body>
<h1>Medley &mdash; WebRTC loopback</h1>
<p class="lead">Your camera goes to the media server and comes back: MediaPipeline &rarr; WebRtcEndpoint connected to
itself, spoken in Kurento JSON-RPC over <code id="wsurl"></code>.</p>
<div class="controls">
  <button id="start">Start</button>
  <button id="stop" disabled>Stop</button>
  <span>State: <span id="state">idle</span></span>
</div>
<div class="videos">
  <figure><figcaption>Local (camera)</figcaption><video id="local" autoplay playsinline muted></video></figure>
  <figure><figcaption>Remote (back from Medley)</figcaption><video id="remote" autoplay playsinline></video></figure>
</div>
<pre id="log"></pre>
<script>
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const wsUrl = params.get('ws') ||
      (location.protocol === 'https:' ? 'wss://' : 'ws://') + (location.host || 'localhost:8888') + '@WS_PATH@';
  $('wsurl').textContent = wsUrl;

  function log(text, isError) {
    const line = document.createElement('div');
    line.textContent = new Date().toISOString().substr(11, 12) + '  ' + text;
    if (isError) line.className = 'err';
    $('log').appendChild(line);
    $('log').scrollTop = $('log').scrollHeight;
  }
  function setState(s) { $('state').textContent = s; }

  // ---- Kurento JSON-RPC 2.0 over one WebSocket: one message per text frame.
  class KurentoRpc {
    constructor(url) {
      this.url = url;
      this.nextId = 1;
      this.pending = new Map();
      this.sessionId = null;
      this.onEvent = () => {};
    }
    open() {
      return new Promise((resolve, reject) => {
        this.ws = new WebSocket(this.url);
        this.ws.onopen = () => resolve();
        this.ws.onerror = () => reject(new Error('cannot connect to ' + this.url));
        this.ws.onclose = () => {
          for (const { reject } of this.pending.values()) reject(new Error('connection closed'));
          this.pending.clear();
          log('WebSocket closed');
        };
        this.ws.onmessage = (e) => this.handle(e.data);
      });
    }
    handle(data) {
      let msg;
      try { msg = JSON.parse(data); } catch (err) { log('bad JSON from server: ' + data, true); return; }
      if (msg.method === 'onEvent') {
        const value = msg.params && msg.params.value;
        if (value) this.onEvent(value.type, value.data || {}, value.object);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) {
        const e = msg.error;
        p.reject(new Error(p.method + ': ' + (e.message || 'error') + ' (code ' + e.code + ')'));
        return;
      }
      if (msg.result && msg.result.sessionId) this.sessionId = msg.result.sessionId;
      p.resolve(msg.result || {});
    }
    call(method, params) {
      const id = this.nextId++;
      params = Object.assign({}, params || {});
      if (this.sessionId) params.sessionId = this.sessionId;
      const msg = { jsonrpc: '2.0', id: id, method: method, params: params };
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, method });
        this.ws.send(JSON.stringify(msg));
      });
    }
    create(type, constructorParams) {
      return this.call('create', { type: type, constructorParams: constructorParams || {}, properties: {} })
          .then((r) => r.value);
    }
    invoke(object, operation, operationParams) {
      const p = { object: object, operation: operation };
      if (operationParams) p.operationParams = operationParams;
      return this.call('invoke', p).then((r) => r.value);
    }
    subscribe(object, type) { return this.call('subscribe', { object: object, type: type }).then((r) => r.value); }
    release(object) { return this.call('release', { object: object }); }
    close() { if (this.ws) this.ws.close(); }
  }

  let rpc = null, pc = null, pipeline = null, endpoint = null, localStream = null;
  let remoteReady = false;
  const remoteCandidates = [];

  function toKurentoCandidate(c) {
    return { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex,
             __module__: 'kurento', __type__: 'IceCandidate' };
  }

  function addRemoteCandidate(c) {
    const init = { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex };
    if (!remoteReady) { remoteCandidates.push(init); return; }
    pc.addIceCandidate(init).catch((e) => log('addIceCandidate (browser): ' + e.message, true));
  }

  function onEvent(type, data) {
    switch (type) {
      case 'IceCandidateFound':
        log('server candidate: ' + data.candidate.candidate);
        addRemoteCandidate(data.candidate);
        break;
      case 'IceGatheringDone': log('server finished gathering candidates'); break;
      case 'IceComponentStateChanged': log('server ICE component ' + data.componentId + ': ' + data.state); break;
      case 'NewCandidatePairSelected': log('server selected a candidate pair'); break;
      case 'MediaFlowInStateChanged':
      case 'MediaFlowOutStateChanged': log(type + ': ' + data.mediaType + ' ' + data.state); break;
      case 'Error': log('server error: ' + data.description, true); break;
      default: log('event ' + type);
    }
  }

  async function subscribeOptional(object, type) {
    try { await rpc.subscribe(object, type); } catch (e) { log('subscribe ' + type + ': ' + e.message); }
  }

  async function start() {
    $('start').disabled = true;
    $('stop').disabled = false;
    try {
      setState('camera');
      localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      $('local').srcObject = localStream;

      setState('connecting');
      rpc = new KurentoRpc(wsUrl);
      rpc.onEvent = onEvent;
      await rpc.open();
      log('connected to ' + wsUrl);
      await rpc.call('ping', { interval: 10000 });

      pipeline = await rpc.create('MediaPipeline');
      log('MediaPipeline ' + pipeline);
      endpoint = await rpc.create('WebRtcEndpoint', { mediaPipeline: pipeline });
      log('WebRtcEndpoint ' + endpoint);
      await rpc.subscribe(endpoint, 'IceCandidateFound');
      for (const t of ['IceGatheringDone', 'IceComponentStateChanged', 'MediaFlowInStateChanged', 'Error']) {
        await subscribeOptional(endpoint, t);
      }
      await rpc.invoke(endpoint, 'connect', { sink: endpoint });  // loopback: the endpoint is its own sink

      pc = new RTCPeerConnection({});
      pc.onicecandidate = (e) => {
        if (!e.candidate || !e.candidate.candidate) return;
        rpc.invoke(endpoint, 'addIceCandidate', { candidate: toKurentoCandidate(e.candidate) })
            .catch((err) => log('addIceCandidate: ' + err.message, true));
      };
      pc.ontrack = (e) => {
        const stream = (e.streams && e.streams[0]) || new MediaStream([e.track]);
        if ($('remote').srcObject !== stream) $('remote').srcObject = stream;
        log('remote ' + e.track.kind + ' track');
      };
      pc.onconnectionstatechange = () => {
        setState(pc.connectionState);
        log('browser connection: ' + pc.connectionState);
      };
      for (const track of localStream.getTracks()) pc.addTrack(track, localStream);

      setState('negotiating');
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const answer = await rpc.invoke(endpoint, 'processOffer', { offer: offer.sdp });
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      remoteReady = true;
      for (const c of remoteCandidates.splice(0)) addRemoteCandidate(c);
      log('SDP answer applied');
      await rpc.invoke(endpoint, 'gatherCandidates');
    } catch (e) {
      log(e.message, true);
      setState('failed');
    }
  }

  async function stop() {
    $('stop').disabled = true;
    try { if (rpc && pipeline) await rpc.release(pipeline); } catch (e) { log('release: ' + e.message, true); }
    if (pc) pc.close();
    if (localStream) localStream.getTracks().forEach((t) => t.stop());
    if (rpc) rpc.close();
    $('local').srcObject = null;
    $('remote').srcObject = null;
    rpc = pc = pipeline = endpoint = localStream = null;
    remoteReady = false;
    remoteCandidates.length = 0;
    setState('idle');
    $('start').disabled = false;
  }

  $('start').onclick = start;
  $('stop').onclick = stop;
  window.addEventListener('beforeunload', () => { if (rpc && pipeline) rpc.release(pipeline).catch(() => {}); });
  if (params.has('autostart')) start();
})();
</script>
</body>
</html>
)MEDLEY";

}  // namespace

std::string demo_page_html(std::string_view ws_path) {
  constexpr std::string_view kPlaceholder = "@WS_PATH@";
  std::string page(kPage);
  if (const auto at = page.find(kPlaceholder); at != std::string::npos) page.replace(at, kPlaceholder.size(), ws_path);
  return page;
}

}  // namespace medley::server::demo
