// MIDI clock: send 24 ppqn clock with start/stop/continue, or follow an incoming clock.
//
// Send (to the MIDI out port): when the transport starts, Start (0xFA) goes out timestamped at the
// loop's first beat, then Clock (0xF8) every 60 / (bpm * 24) s, queued ahead with their exact
// timestamps by a look-ahead timer (as the audio scheduler does), so timer jitter never reaches
// the wire; a tempo change applies from the next unqueued pulse. Stop sends 0xFC. ClockOut.start
// can send Continue (0xFB); the page itself always restarts from bar 1, so it sends Start.
//
// Follow: incoming pulses are timed by their event timestamps; the tempo is a least-squares fit
// over the last 48 pulses (two beats), so one late pulse moves it by a fraction of a BPM; Start
// and Continue start the transport on the next pulse, Stop stops it. `drift()` is how far the
// follower's beat position (pulses / 24) is from its own extrapolated clock, in ms.

const PPQN = 24;
const AHEAD_MS = 100;   // pulses queued this far ahead
const WAKE_MS = 20;     // look-ahead timer period
const FIT_PULSES = 48;

export class ClockOut {
  constructor(getOutput) {
    this.getOutput = getOutput;  // () -> a MIDIOutput, or null (clock off)
    this.bpm = 120; this.running = false; this.next = 0; this.timer = null;
    this.sent = [];  // [status, timestamp ms, performance.now() when queued] (tests and the bench read it)
  }

  period() { return 60000 / (this.bpm * PPQN); }

  send(status, at) {
    const output = this.getOutput();
    if (!output) return;
    output.send([status], at);
    this.sent.push([status, at, performance.now()]);
    if (this.sent.length > 20000) this.sent.splice(0, 10000);
  }

  // Start at performance time `atMs` (the loop's first beat); `resume`: Continue instead of Start.
  start(atMs, resume = false) {
    if (!this.getOutput()) return;
    this.running = true;
    this.send(resume ? 0xFB : 0xFA, atMs);
    this.next = atMs;
    this.pump();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.pump(), WAKE_MS);
  }

  pump() {
    if (!this.running) return;
    const horizon = performance.now() + AHEAD_MS;
    while (this.next < horizon) { this.send(0xF8, this.next); this.next += this.period(); }
  }

  setTempo(bpm) { this.bpm = bpm; }  // takes effect from the next unsent pulse

  // Stop goes out after the last pulse already queued (a timestamped send cannot be taken back).
  stop(atMs = performance.now()) {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    this.send(0xFC, Math.max(atMs, this.next - this.period() + 0.5));
  }
}

export class ClockIn {
  constructor({ onStart = () => {}, onStop = () => {}, onTempo = () => {} } = {}) {
    Object.assign(this, { onStart, onStop, onTempo });
    this.input = null; this.times = []; this.pulses = 0; this.running = false; this.pendingStart = false;
    this.bpm = null; this.lastTempo = null;
  }

  attach(input) {
    if (this.input) this.input.onmidimessage = null;
    this.input = input;
    if (input) input.onmidimessage = (e) => this.message(e.data[0], e.timeStamp);
  }

  message(status, t) {
    if (status === 0xFA || status === 0xFB) {
      if (status === 0xFA) this.pulses = 0;
      this.pendingStart = true;
    } else if (status === 0xFC) {
      this.running = false; this.pendingStart = false; this.onStop(t);
    } else if (status === 0xF8) {
      this.times.push(t);
      if (this.times.length > FIT_PULSES) this.times.shift();
      if (this.pendingStart) { this.pendingStart = false; this.running = true; this.onStart(t); }
      else if (this.running) this.pulses++;
      this.fit();
    }
  }

  // Least-squares line through the last pulses' times: slope = ms per pulse.
  fit() {
    const n = this.times.length;
    if (n < 6) return;
    let sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (let i = 0; i < n; i++) { sx += i; sy += this.times[i]; sxx += i * i; sxy += i * this.times[i]; }
    const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    this.intercept = (sy - slope * sx) / n;
    this.slope = slope;
    this.bpm = 60000 / (slope * PPQN);
    if (this.lastTempo == null || Math.abs(this.bpm - this.lastTempo) >= 0.05) {
      this.lastTempo = this.bpm; this.onTempo(this.bpm);
    }
  }

  // Beat position (quarter notes since Start) at performance time t, from the fitted clock.
  position(t) {
    if (this.slope == null) return null;
    const n = this.times.length;
    return (this.pulses - (n - 1) + (t - this.intercept) / this.slope) / PPQN;
  }

  // How far the last pulse arrived from the fitted clock, in ms (positive: late).
  drift() {
    const n = this.times.length;
    return n < 6 ? null : this.times[n - 1] - (this.intercept + this.slope * (n - 1));
  }
}

// Wire both to the page: #clock-mode (off | send | follow), #midi-in, and the engine's transport.
export function setupClock(engine, ld, getAccess) {
  const modeEl = document.getElementById("clock-mode"), inEl = document.getElementById("midi-in");
  const mode = () => modeEl.value;
  const out = new ClockOut(() => (mode() === "send" ? engine.midiOut : null)), follow = new ClockIn({
    onStart: () => { if (!engine.playing) ld.togglePlay(); },
    onStop: () => { if (engine.playing) ld.togglePlay(); },
    onTempo: (bpm) => { if (mode() === "follow") engine.setTempo(Math.round(bpm * 10) / 10, engine.swing); },
  });
  ld.clockOut = out; ld.clockIn = follow;
  // The page always plays from bar 1, so a restart is a Start (0xFA), never a Continue.
  engine.onTransport = (playing, audioTime) => {
    if (mode() !== "send") return;
    out.setTempo(engine.bpm);
    if (playing) out.start(engine.perfTime(audioTime)); else out.stop();
  };
  engine.onTempoChange = (bpm) => out.setTempo(bpm);
  const fill = async () => {
    const access = await getAccess();
    if (!access) return;
    inEl.innerHTML = `<option value="">off</option>` + [...access.inputs.values()]
      .map((i) => `<option value="${i.id}">${i.name}</option>`).join("");
  };
  modeEl.addEventListener("focus", fill, { once: true });
  inEl.addEventListener("focus", fill, { once: true });
  modeEl.addEventListener("change", async () => {
    await getAccess();
    if (mode() !== "send") out.stop();
    else if (engine.playing) out.start(performance.now());
  });
  inEl.addEventListener("change", async () => {
    const access = await getAccess();
    follow.attach(access && inEl.value ? access.inputs.get(inEl.value) : null);
  });
  return { out, follow };
}
