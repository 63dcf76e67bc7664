// Browser audio: one-shots as AudioBuffers, a look-ahead scheduler (timing never depends on
// the network), velocity -> layer + level, round robin, hi-hat choke, pan, tune, and an
// AnalyserNode on the master bus. Web MIDI output mirrors every scheduled hit.

const LOOKAHEAD_MS = 25;      // how often the scheduler wakes
const SCHEDULE_AHEAD = 0.12;  // seconds of hits queued ahead of the audio clock
const CHOKE_FADE = 0.01;      // s
const GM_PITCHES = [36, 38, 42, 46, 45, 48, 50, 49, 51];

export class Engine {
  constructor() {
    this.ctx = null;
    this.voices = Array(9).fill(null);   // {key, layers, variations, buffers[l][r], rr}
    this.mix = Array.from({ length: 9 }, () => ({ gain_db: 0, pan: 0, tune: 0, mute: false }));
    this.pattern = null;
    this.bpm = 100; this.swing = 50;
    this.playing = false;
    this.ringing = Array.from({ length: 9 }, () => []);
    this.chokeGroups = [[2, 3]];
    this.midiOut = null;
    this.onStep = null;
  }

  ensure() {
    if (this.ctx) return this.ctx;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    this.ctx = new Ctx({ latencyHint: "interactive" });
    this.master = this.ctx.createGain();
    this.master.gain.value = 0.5;
    this.limiter = this.ctx.createDynamicsCompressor();
    this.limiter.threshold.value = -3; this.limiter.ratio.value = 20;
    this.limiter.attack.value = 0.001; this.limiter.release.value = 0.08;
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.master.connect(this.limiter).connect(this.analyser).connect(this.ctx.destination);
    for (let v = 0; v < 9; v++) if (this.voices[v] && !this.voices[v].buffers) this.build(v);
    return this.ctx;
  }

  // Install a voice's one-shots ({key, layers, variations, shots[l][r]: Float32Array}).
  setVoice(v, sound) {
    this.voices[v] = { ...sound, buffers: null, rr: 0 };
    if (this.ctx) this.build(v);
  }

  build(v) {
    const s = this.voices[v];
    s.buffers = s.shots.map((row) => row.map((data) => {
      const b = this.ctx.createBuffer(1, data.length, 44100);
      b.copyToChannel(data, 0);
      return b;
    }));
  }

  level() {
    if (!this.analyser) return 0;
    const a = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(a);
    let s = 0; for (const x of a) s += x * x;
    return Math.sqrt(s / a.length);
  }

  stepDur() { return 60 / this.bpm / 4; }

  play() {
    const ctx = this.ensure();
    if (ctx.state !== "running") ctx.resume();
    if (this.playing) return;
    this.playing = true;
    this.step = 0;
    this.loopStart = ctx.currentTime + 0.06;
    this.tick();
    this.timer = setInterval(() => this.tick(), LOOKAHEAD_MS);
  }

  stop() {
    this.playing = false;
    clearInterval(this.timer);
    const now = this.ctx ? this.ctx.currentTime : 0;
    for (const list of this.ringing) for (const r of list) { try { r.src.stop(now + 0.02); } catch { /* ended */ } }
    this.ringing = Array.from({ length: 9 }, () => []);
    if (this.onStep) this.onStep(-1);
  }

  // Queue every step whose grid time falls before now + SCHEDULE_AHEAD.
  tick() {
    const p = this.pattern;
    if (!p || !this.playing) return;
    const ctx = this.ctx, d = this.stepDur(), steps = p.steps;
    const swingDelay = (this.swing - 50) / 50;
    while (this.loopStart + this.step * d < ctx.currentTime + SCHEDULE_AHEAD) {
      const s = this.step % steps;
      const grid = this.loopStart + (this.step + swingDelay * (s % 2)) * d;
      // A fill asked for (playFill) replaces one bar, then the groove comes back.
      const f = this.fill && this.step >= this.fill.start ? this.fill : null;
      const src = f ? f.pattern : p, i = f ? this.step - f.start : s;
      if (f && i === 15) this.fill = null;
      for (let v = 0; v < 9; v++) {
        if (!src.hits[v][i]) continue;
        const t = Math.max(ctx.currentTime, grid + src.offsets[v][i] * d);
        this.hit(v, src.velocities[v][i], t);
      }
      if (this.onStep) {
        const delay = Math.max(0, (grid - ctx.currentTime) * 1000);
        setTimeout(() => this.playing && this.onStep(s), delay);
      }
      this.step++;
    }
  }

