// Your rhythm and your sounds in (server side: latentdrum/web/uploads.py):
// - a MIDI clip dropped on the grid or the pad becomes the pattern (read with the Map selector's
//   drum map); an audio loop dropped there is transcribed and placed in the rhythm space;
// - Humanize plays the current pattern like a drummer, by Amount;
// - Tap records a rhythm tapped on any key (or a pad on MIDI in) for up to two bars; the groove
//   follows it (drumify). Enter or Tap again finishes, Esc cancels; while tapping no shortcut of
//   keys.js fires (Space and 1-9, A, M, F, B are taps too);
// - a one-shot dropped on the sound panel (or on a voice's tab) becomes that voice's sound, its
//   class from its name or its sound; when neither says, the page asks.
// Every import is one undo step; a refused file is named in the status line and changes nothing.
// The page's own parts come in through setupImports' arguments (no other coupling to main.js).

const MIDI_EXT = [".mid", ".midi", ".smf", ".kar"];
const AUDIO_EXT = [".wav", ".wave", ".flac", ".ogg", ".oga", ".aif", ".aiff", ".aifc", ".mp3"];
const TAP_BARS = 2;
const KEY_VELOCITY = 0.8;  // a computer key has no velocity

function el(tag, attrs = {}, text = "") {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

// "midi" | "audio" | null, from the file's first bytes, else its name.
async function sniff(file) {
  const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  const magic = String.fromCharCode(...head);
  if (magic === "MThd") return "midi";
  if (["RIFF", "fLaC", "OggS", "FORM"].includes(magic) || magic.startsWith("ID3")) return "audio";
  const name = file.name.toLowerCase();
  if (MIDI_EXT.some((x) => name.endsWith(x))) return "midi";
  if (AUDIO_EXT.some((x) => name.endsWith(x)) || (file.type || "").startsWith("audio/")) return "audio";
  return null;
}

export function setupImports({ ld, engine, state, apply, status, midi, refreshVoice }) {
  const $ = (id) => document.getElementById(id);
  let limits = { bytes: { midi: 1e6, loop: 32e6, sample: 16e6 } };
  fetch("/api/import/limits").then((r) => r.json()).then((l) => { limits = l; }).catch(() => {});
  let busy = false;
  const api = (ld.imports = { lastTaps: [], done: 0, busy: false });  // tests and the curious read these

  const fail = (text) => status(`error: ${text}`, true);

  // --- the controls, added to the existing panels ------------------------------------------------
  const gridPanel = $("grid").closest(".panel") || $("grid").parentElement;
  const bar = el("div", { class: "imports", id: "imports" });
  const open = el("label", { class: "btn file", title: "a MIDI clip or an audio loop (or drop one on the grid or the pad)" }, "Open MIDI / loop");
  const openInput = el("input", { type: "file", id: "import-file", accept: [...MIDI_EXT, ...AUDIO_EXT, "audio/*"].join(",") });
  open.append(openInput);
  const humanize = el("button", { id: "humanize", title: "the same hits, velocities and timing as a drummer plays them" }, "Humanize");
  const amount = el("input", { id: "humanize-amount", type: "range", min: "0", max: "1", step: "0.05", value: "1" });
  const amountOut = el("output", { for: "humanize-amount" }, "1.00");
  const amountLabel = el("label", { class: "slider" }, "Amount");
  amountLabel.append(amount, amountOut);
  const tapButton = el("button", { id: "tap", title: "tap a rhythm on any key or MIDI pad; the groove follows" }, "Tap");
  bar.append(open, humanize, amountLabel, tapButton);
  const patternAsk = el("div", { class: "import-ask", id: "pattern-ask", hidden: "" });
  gridPanel.append(bar, patternAsk);

  // The sound panel takes a dropped one-shot anywhere; its button sits with the voice's buttons
  // (a drop zone of its own would push the panel below the fold on a 1280x720 screen).
  const soundPanel = $("classmap").closest(".panel") || $("classmap").parentElement;
  const sampleDrop = el("label", { class: "btn file", id: "sample-drop", title: "a one-shot for this voice (or drop one on the sound panel)" }, "Your sample…");
  const sampleInput = el("input", { type: "file", id: "sample-file", accept: [...AUDIO_EXT, "audio/*"].join(",") });
  sampleDrop.append(sampleInput);
  const soundAsk = el("div", { class: "import-ask", id: "sound-ask", hidden: "" });
  const voiceButtons = $("audition") ? $("audition").parentElement : soundPanel;
  voiceButtons.append(sampleDrop);
  (voiceButtons.parentElement || soundPanel).append(soundAsk);
  // The questions' fields take their own keys (keys.js leaves [data-own-keys] alone).
  for (const box of [patternAsk, soundAsk]) box.dataset.ownKeys = "";

  // --- asking the user (a loop's tempo, a sample's class) -----------------------------------------
  function ask(box, text, buttons) {
    box.replaceChildren(el("span", {}, text));
    for (const b of buttons) box.append(b);
    const cancel = el("button", { class: "cancel" }, "Cancel");
    cancel.addEventListener("click", () => { box.hidden = true; status("import cancelled"); });
    box.append(cancel);
    box.hidden = false;
  }

  // --- uploads ---------------------------------------------------------------------------------------
  async function post(path, body, json = false) {
    const res = await fetch(path, {
      method: "POST", body: json ? JSON.stringify(body) : body,
      headers: { "Content-Type": json ? "application/json" : "application/octet-stream" },
    });
    return res.json().catch(() => ({ ok: false, error: `the server answered ${res.status} ${res.statusText}` }));
  }

  async function run(label, work) {
    if (busy) { fail("an import is still running; wait for it to finish"); return; }
    busy = api.busy = true;
    status(`${label}…`);
    try {
      const reply = await work();
      if (reply && reply.ok) {
        apply(reply.data);
        status(reply.message || "imported");
        api.done++;
      }
      return reply;
    } catch (e) {
      fail(e.message);
    } finally {
      busy = api.busy = false;
    }
  }

  function tooLarge(file, kind) {
    const limit = limits.bytes[kind];
    if (file.size <= limit) return false;
    fail(`${file.name} is too large (${(file.size / 1e6).toFixed(1)} MB); the limit is ${limit / 1e6} MB`);
    return true;
  }

  async function importRhythm(file, bpm = null) {
    const kind = await sniff(file);
    if (kind === null) { fail(`${file.name} is neither a MIDI clip nor an audio loop: drop a .mid file or a WAV/FLAC/AIFF loop`); return; }
    const route = kind === "midi" ? "midi" : "loop";
    if (tooLarge(file, route)) return;
    patternAsk.hidden = true;
    const q = new URLSearchParams({ name: file.name });
    if (route === "midi") q.set("map", $("drum-map") ? $("drum-map").value || "gm" : "gm");
    if (bpm != null) q.set("bpm", String(bpm));
    const reply = await run(`reading ${file.name}`, () => post(`/api/import/${route}?${q}`, file));
    if (!reply || reply.ok) return;
    if (reply.ask === "bpm") {
      const input = el("input", { type: "number", min: "20", max: "400", step: "0.1", value: String(Math.round(engine.bpm)), id: "loop-bpm" });
      const go = el("button", { id: "loop-bpm-go" }, "Import");
      go.addEventListener("click", () => importRhythm(file, Number(input.value)));
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); go.click(); } });
      ask(patternAsk, `${reply.error}. Its tempo (BPM):`, [input, go]);
      status(reply.error);  // a question, not a failure
      return;
    }
    fail(reply.error);
  }

  async function importSample(file, voice, cls = null) {
    const kind = await sniff(file);
    if (kind === "midi") { fail(`${file.name} is a MIDI clip, not a sound: drop it on the pattern grid`); return; }
    if (kind === null) { fail(`${file.name} is not an audio file: drop a WAV, FLAC, OGG or AIFF one-shot`); return; }
    if (tooLarge(file, "sample")) return;
    soundAsk.hidden = true;
    const q = new URLSearchParams({ voice: String(voice), name: file.name });
    if (cls) q.set("class", cls);
    const reply = await run(`encoding ${file.name}`, () => post(`/api/import/sample?${q}`, file));
    if (!reply) return;
    if (reply.ok) { if (voice === state.voice) refreshVoice(); return; }
    if (reply.ask === "class") {
      const guesses = reply.guesses.map(([c, p]) => {
        const b = el("button", { "data-class": c }, `${c.replace("_", " ")} ${Math.round(p * 100)}%`);
        b.addEventListener("click", () => importSample(file, voice, c));
        return b;
      });
      const other = el("select", { id: "sample-class" });
      other.innerHTML = `<option value="">other…</option>` + reply.classes.map((c) => `<option value="${c}">${c.replace("_", " ")}</option>`).join("");
      other.addEventListener("change", () => { if (other.value) importSample(file, voice, other.value); });
      ask(soundAsk, `What is ${file.name}? The name does not say and the sound is not clear; it sounds most like:`, [...guesses, other]);
      status(reply.error);
      return;
    }
    fail(reply.error);
  }

  const first = (files) => {
    if (!files || !files.length) return null;
    if (files.length > 1) status(`${files.length} files dropped: reading the first, ${files[0].name}`);
    return files[0];
  };

  // Drop targets: the grid and the pad take rhythm (MIDI or loops), the sound panel one-shots.
  function dropTarget(target, onFile) {
    target.addEventListener("dragover", (e) => { e.preventDefault(); target.classList.add("drop-on"); });
    target.addEventListener("dragleave", () => target.classList.remove("drop-on"));
    target.addEventListener("drop", (e) => {
      e.preventDefault();
      target.classList.remove("drop-on");
      const f = first(e.dataTransfer && e.dataTransfer.files);
      if (f) onFile(f, e);
    });
  }
  dropTarget(gridPanel, (f) => importRhythm(f));
  dropTarget($("pad").parentElement, (f) => importRhythm(f));
  dropTarget(soundPanel, (f, e) => {
    const tab = e.target.closest && e.target.closest("[data-voice]");
    importSample(f, tab ? Number(tab.dataset.voice) : state.voice);
  });
  openInput.addEventListener("change", () => { const f = first(openInput.files); openInput.value = ""; if (f) importRhythm(f); });
  sampleInput.addEventListener("change", () => { const f = first(sampleInput.files); sampleInput.value = ""; if (f) importSample(f, state.voice); });

  amount.addEventListener("input", () => { amountOut.textContent = Number(amount.value).toFixed(2); });
  humanize.addEventListener("click", () => run("humanizing", () => post("/api/import/humanize", { amount: Number(amount.value) }, true)));

  // --- tapping -----------------------------------------------------------------------------------------
  // While armed every key is a tap (Space too: the transport keeps running as it is, so taps are
  // placed against one clock); Enter finishes, Esc cancels, and no shortcut of keys.js fires.
  // A tap's place in 16th steps: against the transport while it plays (from the bar line nearest
  // the first tap), else from the first tap, at the session's tempo.
  const tap = { armed: false, taps: [], anchor: 0, t0: 0, timer: null, inputs: [] };

  function stepsAt(tMs) {
    if (engine.playing && engine.ctx) {
      const audioT = engine.ctx.currentTime + (tMs - performance.now()) / 1000;
      return (audioT - engine.loopStart) / engine.stepDur();
    }
    return (tMs - tap.t0) / (engine.stepDur() * 1000);
  }

  function addTap(tMs, velocity) {
    if (!tap.armed) return;
    if (!tap.taps.length) {
      tap.t0 = tMs;
      const s = stepsAt(tMs);
      tap.anchor = engine.playing ? Math.floor((s + 0.5) / 16) * 16 : 0;
      clearTimeout(tap.timer);  // two bars from the first tap, then the groove follows
      tap.timer = setTimeout(finishTaps, (TAP_BARS * 16 - (s - tap.anchor) - 0.5) * engine.stepDur() * 1000 + 50);
    }
    const pos = stepsAt(tMs) - tap.anchor;
    if (pos >= TAP_BARS * 16 - 0.5) { finishTaps(); return; }
    tap.taps.push([Math.max(-0.5, pos), velocity]);
    tapButton.textContent = `Tap: ${tap.taps.length}`;
  }

  function onMidi(e) {
    const [st, note, vel] = e.data;
    if ((st & 0xf0) === 0x90 && vel > 0 && note != null) addTap(e.timeStamp, vel / 127);
  }

  async function armTaps() {
    tap.armed = true; tap.taps = [];
    tapButton.classList.add("on"); tapButton.textContent = "Tap: 0";
    status(`tap any key (or a pad on MIDI in) for a bar or two at ${Math.round(engine.bpm)} BPM; Enter finishes, Esc cancels`);
    const access = midi ? await midi() : null;
    if (access && tap.armed) {
      tap.inputs = [...access.inputs.values()];
      for (const input of tap.inputs) input.addEventListener("midimessage", onMidi);
    }
  }

  function disarm() {
    tap.armed = false;
    clearTimeout(tap.timer);
    for (const input of tap.inputs) input.removeEventListener("midimessage", onMidi);
    tap.inputs = [];
    tapButton.classList.remove("on"); tapButton.textContent = "Tap";
  }

  function finishTaps() {
    if (!tap.armed) return;
    const taps = tap.taps;
    disarm();
    if (!taps.length) { status("no taps: nothing changed"); return; }
    const bars = taps.every(([p]) => p < 15.5) ? 1 : TAP_BARS;
    api.lastTaps = taps;
    run(`drumifying ${taps.length} taps`, () => post("/api/import/taps", { taps, bars }, true));
  }

  tapButton.addEventListener("click", () => (tap.armed ? finishTaps() : armTaps()));
  document.addEventListener("keydown", (e) => {
    if (!tap.armed) return;
    const tag = (e.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea"].includes(tag) && e.target.type !== "range") return;
    if (e.key === "Escape") { disarm(); status("tapping cancelled"); return; }
    if (e.key === "Enter") { e.preventDefault(); finishTaps(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey || ["Shift", "Control", "Alt", "Meta", "Tab"].includes(e.key)) return;
    e.preventDefault(); e.stopPropagation();  // capture on document: keys.js (bubbling) never sees a tap
    if (!e.repeat) addTap(e.timeStamp, KEY_VELOCITY);
  }, true);

  Object.assign(api, { importRhythm, importSample, addTap, armTaps, finishTaps, tap });
}
