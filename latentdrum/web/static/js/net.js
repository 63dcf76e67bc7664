// The websocket link to the server: request/response by id, broadcasts, reconnection,
// and "latest wins" sending for continuous controls (a drag never queues stale moves).
// While the server cannot be reached, what the player does waits in order (up to MAX_WAITING
// messages; a continuous control keeps only its latest) and is sent when the link is back;
// onConnection(online, waiting, why) tells the page, so it can show it.

const MAX_WAITING = 64;

export class Link {
  constructor(onBroadcast, onStatus, onReconnect = null) {
    this.onReconnect = onReconnect;
    this.onConnection = null;  // (online: bool, waiting: number, why: string) -> void
    this.online = false;
    this.why = "connecting";
    this.waiting = [];  // {op, fields, resolve, reject} made while offline, in order
    this.connects = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.onBroadcast = onBroadcast;
    this.onStatus = onStatus;
    this.lanes = new Map(); // lane -> {busy, next}
    this.ready = this.connect();
  }

  connect() {
    return new Promise((resolve) => {
      const proto = location.protocol === "https:" ? "wss" : "ws";
      const ws = new WebSocket(`${proto}://${location.host}/ws`);
      ws.binaryType = "arraybuffer";
      this.ws = ws;
      ws.onopen = () => {
        this.online = true; this.why = "connected";
        const replay = this.waiting.splice(0);
        for (const w of replay) this.send(w);  // in the order they were made
        if (replay.length) this.onStatus(`sent ${replay.length} change${replay.length > 1 ? "s" : ""} made while offline`);
        this.connection();
        resolve();
        if (this.connects++ > 0 && this.onReconnect) this.onReconnect();  // the server may have restarted
      };
      ws.onmessage = (ev) => this.receive(ev.data);
      ws.onclose = (ev) => {
        // 1008: the server refused this page (wrong address or another site); 1013: it fell behind.
        const why = ev.code === 1008 ? `refused by the server (${ev.reason || "policy"}); open the address latentdrum printed`
          : ev.code === 1013 ? "too far behind the server" : "disconnected";
        const lost = this.pending.size;
        if (this.online || ev.code === 1008) this.onStatus(`${why}: reconnecting…`, ev.code === 1008);
        this.online = false; this.why = why;
        for (const [, p] of this.pending) p.reject(new Error("connection lost before the server answered"));
        this.pending.clear();
        if (lost) this.onStatus(`the connection dropped: ${lost} change${lost > 1 ? "s" : ""} may not have landed`, true);
        this.connection();
        setTimeout(() => { this.ready = this.connect(); }, 1000);
      };
    });
  }

  receive(text) {
    if (text instanceof ArrayBuffer) {  // one-shots pushed after a sound change
      if (this.onSounds) this.onSounds(parseSounds(text));
      return;
    }
    let msg;
    try { msg = JSON.parse(text); } catch { return; }
    if (msg.broadcast) { this.onBroadcast(msg); return; }
    const p = msg.id != null ? this.pending.get(msg.id) : null;
    if (p) {
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg); else p.reject(Object.assign(new Error(msg.error), { reply: msg }));
    } else if (!msg.ok) {
      this.onStatus(`error: ${msg.error}`, true);
    }
  }

  connection() { if (this.onConnection) this.onConnection(this.online, this.waiting.length, this.why); }

  // One message; its reply (or error) resolves (rejects) the promise. Offline, it waits.
  request(op, fields = {}) {
    return new Promise((resolve, reject) => {
      const w = { op, fields, resolve, reject };
      if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.send(w); return; }
      if (this.waiting.length >= MAX_WAITING) {
        reject(new Error(`offline: ${MAX_WAITING} changes are already waiting for the server; this one was not kept`));
        return;
      }
      this.waiting.push(w);
      this.connection();
    });
  }

  send({ op, fields, resolve, reject }) {
    const id = this.nextId++;
    this.pending.set(id, { resolve, reject });
    this.ws.send(JSON.stringify({ id, op, ...fields }));
  }

  // Send on a lane: at most one request in flight, later calls replace the waiting one.
  latest(lane, op, fields, onReply) {
    let l = this.lanes.get(lane);
    if (!l) { l = { busy: false, next: null }; this.lanes.set(lane, l); }
    l.next = { op, fields, onReply };
    if (!l.busy) this.pump(l);
  }

  async pump(l) {
    while (l.next) {
      const { op, fields, onReply } = l.next;
      l.next = null;
      l.busy = true;
      try { const r = await this.request(op, fields); if (!r.superseded) onReply(r); }
      catch (e) { this.onStatus(`error: ${e.message}`, true); }
      l.busy = false;
    }
  }

  sendRaw(text) { this.ws.send(text); }

  // Messages sent and not yet answered, and messages waiting for the link (tests wait for none).
  busy() { return this.pending.size + this.waiting.length + [...this.lanes.values()].filter((l) => l.busy || l.next).length; }
}

// Binary one-shots from /api/sounds: {voice: {key, layers, variations, samples, data: Float32Array[]}}.
export async function fetchSounds(voices, quality) {
  const q = voices ? `voices=${voices.join(",")}&` : "";
  const res = await fetch(`/api/sounds?${q}q=${quality}`);
  if (!res.ok) throw new Error(`sounds: ${res.status} ${await res.text()}`);
  return parseSounds(await res.arrayBuffer());
}

export function parseSounds(buf) {
  const headerLen = new DataView(buf).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headerLen)));
  const base = 4 + headerLen;
  const out = {};
  for (const e of header.voices) {
    const shots = [];
    const n = e.samples;
    for (let l = 0; l < e.layers; l++) {
      const row = [];
      for (let r = 0; r < e.variations; r++) {
        row.push(new Float32Array(buf, base + e.offset + 4 * n * (l * e.variations + r), n));
      }
      shots.push(row);
    }
    out[e.voice] = { key: e.key, layers: e.layers, variations: e.variations, samples: n, shots };
  }
  return out;
}
