// Kurento's official client (npm kurento-client 7.3.0) and raw JSON-RPC against a running `medley`: the opening
// sequence, objects and their ids, PassThrough connections and events, error codes, malformed frames (the server
// stays up), release cascade, and session reconnect by sessionId.
// Usage: node basic.js <path to medley>. Exit code 0 only if every check passed.
'use strict';
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');
const assert = require('assert');
const modules = path.join(__dirname, '..', 'npm', 'node_modules');
const kurento = require(path.join(modules, 'kurento-client'));
const WebSocket = require(path.join(modules, 'ws'));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function waitForListening(child) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('medley did not start listening')), 15000);
    let buf = '';
    const onData = (d) => {
      buf += d.toString();
      process.stderr.write(d);
      if (/listening on ws:\/\//i.test(buf)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error('medley exited with ' + code)));
  });
}

// A promise around kurento-client's callback form, which reports server errors (the promise form may not).
const cb = (fn) => new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

// Raw JSON-RPC over one WebSocket: send requests, match responses by id.
class Raw {
  constructor(url) {
    this.ws = new WebSocket(url);
    this.nextId = 1;
    this.pending = new Map();
    this.frames = [];
    this.ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      this.frames.push(msg);
      if (msg.id !== undefined && this.pending.has(msg.id)) {
        this.pending.get(msg.id)(msg);
        this.pending.delete(msg.id);
      }
    });
  }
  open() { return new Promise((r, j) => { this.ws.once('open', r); this.ws.once('error', j); }); }
  call(method, params) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return new Promise((resolve) => this.pending.set(id, resolve));
  }
  sendText(text) { this.ws.send(text); }
  nextFrame(pred) {
    return new Promise((resolve) => {
      const check = () => {
        const f = this.frames.find(pred);
        if (f) return resolve(f);
        setTimeout(check, 10);
      };
      check();
    });
  }
  close() { return new Promise((r) => { this.ws.once('close', r); this.ws.close(); }); }
}

async function main() {
  const medley = process.argv[2];
  const port = await freePort();
  const child = spawn(medley, ['--port', String(port), '--address', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let failed = false;
  try {
    await waitForListening(child);
    const url = `ws://127.0.0.1:${port}/kurento`;

    // --- kurento-client: the opening sequence, getInfo, objects, connections, events.
    const client = await kurento(url, { failAfter: 2 });
    const manager = await cb((c) => client.getServerManager(c));
    const info = await cb((c) => manager.getInfo(c));
    assert.ok(info.capabilities.includes('transactions'), 'getInfo capabilities');
    const pipeline = await cb((c) => client.create('MediaPipeline', c));
    assert.match(pipeline.id, /_kurento\.MediaPipeline$/, 'pipeline id format');
    const a = await cb((c) => pipeline.create('PassThrough', c));
    const b = await cb((c) => pipeline.create('PassThrough', c));
    assert.ok(a.id.startsWith(pipeline.id + '/'), 'element id format');
    const connected = new Promise((resolve) => a.on('ElementConnected', resolve));
    await cb((c) => a.connect(b, c));
    const ev = await connected;
    assert.strictEqual(ev.sink.id || ev.sink, b.id, 'ElementConnected sink');
    const sinks = await cb((c) => a.getSinkConnections(c));
    assert.ok(sinks.some((s) => (s.sink.id || s.sink) === b.id), 'getSinkConnections');
    await cb((c) => a.setName('first', c));
    assert.strictEqual(await cb((c) => a.getName(c)), 'first', 'name round trip');
    const children = await cb((c) => pipeline.getChildren(c));
    assert.strictEqual(children.length, 2, 'pipeline children');
    const pipelines = await cb((c) => manager.getPipelines(c));
    assert.ok(pipelines.some((p) => p.id === pipeline.id), 'getPipelines');

    // Errors: a released object (an unknown type is refused by the client itself, so it is checked raw below).
    await cb((c) => pipeline.release(c));
    await assert.rejects(cb((c) => a.getName(c)), (e) => e.code === 40101, 'released child → 40101');
    client.close();

    // --- Raw JSON-RPC: malformed frames get answers and the server stays up; reconnect by sessionId.
    const raw = new Raw(url);
    await raw.open();
    raw.sendText('{this is not json');
    const parseErr = await raw.nextFrame((f) => f.error && f.error.code === -32700);
    assert.strictEqual(parseErr.id, null, 'parse error id null');
    const pong = await raw.call('ping', { interval: 1000 });
    assert.strictEqual(pong.result.value, 'pong', 'ping after garbage');
    const described = await raw.call('describe', { object: 'manager_ServerManager' });
    const sessionId = described.result.sessionId;
    assert.ok(sessionId, 'describe gives a sessionId');
    const created = await raw.call('create', { type: 'MediaPipeline', constructorParams: {}, sessionId });
    const pid = created.result.value;
    const bad = await raw.call('invoke', { object: pid, operation: 'noSuchOperation', sessionId });
    assert.strictEqual(bad.error.code, 40105, 'unknown operation → 40105');
    const noType = await raw.call('create', { type: 'NoSuchElement', constructorParams: { mediaPipeline: pid }, sessionId });
    assert.strictEqual(noType.error.code, 40100, 'unknown type → 40100');
    const gone = await raw.call('invoke', { object: pid + '/nope_kurento.PassThrough', operation: 'getName', sessionId });
    assert.strictEqual(gone.error.code, 40101, 'unknown object → 40101');
    await raw.close();

    const again = new Raw(url);
    await again.open();
    const reconnected = await again.call('connect', { sessionId });
    assert.strictEqual(reconnected.result.sessionId, sessionId, 'reconnect keeps the session');
    const name = await again.call('invoke', { object: pid, operation: 'getName', sessionId });
    assert.ok(!name.error, 'the pipeline survived the reconnect');
    const unknown = await again.call('connect', { sessionId: 'no-such-session' });
    assert.strictEqual(unknown.error.code, 40007, 'unknown session → 40007');
    await again.call('release', { object: pid, sessionId });
    await again.close();
    console.log('kurento-client checks: PASS');
  } catch (e) {
    failed = true;
    console.error('kurento-client checks: FAIL', e);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c === null ? sig : c)));
  if (code !== 0 && code !== 'SIGTERM') {
    console.error('medley did not exit cleanly on SIGTERM:', code);
    failed = true;
  }
  process.exit(failed ? 1 : 0);
}

main();
