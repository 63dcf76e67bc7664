// The page: wires the controls to the server session (websocket) and to the audio engine.
import { Engine } from "./audio.js";
import { setupClock } from "./clock.js";
import { ExportOptions } from "./exports.js";
import { setupImports } from "./imports.js";
import { setupKeys } from "./keys.js";
import "./knobs.js";
import { Link, fetchSounds } from "./net.js";
import { Touch } from "./touch.js";
import { ClassMap, Grid, Pad, PhraseControls, STYLE_COLOURS, VOICE_COLOURS, VOICE_LABELS, drawPreview } from "./views.js";

const $ = (id) => document.getElementById(id);
const engine = new Engine();
const state = { voice: 0, voices: [], loaded: Array(9).fill(null), knobT0: {}, corners: [] };
const touch = new Touch();  // gestures (one undo step each) and the controls the player holds
const ld = (window.__ld = {
  engine, state, errors: [], latency: { drag: [], knob: [], cell: [], server: [] }, gridDraws: 0,
  level: () => engine.level(),
  checksum: (v) => engine.checksum(v),
  sendRaw: (text) => link.sendRaw(text),
  pending: () => link.busy(),  // messages not yet answered (or waiting for the link)
  busy: () => link.busy() > 0 || touch.busy(),
  ready: false,
  applied: [],
  // True once every voice plays its full-quality sounds (layers x variations) and nothing is pending.
  settled: () => !syncing && state.voices.length === 9 && state.voices.every((w, v) => state.loaded[v] === w.key),
});

let statusTimer = null;
function status(text, isError = false) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", isError);
  if (isError) ld.errors.push(text);
  clearTimeout(statusTimer);  // news fades after a while; an error stays until the next message
  if (!isError) statusTimer = setTimeout(() => { if (el.textContent === text) el.textContent = ""; }, 4000);
}

const link = new Link(onBroadcast, status, () => {
  pushPending.clear();
  link.request("state").then((r) => { apply(r.data); status("reconnected"); }).catch(() => {});
});
link.onConnection = (online, waiting, why) => {
  const el = $("conn");
  el.classList.toggle("online", online);
  el.classList.toggle("offline", !online);
  const queued = waiting ? ` · ${waiting} change${waiting > 1 ? "s" : ""} waiting` : "";
  el.textContent = online ? "connected" : `${why === "connecting" ? "connecting" : "offline"}: reconnecting…${queued}`;
  el.title = online ? "the server answers" : "the server cannot be reached; what you do now is sent when it is back";
};

link.onSounds = (sounds) => install(sounds);

// --- applying what the server says --------------------------------------------------------
function apply(data, t0 = null, kind = "drag", serverMs = null) {
  if (!data) return;  // a superseded move: a newer one (maybe another page's) is on its way
  if (data.notice) status(data.notice, true);  // the saved session was moved aside, or cannot be saved
  ld.applied.push(Object.keys(data).join(","));
  if (data.pattern) {
    engine.pattern = data.pattern;
    grid.setPattern(data.pattern);
    ld.gridDraws++;
    if (t0 != null) ld.latency[kind].push(performance.now() - t0);
    if (serverMs != null) ld.latency.server.push(serverMs);
    $("pattern-info").textContent = `${data.pattern.steps / 16} bars · ${data.pattern.hits.flat().reduce((a, b) => a + b, 0)} hits${data.pattern.pinned ? " · edited" : ""}${data.pattern.degenerate ? " · nearly empty at these settings: raise density or temperature" : ""}`;
  }
  if (data.puck) { pad.puck = data.puck; pad.scheduleDraw(); }
  if (data.blend) { pad.blendXY = data.blend; pad.draw(); }
  if (data.corners) { pad.corners = data.corners; state.corners = data.corners; pad.draw(); drawCorners(); }
  if (data.rhythm) {
    const r = data.rhythm;
    $("style").value = r.style ?? "";
    setSlider("temperature", r.temperature); setSlider("density", r.density); setSlider("complexity", r.complexity);
    if (phrase) phrase.set(r);
  }
  if (data.fill) engine.playFill(data.fill);
  if (data.transport) {
    const t = data.transport;
    if (document.activeElement !== $("bpm")) $("bpm").value = Math.round(t.bpm);
    setSlider("swing", t.swing); setSlider("dynamics", t.dynamics); setSlider("variation", t.variation);
    engine.setTempo(t.bpm, touch.held("swing") ? engine.swing : t.swing);
  }
  if (data.voices) {
    lastChange = performance.now();
    for (const [v, t] of pushPending) if (lastChange - t > PUSH_WAIT_MS) pushPending.delete(v);
    state.voices = data.voices;
    data.voices.forEach((v, i) => { engine.mix[i] = { gain_db: v.gain_db, pan: v.pan, tune: v.tune, mute: v.mute }; });
    if (data.engine) engine.setRules(data.engine);  // the renderer's rules: the page plays what exports hold
    showVoice(false);
    syncSounds();
  }
  if (data.undo != null) { $("undo").disabled = !data.undo; $("redo").disabled = !data.redo; }
}

