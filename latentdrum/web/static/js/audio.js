// Browser audio: the renderer's engine, played live. The rules (velocity layers and their
// crossfade, round robin and its level jitter, choke, pan law, master gain, look-ahead limiter,
// GM pitches) come from the server (`engine` in the state: latentdrum/instrument/rules.py), the
// random draws from the renderer's own hash (draws.js), the mix from mixer.js: what plays here
// is what the WAV export holds. A look-ahead scheduler keeps time (never the network); Web MIDI
// output mirrors every scheduled hit. `renderOffline` plays the same scene through the same code
// into an OfflineAudioContext (tests/web/test_engine_parity.py compares it with the export).
import { HitRules } from "./hits.js";
import { Mixer } from "./mixer.js";
import { tuneRatio, tuneShots } from "./tune.js";

const LOOKAHEAD_MS = 25;      // how often the scheduler wakes
const SCHEDULE_AHEAD = 0.12;  // seconds of hits queued ahead of the audio clock
const START_DELAY = 0.06;     // s from play to the first beat

// What changes the mix graph itself (a new one is built when these change).
const graphKey = (r) => JSON.stringify([r.sample_rate, r.master_gain_db, r.choke_fade_ms, r.limiter, r.pan_law]);

export class Engine {
  constructor() {
    this.ctx = null;
    this.mixer = null;         // the live Mixer, once its worklet is loaded
    this.mixerReady = new Promise((resolve) => { this.firstMixer = resolve; });
    this.rules = null;         // the server's engine rules
    this.hitRules = null;
    this.voices = Array(9).fill(null);   // {key, layers, variations, shots[l][r], buffers[l][r]}
    this.mix = Array.from({ length: 9 }, () => ({ gain_db: 0, pan: 0, tune: 0, mute: false }));
    this.pattern = null;
    this.bpm = 100; this.swing = 50;
    this.playing = false;
    this.midiOut = null;
    this.midiPitches = null;   // the selected drum map's pitch per voice (null: the rules' GM pitches)
    this.onStep = null;
    this.onTransport = null;   // (playing, audio time of the first beat) -> void: MIDI clock out
    this.onTempoChange = null; // (bpm) -> void
  }

  // The rules to play by (from the server's state; a new object only when they change).
  setRules(rules) {
    const text = JSON.stringify(rules);
    if (!rules || text === this.rulesText) return;
    const rebuild = this.rules && graphKey(this.rules) !== graphKey(rules);
    this.rulesText = text;
    this.rules = rules;
    this.hitRules = new HitRules(rules);
    if (this.mixer) this.mixer.rules = rules;
    if (this.ctx && (rebuild || !this.connecting)) this.connect();
  }

  // Performance-clock time (ms, what Web MIDI timestamps use) of audio-clock time `t` (s).
  perfTime(t) { return performance.now() + (t - (this.ctx ? this.ctx.currentTime : 0)) * 1000; }

  ensure() {
    if (this.ctx) return this.ctx;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    const sampleRate = this.rules ? this.rules.sample_rate : 44100;  // the one-shots' rate: no resampling
    try {
      this.ctx = new Ctx({ latencyHint: "interactive", sampleRate });
    } catch {
      this.ctx = new Ctx({ latencyHint: "interactive" });
    }
    if (this.rules) this.connect();
    return this.ctx;
  }

  // Build the live mix graph; resolves when it plays.
  connect() {
    const old = this.mixer, first = !this.connecting;
    this.connecting = true;
    const ready = Mixer.create(this.ctx, this.rules).then((m) => {
      if (old) { old.silence(); old.analyser.disconnect(); }
      this.mixer = m;
      this.syncMix(m, false);
      this.firstMixer(m);
      return m;
    });
    if (!first) this.mixerReady = ready;
    return ready;
  }

  // Install a voice's one-shots ({key, layers, variations, shots[l][r]: Float32Array}).
  setVoice(v, sound) {
    this.voices[v] = { ...sound, buffers: this.toBuffers(sound.shots), tuned: null, retuning: null, job: null };
    if (this.mix[v].tune !== 0) this.buffersFor(v);  // start resampling now
  }

  toBuffers(shots) {
    const rate = this.rules ? this.rules.sample_rate : 44100;
    return shots.map((row) => row.map((data) => {
      const b = new AudioBuffer({ length: data.length, numberOfChannels: 1, sampleRate: rate });
      b.copyToChannel(data, 0);
      return b;
    }));
  }

