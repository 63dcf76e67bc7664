// Export options: the drum map, MIDI timing and WAV rate selectors. They set the download links'
// query strings (/api/download/NAME?map=..&timing=..&rate=..) and the pitches MIDI out sends.

const LINKS = { "dl-mid": "pattern.mid", "dl-groove": "groove.mid", "dl-wav": "loop.wav", "dl-stems": "stems.zip" };

export class ExportOptions {
  constructor(onPitches) {
    this.onPitches = onPitches;  // (pitches[9] or null: the engine rules' GM pitches) -> void
    this.maps = {};  // name -> write pitch per voice, from the server (/api/drum-maps)
    this.map = document.getElementById("drum-map");
    this.timing = document.getElementById("midi-timing");
    this.rate = document.getElementById("wav-rate");
    for (const el of [this.map, this.timing, this.rate]) el.addEventListener("change", () => this.update());
  }

  async load() {
    const res = await fetch("/api/drum-maps");
    if (res.ok) this.maps = await res.json();
    this.map.innerHTML = Object.keys(this.maps).map((n) => `<option value="${n}">${n}</option>`).join("");
    this.update();
  }

  pitches() { return this.maps[this.map.value] || null; }

  query() {
    return new URLSearchParams({ map: this.map.value, timing: this.timing.value, rate: this.rate.value }).toString();
  }

  update() {
    const q = this.query();
    for (const [id, name] of Object.entries(LINKS)) {
      const a = document.getElementById(id);
      if (a) a.href = `/api/download/${name}?${q}`;
    }
    document.getElementById("dl-groove").hidden = this.timing.value !== "straight";
    this.onPitches(this.pitches());
  }
}
