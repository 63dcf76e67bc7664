// The websocket link to the server: request/response by id, broadcasts, reconnection,
// and "latest wins" sending for continuous controls (a drag never queues stale moves).

export class Link {
  constructor(onBroadcast, onStatus, onReconnect = null) {
    this.onReconnect = onReconnect;
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
        this.onStatus("connected");
        resolve();
        if (this.connects++ > 0 && this.onReconnect) this.onReconnect();  // the server may have restarted
      };
      ws.onmessage = (ev) => this.receive(ev.data);
      ws.onclose = (ev) => {
        // 1008: the server refused this page (wrong address or another site); 1013: it fell behind.
        const why = ev.code === 1008 ? `refused by the server (${ev.reason || "policy"}); open the address latentdrum printed`
          : ev.code === 1013 ? "too far behind the server" : "disconnected";
        this.onStatus(`${why}: reconnecting…`, ev.code === 1008);
        for (const [, p] of this.pending) p.reject(new Error("connection lost"));
        this.pending.clear();
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

  async request(op, fields = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, op, ...fields }));
    });
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
      try { onReply(await this.request(op, fields)); }
      catch (e) { this.onStatus(`error: ${e.message}`, true); }
      l.busy = false;
    }
  }

  sendRaw(text) { this.ws.send(text); }
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