  // Play a one-bar fill ({steps: 16, hits, velocities, offsets}) in place of the next bar.
  playFill(fill) {
    if (!this.playing) return;
    this.fill = { pattern: fill, start: Math.ceil(this.step / 16) * 16 };
  }

  // Tempo change while playing: keep the current position, re-anchor the clock.
  setTempo(bpm, swing) {
    if (this.playing && this.ctx && bpm !== this.bpm) {
      const pos = (this.ctx.currentTime - this.loopStart) / this.stepDur();
      this.bpm = bpm;
      this.loopStart = this.ctx.currentTime - pos * this.stepDur();
    }
    this.bpm = bpm; this.swing = swing;
  }

  hit(v, velocity, time) {
    const s = this.voices[v], m = this.mix[v];
    this.sendMidi(v, velocity, time);
    if (!s || !s.buffers || m.mute) return;
    const ctx = this.ctx;
    // Choke: this hit cuts the ringing hits of the other voices of its group.
    for (const g of this.chokeGroups) {
      if (!g.includes(v)) continue;
      for (const o of g) {
        if (o === v) continue;
        for (const r of this.ringing[o]) {
          if (r.end > time) {
            r.gain.gain.setValueAtTime(r.gain.gain.value, time);
            r.gain.gain.linearRampToValueAtTime(0, time + CHOKE_FADE);
            try { r.src.stop(time + CHOKE_FADE + 0.005); } catch { /* stopped */ }
          }
        }
        this.ringing[o] = [];
      }
    }
    const L = s.layers, R = s.variations;
    const layer = Math.min(L - 1, Math.max(0, Math.round(velocity * L) - 1));
    const variation = R > 1 ? (s.rr = (s.rr + 1) % R) : 0;
    const buffer = s.buffers[layer][variation];
    const src = ctx.createBufferSource();
    src.buffer = buffer;
    src.playbackRate.value = Math.pow(2, m.tune / 12);
    const gain = ctx.createGain();
    gain.gain.value = Math.pow(Math.max(velocity, 0), 1.5) * Math.pow(10, m.gain_db / 20);
    const pan = ctx.createStereoPanner();
    pan.pan.value = m.pan;
    src.connect(gain).connect(pan).connect(this.master);
    src.start(time);
    const end = time + buffer.duration / src.playbackRate.value;
    const list = this.ringing[v].filter((r) => r.end > ctx.currentTime);
    list.push({ src, gain, end });
    this.ringing[v] = list;
  }

  audition(v, velocity = 0.9) {
    const ctx = this.ensure();
    if (ctx.state !== "running") ctx.resume();
    this.hit(v, velocity, ctx.currentTime + 0.01);
  }

  sendMidi(v, velocity, time) {
    if (!this.midiOut || !this.ctx) return;
    const at = performance.now() + (time - this.ctx.currentTime) * 1000;
    const vel = Math.max(1, Math.min(127, Math.round(velocity * 127)));
    this.midiOut.send([0x99, GM_PITCHES[v], vel], at);
    this.midiOut.send([0x89, GM_PITCHES[v], 0], at + this.stepDur() * 500);
  }

  // A cheap fingerprint of a voice's loaded sound (tests and the bench compare these).
  checksum(v) {
    const s = this.voices[v];
    if (!s) return null;
    const x = s.shots[s.layers - 1][0];
    let h = 0; for (let i = 0; i < x.length; i += 7) h = (h * 31 + Math.round(x[i] * 1e6)) | 0;
    return `${s.key}:${h}`;
  }
}