let phrase = null;  // PhraseControls, built with the other controls

function onBroadcast(msg) { ld.applied.push(`broadcast:${msg.op}`); apply(msg.data); }

// Show a server value in a slider or knob, unless the player is on it (then when they let go).
// `key`: the hold's name (a voice's controls are held per voice).
function setSlider(id, value, key = id) {
  touch.show(key, () => {
    const el = $(id);
    el.value = value;
    const out = document.querySelector(`output[for="${id}"]`);
    if (out) out.textContent = Number(value).toFixed(id === "swing" ? 1 : 2);
  });
}

// A voice's controls are held per voice: switching voices shows the new voice's values at once.
const held = (id, v = state.voice) => `${id}@${v}`;

function send(op, fields, kind = null, t0 = null) {
  link.request(op, fields).then((r) => apply(r.data, t0, kind)).catch((e) => status(`error: ${e.message}`, true));
}

// Undo, redo and a loaded scene replace everything: holds are let go, the server's values shown.
function travel(op) {
  touch.releaseAll();
  link.request(op).then((r) => { touch.releaseAll(); apply(r.data); }).catch((e) => status(`error: ${e.message}`, true));
}

// Every continuous control sends on its lane with the gesture it belongs to (one undo step).
function sendLatest(lane, holdKey, op, fields, onReply) {
  link.latest(lane, op, { ...fields, gesture: touch.gesture(holdKey) }, onReply);
}

// Pointer holds: a control is held from pointerdown until the pointer is up (anywhere). Capture:
// the hold (and its new gesture) must start before the control's own pointerdown sends anything.
function holdOnPointer(el, key) {
  el.addEventListener("pointerdown", () => touch.down(typeof key === "function" ? key() : key), { capture: true });
}

// --- sounds: draft (kit sounds) first, then the full layers x variations -------------------
// A knob (or class-map) change gets its draft pushed by the server right after the reply, on
// the websocket; everything else is fetched over HTTP. The full layers and variations are
// fetched once nothing has changed for FULL_DELAY_MS (still turning the knob: stay on drafts).
const FULL_DELAY_MS = 250;
const PUSH_WAIT_MS = 500;  // a pushed draft that does not come is fetched after this
let syncing = false, syncAgain = false, wake = null, lastChange = 0;
const pushPending = new Map();  // voice -> time the push was asked for

function sleep(ms) {
  return new Promise((r) => { wake = r; setTimeout(r, ms); }).then(() => { wake = null; });
}

async function syncSounds() {
  if (syncing) { syncAgain = true; if (wake) wake(); return; }
  syncing = true;
  try {
    do {
      syncAgain = false;
      const want = state.voices, now = performance.now();
      const draft = want.map((w, v) => v).filter((v) => ![want[v].key, want[v].draft_key].includes(state.loaded[v])
        && !(pushPending.has(v) && now - pushPending.get(v) < PUSH_WAIT_MS));
      if (draft.length) install(await fetchSounds(draft, "draft"));
      const quiet = FULL_DELAY_MS - (performance.now() - lastChange);
      if (quiet > 0 || pushPending.size) { await sleep(Math.max(quiet, 20)); syncAgain = true; continue; }
      if (syncAgain) continue;
      const full = state.voices.map((w, v) => v).filter((v) => state.voices[v].key !== state.loaded[v]);
      if (full.length) install(await fetchSounds(full, "full"));
    } while (syncAgain);
  } catch (e) {
    status(`error: ${e.message}`, true);
  } finally {
    syncing = false;
  }
}

