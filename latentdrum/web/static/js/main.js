// The page: wires the controls to the server session (websocket) and to the audio engine.
import { Engine } from "./audio.js";
import { setupClock } from "./clock.js";
import { ExportOptions } from "./exports.js";
import { Link, fetchSounds } from "./net.js";
import { ClassMap, Grid, Pad, PhraseControls, STYLE_COLOURS, VOICE_COLOURS, VOICE_LABELS } from "./views.js";

const $ = (id) => document.getElementById(id);
const engine = new Engine();
const state = { voice: 0, voices: [], loaded: Array(9).fill(null), knobT0: {} };
const ld = (window.__ld = {
  engine, state, errors: [], latency: { drag: [], knob: [], cell: [], server: [] }, gridDraws: 0,
  level: () => engine.level(),
  checksum: (v) => engine.checksum(v),
  sendRaw: (text) => link.sendRaw(text),
  ready: false,
  applied: [],
  // True once every voice plays its full-quality sounds (layers x variations) and nothing is pending.
  settled: () => !syncing && state.voices.length === 9 && state.voices.every((w, v) => state.loaded[v] === w.key),
});

function status(text, isError = false) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", isError);
  if (isError) ld.errors.push(text);
}

const link = new Link(onBroadcast, status, () => {
  pushPending.clear();
  link.request("state").then((r) => { apply(r.data); status("reconnected"); }).catch(() => {});
});

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
  if (data.corners) { pad.corners = data.corners; pad.draw(); }
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
    engine.setTempo(t.bpm, t.swing);
  }
  if (data.voices) {
    lastChange = performance.now();
    for (const [v, t] of pushPending) if (lastChange - t > PUSH_WAIT_MS) pushPending.delete(v);
    state.voices = data.voices;
    data.voices.forEach((v, i) => { engine.mix[i] = { gain_db: v.gain_db, pan: v.pan, tune: v.tune, mute: v.mute }; });
    engine.chokeGroups = data.choke_groups || engine.chokeGroups;
    showVoice(false);
    syncSounds();
  }
  if (data.undo != null) { $("undo").disabled = !data.undo; $("redo").disabled = !data.redo; }
}

let phrase = null;  // PhraseControls, built with the other controls

function onBroadcast(msg) { ld.applied.push(`broadcast:${msg.op}`); apply(msg.data); }

function setSlider(id, value) {
  const el = $(id);
  if (document.activeElement === el && pad.dragging) return;
  el.value = value;
  const out = document.querySelector(`output[for="${id}"]`);
  if (out) out.textContent = Number(value).toFixed(id === "swing" ? 1 : 2);
}

function send(op, fields, kind = null, t0 = null) {
  link.request(op, fields).then((r) => apply(r.data, t0, kind)).catch((e) => status(`error: ${e.message}`, true));
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
  link.latest("pad", op, fields, (r) => apply(r.data, t0, "drag", r.server_ms));
});
const grid = new Grid($("grid"), (step, voice, t0) => send("edit", { step, voice }, "cell", t0));
const classMap = new ClassMap($("classmap"), (point, t0) => {
  state.knobT0[state.voice] = t0;
  expectPush(state.voice);
  link.latest(`voice${state.voice}`, "voice", { voice: state.voice, point }, (r) => apply(r.data));
});
engine.onStep = (s) => grid.setPlayStep(s);

