// The renderer's mix on one AudioContext (live or offline): per voice a mono bus panned by the
// rules' pan law, the master gain, the look-ahead limiter (an AudioWorklet) and an analyser.
// `play` starts one hit: its layer/variation parts at their weights, its amplitude, and the
// choke it gets or gives (latentdrum/instrument/render.py: a hit of a group's voice cuts the
// other voices' hits that started before it with a raised-cosine fade from its first sample).
import { dbToGain, stereoGains } from "./hits.js";

const WORKLET = new URL("./limiter-worklet.js", import.meta.url).href;

export class Mixer {
  // Build the graph; resolves once the limiter's worklet is loaded.
  static async create(ctx, rules) {
    const m = new Mixer(ctx, rules);
    if (rules.limiter.on) {
      await ctx.audioWorklet.addModule(WORKLET);
      m.limiter = new AudioWorkletNode(ctx, "latentdrum-limiter", {
        numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2],
        channelCount: 2, channelCountMode: "explicit", channelInterpretation: "speakers",
        processorOptions: { ceilingDb: rules.limiter.ceiling_db, lookaheadMs: rules.limiter.lookahead_ms,
          releaseMs: rules.limiter.release_ms },
      });
      m.master.disconnect();
      m.master.connect(m.limiter).connect(m.analyser);
    }
    return m;
  }

  constructor(ctx, rules) {
    this.ctx = ctx;
    this.rules = rules;
    this.sr = ctx.sampleRate;
    // The limiter delays the mix by its look-ahead: hits start that much early.
    this.latencySamples = rules.limiter.on ? Math.max(1, Math.round(rules.limiter.lookahead_ms * 1e-3 * this.sr)) : 0;
    this.latency = this.latencySamples / this.sr;
    const fadeLen = Math.max(1, Math.round(rules.choke_fade_ms * 1e-3 * this.sr));
    this.fade = Float32Array.from({ length: fadeLen + 1 }, (_, k) => 0.5 * (1 + Math.cos(Math.PI * k / fadeLen)));
    this.fadeDur = fadeLen / this.sr;
    this.master = ctx.createGain();
    this.master.gain.value = dbToGain(rules.master_gain_db);
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.master.connect(this.analyser);
    this.analyser.connect(ctx.destination);
    this.buses = Array.from({ length: 9 }, () => this.bus());
    this.ringing = Array.from({ length: 9 }, () => []);  // per voice: {start, end, cut, gain, amp, srcs}
    this.limiter = null;
  }

  bus() {
    const ctx = this.ctx;
    const input = new GainNode(ctx, { channelCount: 1, channelCountMode: "explicit" });
    const left = ctx.createGain(), right = ctx.createGain(), merger = ctx.createChannelMerger(2);
    input.connect(left).connect(merger, 0, 0);
    input.connect(right).connect(merger, 0, 1);
    merger.connect(this.master);
    return { input, left, right, key: null };
  }

  // A voice's gain (dB) and pan, by the rules' pan law; `smooth`: glide (a live change).
  setMix(v, gainDb, pan, smooth = false) {
    const b = this.buses[v], key = `${gainDb}:${pan}`;
    if (b.key === key) return;
    b.key = key;
    const [l, r] = stereoGains(this.rules, gainDb, pan);
    if (smooth) {
      const now = this.ctx.currentTime;
      b.left.gain.setTargetAtTime(l, now, 0.005); b.right.gain.setTargetAtTime(r, now, 0.005);
    } else {
      b.left.gain.value = l; b.right.gain.value = r;
    }
  }

  // Start voice v's hit: `buffers[l][r]` its one-shots, `h` from HitRules.hit, `when` the time
  // the hit is heard (seconds of this context), `rate` the tune's playback rate.
  play(v, buffers, h, when, rate) {
    const ctx = this.ctx, sr = this.sr;
    const start = Math.round(when * sr);  // the sample the hit is heard on
    const at = Math.max(ctx.currentTime, (start - this.latencySamples) / sr);
    this.choke(v, start);
    if (!(h.amp > 0) || !h.parts.length) return;
    const gain = ctx.createGain();
    gain.gain.value = h.amp;
    gain.connect(this.buses[v].input);
    const srcs = [];
    let length = 0;
    for (const [layer, variation, w] of h.parts) {
      const src = ctx.createBufferSource();
      src.buffer = buffers[layer][variation];
      src.playbackRate.value = rate;
      length = Math.max(length, src.buffer.length);
      if (w === 1) src.connect(gain);
      else { const g = ctx.createGain(); g.gain.value = w; src.connect(g).connect(gain); }
      src.start(at);
      srcs.push(src);
    }
    const hit = { start, end: start + Math.ceil(length / rate), cut: Infinity, gain, amp: h.amp, srcs };
    // Chokers of this voice's group already scheduled after it (swing can order them so) cut it.
    for (const u of this.partners(v)) {
      for (const o of this.ringing[u]) if (o.start > start && o.start < hit.cut) hit.cut = o.start;
    }
    if (hit.cut < Infinity) this.cut(hit, hit.cut);
    const now = Math.round(ctx.currentTime * sr);
    this.ringing[v] = this.ringing[v].filter((r) => Math.min(r.end, r.cut + this.fade.length) > now);
    this.ringing[v].push(hit);
  }

  partners(v) {
    const out = new Set();
    for (const g of this.rules.choke_groups) if (g.includes(v)) for (const u of g) if (u !== v) out.add(u);
    return out;
  }

  // A hit of voice v heard on sample `start` cuts its group partners' hits that started before it.
  choke(v, start) {
    for (const u of this.partners(v)) {
      for (const r of this.ringing[u]) if (r.start < start && start < r.cut && start < r.end) this.cut(r, start);
    }
  }

  cut(hit, sample) {
    hit.cut = sample;
    const t = Math.max(this.ctx.currentTime, (sample - this.latencySamples) / this.sr);
    const g = hit.gain.gain;
    g.cancelScheduledValues(0);
    g.value = hit.amp;
    g.setValueCurveAtTime(this.fade.map((x) => x * hit.amp), t, this.fadeDur);
    for (const s of hit.srcs) s.stop(t + this.fadeDur + 1 / this.sr);
  }

  // Silence everything that rings, with a short fade (stop).
  silence() {
    const now = this.ctx.currentTime;
    for (const list of this.ringing) {
      for (const r of list) {
        r.gain.gain.cancelScheduledValues(0);
        r.gain.gain.setTargetAtTime(0, now, 0.005);
        for (const s of r.srcs) { try { s.stop(now + 0.03); } catch { /* not started */ } }
      }
    }
    this.ringing = Array.from({ length: 9 }, () => []);
  }

  level() {
    const a = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(a);
    let s = 0; for (const x of a) s += x * x;
    return Math.sqrt(s / a.length);
  }
}