function expectPush(v) { pushPending.set(v, performance.now()); }

function install(sounds) {
  for (const [v, s] of Object.entries(sounds)) {
    const want = state.voices[v];
    if (!want || (s.key !== want.key && s.key !== want.draft_key)) { syncAgain = true; continue; }
    if (state.loaded[v] === want.key && s.key !== want.key) continue;  // never downgrade full -> draft
    engine.setVoice(Number(v), s);
    state.loaded[v] = s.key;
    if (s.key === want.draft_key) pushPending.delete(Number(v));
    if (state.knobT0[v] != null) { ld.latency.knob.push(performance.now() - state.knobT0[v]); delete state.knobT0[v]; }
  }
  ld.soundsLoaded = state.loaded.filter(Boolean).length;
}

// --- views ------------------------------------------------------------------------------------
const pad = new Pad($("pad"), (op, fields, t0) => {
  sendLatest("pad", "pad", op, fields, (r) => apply(r.data, t0, "drag", r.server_ms));
});
holdOnPointer($("pad"), "pad");
const grid = new Grid($("grid"), (step, voice, t0) => send("edit", { step, voice }, "cell", t0),
  { ruler: $("grid-ruler"), playhead: $("playhead"), pages: $("grid-pages") });
const classMap = new ClassMap($("classmap"), (point, t0) => {
  state.knobT0[state.voice] = t0;
  expectPush(state.voice);
  touch.down(held("classmap")); touch.up(held("classmap"));  // one click, one gesture
  sendLatest(`voice${state.voice}`, held("classmap"), "voice", { voice: state.voice, point }, (r) => apply(r.data));
});
engine.onStep = (s) => {
  grid.setPlayStep(s);
  const p = engine.pattern;
  if (s >= 0 && p && s < p.steps) pad.flashHits(p.hits.map((h, v) => [v, h[s] ? p.velocities[v][s] : 0]).filter((x) => x[1] > 0));
};
ld.grid = grid; ld.pad = pad;

// Blend mode: each corner shows its groove in miniature.
function drawCorners() {
  document.querySelectorAll("[data-corner] canvas.preview").forEach((c, i) => {
    if (state.corners[i]) drawPreview(c, state.corners[i].hits);
  });
}

async function showVoice(refetchMap) {
  const v = state.voice, info = state.voices[v];
  if (!info) return;
  document.querySelectorAll("#voice-tabs button").forEach((b, i) => b.classList.toggle("on", i === v));
  // A kick or a tom from your sample keeps its pitch: its body is retuned (the voice's transpose).
  const st = info.transpose || 0;
  $("voice-class").textContent = info.sound_class.replace("_", " ")
    + (Math.abs(st) >= 0.05 ? ` · at your sample's pitch (${st > 0 ? "+" : ""}${st.toFixed(1)} st)` : "");
  for (const k of ["brightness", "decay", "pitch", "attack"]) setSlider(`knob-${k}`, info.knobs[k], held(`knob-${k}`, v));
  setSlider("gain", info.gain_db, held("gain", v)); setSlider("pan", info.pan, held("pan", v));
  setSlider("tune", info.tune, held("tune", v));
  $("mute").checked = info.mute;
  if (refetchMap || classMap.voice !== v) {
    classMap.voice = v;
    const res = await fetch(`/api/sound-map/${v}`);
    if (res.ok) classMap.set(await res.json(), VOICE_COLOURS[v]);
  } else {
    classMap.setPoint(info.point);
  }
}