async function showVoice(refetchMap) {
  const v = state.voice, info = state.voices[v];
  if (!info) return;
  document.querySelectorAll("#voice-tabs button").forEach((b, i) => b.classList.toggle("on", i === v));
  $("voice-class").textContent = info.sound_class.replace("_", " ");
  for (const k of ["brightness", "decay", "pitch", "attack"]) setSlider(`knob-${k}`, info.knobs[k]);
  setSlider("gain", info.gain_db); setSlider("pan", info.pan); setSlider("tune", info.tune);
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
  phrase = new PhraseControls(sel.closest(".controls"), (f) => send("rhythm", f, "drag", performance.now()),
    () => send("fill", {}));
  for (const id of ["temperature", "density", "complexity"]) {
    $(id).addEventListener("input", (e) => {
      setSlider(id, $(id).value);
      link.latest("rhythm", "rhythm", { [id]: Number($(id).value) }, (r) => apply(r.data, e.timeStamp, "drag"));
    });
  }
  document.querySelectorAll("[data-dice]").forEach((b) => b.addEventListener("click", () =>
    send("dice", { kind: b.dataset.dice, amount: Number($("amount").value) })));
  $("amount").addEventListener("input", () => setSlider("amount", $("amount").value));
  for (const k of ["brightness", "decay", "pitch", "attack"]) {
    $(`knob-${k}`).addEventListener("input", (e) => {
      const v = state.voice;
      setSlider(`knob-${k}`, $(`knob-${k}`).value);
      state.knobT0[v] = e.timeStamp;
      expectPush(v);
      link.latest(`voice${v}`, "voice", { voice: v, knobs: { [k]: Number($(`knob-${k}`).value) } }, (r) => apply(r.data));
    });
  }
  for (const [id, field] of [["gain", "gain_db"], ["pan", "pan"], ["tune", "tune"]]) {
    $(id).addEventListener("input", () => {
      setSlider(id, $(id).value);
      const v = state.voice;
      engine.mix[v][field] = Number($(id).value);
      link.latest(`mix${v}`, "voice", { voice: v, [field]: Number($(id).value) }, (r) => apply(r.data));
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
    $(id).addEventListener("change", () => send("coupling", { [id]: Number($(id).value) }));
    $(id).addEventListener("input", () => setSlider(id, $(id).value));
  }
  $("swing").addEventListener("input", () => {
    setSlider("swing", $("swing").value);
    engine.setTempo(engine.bpm, Number($("swing").value));
    link.latest("transport", "transport", { swing: Number($("swing").value) }, (r) => apply(r.data));
  });
  $("bpm").addEventListener("change", () => {
    const bpm = Math.min(300, Math.max(40, Number($("bpm").value) || 100));
    engine.setTempo(bpm, engine.swing);
    send("transport", { bpm });
  });
  $("play").addEventListener("click", togglePlay);
  $("undo").addEventListener("click", () => send("undo"));
  $("redo").addEventListener("click", () => send("redo"));
  $("mode-map").addEventListener("click", () => setMode("map"));
  $("mode-blend").addEventListener("click", () => setMode("blend"));
  document.querySelectorAll("[data-corner]").forEach((b) => b.addEventListener("click", (e) => {
    const corner = Number(b.dataset.corner);
    if (e.shiftKey || e.target.classList.contains("store")) send("corner_store", { corner });
    else send("corner_recall", { corner });
  }));
  $("scene-file").addEventListener("change", async () => {
    const f = $("scene-file").files[0]; if (!f) return;
    const res = await fetch("/api/scene", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: await f.text() });
    const body = await res.json();
    if (body.ok) { apply(body.data); status("scene loaded"); } else status(`error: ${body.error}`, true);
  });
  $("midi-out").addEventListener("focus", setupMidi, { once: true });
  $("midi-out").addEventListener("change", () => {
    engine.midiOut = ld.midi && $("midi-out").value ? ld.midi.outputs.get($("midi-out").value) : null;
  });
  // Space plays/stops everywhere but in text fields; on a focused button it must not also click it.
  const spaceIsPlay = (e) => {
    const tag = (e.target.tagName || "").toLowerCase();
    return e.code === "Space" && (!["input", "select", "textarea"].includes(tag) || e.target.type === "range");
  };
  document.addEventListener("keyup", (e) => { if (spaceIsPlay(e)) e.preventDefault(); });
  document.addEventListener("keydown", (e) => {
    if (spaceIsPlay(e)) {
      e.preventDefault();
      if (!e.repeat) togglePlay();
    }
    if ((e.ctrlKey || e.metaKey) && e.key === "z") { e.preventDefault(); send(e.shiftKey ? "redo" : "undo"); }
  });
}

function setMode(mode) {
  pad.mode = mode;
  $("mode-map").classList.toggle("on", mode === "map");
  $("mode-blend").classList.toggle("on", mode === "blend");
  $("pad-wrap").classList.toggle("blend", mode === "blend");
  pad.draw();
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
  window.addEventListener("resize", () => { pad.draw(); grid.draw(); classMap.draw(); });
  requestAnimationFrame(meter);
  ld.ready = true;
  status("ready: space plays");
}

main().catch((e) => status(`error: ${e.message}`, true));