  // Voice v's buffers at its tune and the playback rate they need: the renderer's resampled
  // one-shots (rate 1) once made; until then (a tune just changed) the untuned ones at the
  // tune's rate, while the resampled ones are made (`now`: make them at once, as a render must).
  buffersFor(v, now = false) {
    const s = this.voices[v], tune = this.mix[v].tune;
    if (tune === 0) return [s.buffers, 1];
    if (now && !(s.tuned && s.tuned.tune === tune)) s.tuned = { tune, buffers: this.toBuffers(tuneShots(s.shots, tune)) };
    if (s.tuned && s.tuned.tune === tune) return [s.tuned.buffers, 1];
    if (s.retuning !== tune) this.retune(v, s, tune);
    const [p, q] = tuneRatio(tune);
    return [s.buffers, p / q];
  }

  // Resample voice v's sound `s` to `tune` in a worker; one job per voice at a time, the
  // latest tune asked for next (a tune being dragged is resampled where it stops).
  retune(v, s, tune) {
    s.retuning = tune;
    if (s.job) return;  // the reply asks for the latest tune again
    if (!this.tuner) {
      this.tuner = new Worker(new URL("./tune-worker.js", import.meta.url), { type: "module" });
      this.tuneJobs = new Map();
      this.tuner.onmessage = ({ data }) => {
        const job = this.tuneJobs.get(data.id);
        this.tuneJobs.delete(data.id);
        job.s.job = null;
        if (this.voices[job.v] !== job.s) return;  // the voice has a new sound since
        if (job.tune === this.mix[job.v].tune) job.s.tuned = { tune: job.tune, buffers: this.toBuffers(data.shots) };
        else if (this.mix[job.v].tune !== 0) this.retune(job.v, job.s, this.mix[job.v].tune);
      };
    }
    const id = (this.tuneId = (this.tuneId || 0) + 1);
    s.job = id;
    this.tuneJobs.set(id, { v, s, tune });
    const shots = s.shots.map((row) => row.map((x) => x.slice()));  // this voice's samples only, moved
    this.tuner.postMessage({ id, shots, tune }, shots.flat().map((x) => x.buffer));
  }

  level() { return this.mixer ? this.mixer.level() : 0; }

  stepDur() { return 60 / this.bpm / 4; }

  play() {
    const ctx = this.ensure();
    if (ctx.state !== "running") ctx.resume();
    if (this.playing) return;
    this.playing = true;
    const go = () => {
      if (!this.playing) return;
      this.step = 0;
      const sr = ctx.sampleRate;
      this.loopStart = Math.round((ctx.currentTime + START_DELAY) * sr) / sr;  // on a sample, as a render
      if (this.onTransport) this.onTransport(true, this.loopStart);
      this.tick();
      this.timer = setInterval(() => this.tick(), LOOKAHEAD_MS);
    };
    this.mixerReady.then(go);
  }

  stop() {
    this.playing = false;
    clearInterval(this.timer);
    if (this.onTransport) this.onTransport(false, null);
    if (this.mixer) this.mixer.silence();
    if (this.onStep) this.onStep(-1);
  }

  // Queue every step whose grid time falls before now + SCHEDULE_AHEAD.
  tick() {
    const p = this.pattern, m = this.mixer;
    if (!p || !this.playing || !m) return;
    const ctx = this.ctx, d = this.stepDur();
    this.syncMix(m, true);
    while (this.loopStart + this.step * d < ctx.currentTime + SCHEDULE_AHEAD) {
      const s = this.step % p.steps;
      const grid = this.loopStart + (this.step + ((this.swing - 50) / 50) * (s % 2)) * d;
      // A fill asked for (playFill) replaces one bar, then the groove comes back.
      const f = this.fill && this.step >= this.fill.start ? this.fill : null;
      if (f && this.step - f.start === 15) this.fill = null;
      this.scheduleStep(m, f ? f.pattern : p, f ? this.step - f.start : s, Math.floor(this.step / p.steps),
        this.loopStart, this.step, d);
      if (this.onStep) {
        const delay = Math.max(0, (grid - ctx.currentTime) * 1000);
        setTimeout(() => this.playing && this.onStep(s), delay);
      }
      this.step++;
    }
  }