// --- controls ---------------------------------------------------------------------------------
function buildControls(st) {
  const sel = $("style");
  sel.innerHTML = `<option value="">any style</option>` + st.styles.map((s) => `<option value="${s}">${s}</option>`).join("");
  $("legend").innerHTML = st.styles.map((s, i) => `<span><i style="background:${STYLE_COLOURS[i % STYLE_COLOURS.length]}"></i>${s}</span>`).join("");
  $("voice-tabs").innerHTML = VOICE_LABELS.map((l, i) => `<button data-voice="${i}" style="--c:${VOICE_COLOURS[i]}">${l}</button>`).join("");
  $("voice-tabs").addEventListener("click", (e) => {
    const b = e.target.closest("button"); if (!b) return;
    state.voice = Number(b.dataset.voice); showVoice(true);
  });
  sel.addEventListener("change", () => send("rhythm", { style: sel.value || null }, "drag", performance.now()));
  phrase = new PhraseControls(sel.closest(".selects"), (f) => send("rhythm", f, "drag", performance.now()),
    () => send("fill", {}));
  for (const id of ["temperature", "density", "complexity"]) {
    holdOnPointer($(id), id);
    $(id).addEventListener("input", (e) => {
      const value = Number($(id).value);
      showOutput(id);
      sendLatest(`rhythm-${id}`, id, "rhythm", { [id]: value }, (r) => apply(r.data, e.timeStamp, "drag"));
    });
  }
  document.querySelectorAll("[data-dice]").forEach((b) => b.addEventListener("click", () =>
    send("dice", { kind: b.dataset.dice, amount: Number($("amount").value) })));
  $("amount").addEventListener("input", () => showOutput("amount"));
  for (const k of ["brightness", "decay", "pitch", "attack"]) {
    const id = `knob-${k}`;
    holdOnPointer($(id), () => held(id));
    $(id).addEventListener("input", (e) => {
      const v = state.voice;
      state.knobT0[v] = e.detail && e.detail.t0 != null ? e.detail.t0 : e.timeStamp;
      expectPush(v);
      sendLatest(`voice${v}-${k}`, held(id, v), "voice", { voice: v, knobs: { [k]: Number($(id).value) } }, (r) => apply(r.data));
    });
  }
  for (const [id, field] of [["gain", "gain_db"], ["pan", "pan"], ["tune", "tune"]]) {
    holdOnPointer($(id), () => held(id));
    $(id).addEventListener("input", () => {
      const v = state.voice;
      engine.mix[v][field] = Number($(id).value);
      sendLatest(`mix${v}-${field}`, held(id, v), "voice", { voice: v, [field]: Number($(id).value) }, (r) => apply(r.data));
    });
  }
  $("mute").addEventListener("change", () => send("voice", { voice: state.voice, mute: $("mute").checked }));
  $("dice-voice").addEventListener("click", () => {
    state.knobT0[state.voice] = performance.now();
    expectPush(state.voice);
    send("dice_voice", { voice: state.voice, amount: Number($("amount").value) });
  });
  $("audition").addEventListener("click", () => engine.audition(state.voice));
  for (const id of ["dynamics", "variation"]) {
    holdOnPointer($(id), id);
    $(id).addEventListener("input", () => {
      showOutput(id);
      sendLatest(`coupling-${id}`, id, "coupling", { [id]: Number($(id).value) }, (r) => apply(r.data));
    });
  }
  holdOnPointer($("swing"), "swing");
  $("swing").addEventListener("input", () => {
    showOutput("swing");
    engine.setTempo(engine.bpm, Number($("swing").value));
    sendLatest("transport-swing", "swing", "transport", { swing: Number($("swing").value) }, (r) => apply(r.data));
  });
  document.addEventListener("pointerup", () => touch.upAll());
  document.addEventListener("pointercancel", () => touch.upAll());
  // Tempo: the value played is the value shown (clamped to 40-300); Enter sets it and gives the
  // keyboard back to the instrument (space plays again).
  $("bpm").addEventListener("change", () => {
    const raw = Number($("bpm").value);
    const bpm = Math.min(300, Math.max(40, Math.round(Number.isFinite(raw) && raw > 0 ? raw : engine.bpm)));
    $("bpm").value = bpm;
    engine.setTempo(bpm, engine.swing);
    send("transport", { bpm });
  });
  $("bpm").addEventListener("keydown", (e) => { if (e.key === "Enter") $("bpm").blur(); });
  $("play").addEventListener("click", togglePlay);
  $("undo").addEventListener("click", () => travel("undo"));
  $("redo").addEventListener("click", () => travel("redo"));
  $("mode-map").addEventListener("click", () => setMode("map"));
  $("mode-blend").addEventListener("click", () => setMode("blend"));
  document.querySelectorAll("[data-corner]").forEach((b) => b.addEventListener("click", (e) => {
    const corner = Number(b.dataset.corner);
    if (e.shiftKey || e.target.classList.contains("store")) send("corner_store", { corner });
    else send("corner_recall", { corner });
  }));
  $("scene-file").addEventListener("change", async () => {
    const input = $("scene-file"), f = input.files[0]; if (!f) return;
    const text = await f.text();
    input.value = "";  // the same file chosen again is a new choice (a change event), not nothing
    try {
      const res = await fetch("/api/scene", { method: "POST", headers: { "Content-Type": "application/json" }, body: text });
      const body = await res.json();
      if (body.ok) { touch.releaseAll(); apply(body.data); status(`scene ${f.name} loaded`); } else status(`error: ${body.error}`, true);
    } catch (e) {
      status(`error: the scene could not be sent (${e.message}); is the server running?`, true);
    }
  });
  $("midi-out").addEventListener("focus", setupMidi, { once: true });
  $("midi-out").addEventListener("change", () => {
    engine.midiOut = ld.midi && $("midi-out").value ? ld.midi.outputs.get($("midi-out").value) : null;
  });
  setupKeys({
    togglePlay, undo: () => travel("undo"), redo: () => travel("redo"),
    voice: (v) => { state.voice = v; showVoice(true); },
    audition: () => engine.audition(state.voice),
    mute: () => $("mute").click(),
    fill: () => send("fill", {}),
    blend: () => setMode(pad.mode === "blend" ? "map" : "blend"),
  });
}