  // Every hit of cell `i` of `pattern`, played as step `step` (counted from `loopStart`) of loop
  // `loop`: at the renderer's time (tempo, swing, micro-timing, humanize), on the renderer's sample.
  scheduleStep(m, pattern, i, loop, loopStart, step, d) {
    const swingDelay = (this.swing - 50) / 50;
    for (let v = 0; v < 9; v++) {
      if (!pattern.hits[v][i]) continue;
      const s = this.voices[v], mix = this.mix[v], vel = pattern.velocities[v][i];
      const t = (step + swingDelay * (step % 2) + pattern.offsets[v][i]) * d;
      const h = s ? this.hitRules.hit(pattern, v, i, loop, vel, s.layers, s.variations) : null;
      const when = loopStart + Math.round((t + (h ? h.shift : 0)) * m.sr) / m.sr;
      this.sendMidi(v, vel, Math.max(when, m.ctx.currentTime));
      if (!s || mix.mute) continue;
      const [buffers, rate] = this.buffersFor(v, m.ctx instanceof OfflineAudioContext);
      m.play(v, buffers, h, Math.max(when, m.ctx.currentTime + m.latency), rate);
    }
  }

  // Gains and pans into the mixer; a tune that changed starts its resampling.
  syncMix(m, smooth) {
    for (let v = 0; v < 9; v++) {
      m.setMix(v, this.mix[v].gain_db, this.mix[v].pan, smooth);
      if (this.voices[v] && this.mix[v].tune !== 0) this.buffersFor(v);
    }
  }

  // Play a one-bar fill ({steps: 16, hits, velocities, offsets}) in place of the next bar.
  playFill(fill) {
    if (!this.playing) return;
    this.fill = { pattern: fill, start: Math.ceil(this.step / 16) * 16 };
  }

  // Tempo change while playing: keep the current position, re-anchor the clock.
  setTempo(bpm, swing) {
    if (this.playing && this.ctx && this.loopStart != null && bpm !== this.bpm) {
      const pos = (this.ctx.currentTime - this.loopStart) / this.stepDur();
      this.bpm = bpm;
      this.loopStart = this.ctx.currentTime - pos * this.stepDur();
    }
    if (bpm !== this.bpm && this.onTempoChange) this.onTempoChange(bpm);
    this.bpm = bpm; this.swing = swing;
  }

  // One hit of voice v now (the pad's audition button): the kit sound at this velocity.
  audition(v, velocity = 0.9) {
    const ctx = this.ensure();
    if (ctx.state !== "running") ctx.resume();
    const s = this.voices[v], mix = this.mix[v];
    const go = (m) => {
      if (!s || mix.mute) return;
      this.syncMix(m, true);
      const h = this.hitRules.hit(null, v, null, 0, velocity, s.layers, s.variations);
      const [buffers, rate] = this.buffersFor(v);
      m.play(v, buffers, h, ctx.currentTime + 0.01 + m.latency, rate);
    };
    this.mixerReady.then(go);
  }

  sendMidi(v, velocity, time) {
    if (!this.midiOut || !this.ctx || !this.rules) return;
    const pitch = (this.midiPitches || this.rules.gm_pitches)[v];
    const at = performance.now() + (time - this.ctx.currentTime) * 1000;
    const vel = Math.max(1, Math.min(127, Math.round(velocity * 127)));
    this.midiOut.send([0x99, pitch, vel], at);
    this.midiOut.send([0x89, pitch, 0], at + this.stepDur() * 500);
  }

  // The current pattern, `loops` times from silence, through this engine's rules and mix, in an
  // OfflineAudioContext: {sampleRate, left, right} (Float32Array), sample 0 = the first beat.
  async renderOffline(loops) {
    const p = this.pattern, sr = this.rules.sample_rate, d = this.stepDur();
    const lead = Math.ceil(sr * (d + 0.01));  // room for hits pushed early, and the limiter's delay
    const length = Math.round(loops * p.steps * d * sr);
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: lead + length, sampleRate: sr });
    const m = await Mixer.create(ctx, this.rules);
    this.syncMix(m, false);
    for (let step = 0; step < loops * p.steps; step++) {
      const s = step % p.steps;
      this.scheduleStep(m, p, s, Math.floor(step / p.steps), lead / sr, step, d);
    }
    const out = await ctx.startRendering();
    return { sampleRate: sr, left: out.getChannelData(0).slice(lead), right: out.getChannelData(1).slice(lead) };
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