function showOutput(id) {
  const out = document.querySelector(`output[for="${id}"]`);
  if (out) out.textContent = Number($(id).value).toFixed(id === "swing" ? 1 : 2);
}

function setMode(mode) {
  pad.mode = mode;
  $("mode-map").classList.toggle("on", mode === "map");
  $("mode-blend").classList.toggle("on", mode === "blend");
  $("pad-wrap").classList.toggle("blend", mode === "blend");
  pad.draw();
  drawCorners();
}

function togglePlay() {
  if (engine.playing) engine.stop(); else engine.play();
  $("play").classList.toggle("on", engine.playing);
  $("play").setAttribute("aria-pressed", String(engine.playing));
}

// Asked once (MIDI out, clock and MIDI in share one MIDIAccess).
let midiSetup = null;
function setupMidi() { return (midiSetup ||= setupMidiOnce()); }

async function setupMidiOnce() {
  if (!navigator.requestMIDIAccess) { $("midi-out").title = "this browser has no Web MIDI"; return; }
  try {
    ld.midi = await navigator.requestMIDIAccess();
    for (const out of ld.midi.outputs.values()) {
      const o = document.createElement("option"); o.value = out.id; o.textContent = out.name; $("midi-out").append(o);
    }
  } catch (e) {
    $("midi-out").title = `Web MIDI unavailable (${e.message})`;
  }
}

function meter() {
  const lvl = engine.level();
  $("meter-bar").style.width = `${Math.min(100, Math.sqrt(lvl) * 160)}%`;
  requestAnimationFrame(meter);
}

async function main() {
  ld.exports = new ExportOptions((pitches) => { engine.midiPitches = pitches; });
  ld.exports.load().catch(() => {});
  ld.togglePlay = togglePlay;
  setupClock(engine, ld, async () => { await setupMidi(); return ld.midi || null; });
  // The server's MIDI clock (serve --clock) follows this page's play/stop too.
  const clockOut = engine.onTransport;
  engine.onTransport = (playing, audioTime) => {
    if (clockOut) clockOut(playing, audioTime);
    const lead = playing && engine.ctx ? Math.min(1000, Math.max(0, (audioTime - engine.ctx.currentTime) * 1000)) : 0;
    link.request("play", { playing, lead_ms: Math.round(lead) }).catch(() => {});
  };
  const [map, reply] = await Promise.all([fetch("/api/rhythm-map").then((r) => r.json()), link.ready.then(() => link.request("state"))]);
  buildControls(reply.data);
  pad.setMap(map);
  apply(reply.data);
  await showVoice(true);
  setupImports({ ld, engine, state, apply, status, midi: async () => { await setupMidi(); return ld.midi || null; },
    refreshVoice: () => showVoice(true) });
  window.addEventListener("resize", () => { pad.draw(); grid.draw(); classMap.draw(); drawCorners(); });
  requestAnimationFrame(meter);
  ld.ready = true;
  status("ready: space plays");
}

main().catch((e) => status(`error: ${e.message}`, true));
