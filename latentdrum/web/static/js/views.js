// Canvas views: the rhythm XY pad over the latent map, the step grid (with its beat ruler,
// playhead and pages), a sound class map, and the corner previews of Blend mode.

export const STYLE_COLOURS = [
  "#ff6b6b", "#ffa94d", "#ffd43b", "#a9e34b", "#69db7c", "#38d9a9", "#3bc9db", "#4dabf7", "#748ffc",
  "#9775fa", "#da77f2", "#f783ac", "#e8590c", "#66a80f", "#1098ad", "#5f3dc4", "#c2255c", "#adb5bd",
];
const VOICE_LABELS = ["Kick", "Snare", "Closed hat", "Open hat", "Low tom", "Mid tom", "High tom", "Crash", "Ride"];
const VOICE_SHORT = ["BD", "SD", "CH", "OH", "LT", "MT", "HT", "CY", "RD"];  // drum-machine names, narrow grids
const MIN_CELL_PX = 14;  // narrower than this, the grid shows one bar (16 steps) at a time
const FLASH_MS = 160;
const VOICE_COLOURS = ["#ff8a5b", "#ffd166", "#7bdff2", "#4cc9f0", "#b388ff", "#9d7bff", "#c77dff", "#f4a261", "#e9c46a"];

function fit(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

function bounds(points, extra = []) {
  const xs = points.map((p) => p[0]).concat(extra.map((p) => p[0]));
  const ys = points.map((p) => p[1]).concat(extra.map((p) => p[1]));
  const q = (a, f) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(f * (s.length - 1))]; };
  let x0 = q(xs, 0.01), x1 = q(xs, 0.99), y0 = q(ys, 0.01), y1 = q(ys, 0.99);
  const px = (x1 - x0) * 0.12 || 1, py = (y1 - y0) * 0.12 || 1;
  return { x0: x0 - px, x1: x1 + px, y0: y0 - py, y1: y1 + py };
}

export class Pad {
  constructor(canvas, onDrag) {
    this.canvas = canvas;
    this.mode = "map";
    this.points = []; this.styles = []; this.names = [];
    this.puck = [0, 0]; this.blendXY = [0, 0]; this.corners = [];
    this.view = { x0: -1, x1: 1, y0: -1, y1: 1 };
    this.onDrag = onDrag;
    this.dragging = false;
    this.flash = null;  // {t, level, colour}: the puck lights up on every step that plays a hit
    this.flashes = 0;
    canvas.addEventListener("pointerdown", (e) => { this.dragging = true; canvas.setPointerCapture(e.pointerId); this.drag(e); });
    // pointerrawupdate (where the browser has it) is dispatched at once; pointermove waits for
    // the next animation frame, which would add up to a frame to every drag -> grid latency.
    const move = "onpointerrawupdate" in window ? "pointerrawupdate" : "pointermove";
    canvas.addEventListener(move, (e) => { if (this.dragging) this.drag(e); });
    const end = () => { this.dragging = false; };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  setMap(m) {
    this.points = m.points; this.styles = m.styles; this.names = m.style_names;
    this.view = bounds(this.points);
    this.draw();
  }

  toScreen([x, y], w, h) {
    const v = this.view;
    return [((x - v.x0) / (v.x1 - v.x0)) * w, (1 - (y - v.y0) / (v.y1 - v.y0)) * h];
  }

  fromScreen(sx, sy, w, h) {
    const v = this.view;
    return [v.x0 + (sx / w) * (v.x1 - v.x0), v.y0 + (1 - sy / h) * (v.y1 - v.y0)];
  }

  drag(e) {
    const r = this.canvas.getBoundingClientRect();
    const sx = Math.min(Math.max(e.clientX - r.left, 0), r.width), sy = Math.min(Math.max(e.clientY - r.top, 0), r.height);
    if (this.mode === "map") {
      const xy = this.fromScreen(sx, sy, r.width, r.height);
      this.puck = xy;
      this.onDrag("move", { x: xy[0], y: xy[1] }, e.timeStamp);
    } else {
      const xy = [sx / r.width, sy / r.height];
      this.blendXY = xy;
      this.onDrag("blend", { x: xy[0], y: xy[1] }, e.timeStamp);
    }
    this.scheduleDraw();
  }

  // A step played `hits` ([voice, velocity] pairs): flash the puck, as loud as the loudest hit.
  flashHits(hits) {
    if (!hits.length) return;
    const [v, level] = hits.reduce((a, b) => (b[1] > a[1] ? b : a));
    this.flash = { t: performance.now(), level, colour: VOICE_COLOURS[v] };
    this.flashes++;
    this.scheduleDraw();
  }

  scheduleDraw() {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => { this.drawPending = false; this.draw(); });
  }

  // The training-data points, drawn once per size into an offscreen canvas (drags stay cheap).
  layer(w, h) {
    const dpr = window.devicePixelRatio || 1;
    if (this.cache && this.cache.w === w && this.cache.h === h && this.cache.n === this.points.length) return this.cache.canvas;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.globalAlpha = 0.7;
    for (let i = 0; i < this.points.length; i++) {
      const [sx, sy] = this.toScreen(this.points[i], w, h);
      const s = this.styles[i];
      ctx.fillStyle = s >= 0 ? STYLE_COLOURS[s % STYLE_COLOURS.length] : "#8a8f98";
      ctx.fillRect(sx - 1.5, sy - 1.5, 3, 3);
    }
    this.cache = { w, h, n: this.points.length, canvas };
    return canvas;
  }

  draw() {
    const { ctx, w, h } = fit(this.canvas);
    ctx.fillStyle = "#12141a"; ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = "rgba(255,255,255,0.05)"; ctx.lineWidth = 1;
    for (let i = 1; i < 8; i++) {
      ctx.beginPath(); ctx.moveTo((i * w) / 8, 0); ctx.lineTo((i * w) / 8, h); ctx.stroke();
      ctx.beginPath(); ctx.moveTo(0, (i * h) / 8); ctx.lineTo(w, (i * h) / 8); ctx.stroke();
    }
    const blend = this.mode === "blend";
    ctx.globalAlpha = blend ? 0.3 : 1;
    ctx.drawImage(this.layer(w, h), 0, 0, w, h);
    ctx.globalAlpha = 1;
    const labels = ["A", "B", "C", "D"];
    if (!blend) {
      this.corners.forEach((c, i) => {
        const [sx, sy] = this.toScreen(c.puck, w, h);
        ctx.strokeStyle = "rgba(255,255,255,0.55)"; ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.arc(sx, sy, 9, 0, 2 * Math.PI); ctx.stroke();
        ctx.fillStyle = "#e6e8ee"; ctx.font = "600 10px system-ui, sans-serif"; ctx.textAlign = "center";
        ctx.fillText(labels[i], sx, sy + 3.5);
      });
    }
    const [px, py] = blend ? [this.blendXY[0] * w, this.blendXY[1] * h] : this.toScreen(this.puck, w, h);
    if (blend) {
      const [mx, my] = this.toScreen(this.puck, w, h);
      ctx.strokeStyle = "rgba(255,209,102,0.7)"; ctx.setLineDash([3, 3]);
      ctx.beginPath(); ctx.moveTo(px, py); ctx.lineTo(mx, my); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillStyle = "rgba(255,209,102,0.8)"; ctx.beginPath(); ctx.arc(mx, my, 4, 0, 2 * Math.PI); ctx.fill();
    }
    const g = ctx.createRadialGradient(px, py, 2, px, py, 22);
    g.addColorStop(0, "rgba(255,209,102,0.55)"); g.addColorStop(1, "rgba(255,209,102,0)");
    ctx.fillStyle = g; ctx.beginPath(); ctx.arc(px, py, 22, 0, 2 * Math.PI); ctx.fill();
    const f = this.flash, age = f ? performance.now() - f.t : Infinity;
    if (age < FLASH_MS) {
      const k = 1 - age / FLASH_MS;
      ctx.globalAlpha = 0.35 + 0.65 * k;
      ctx.strokeStyle = f.colour; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.arc(px, py, 10 + 18 * f.level * (1.2 - k), 0, 2 * Math.PI); ctx.stroke();
      ctx.globalAlpha = 1;
      this.scheduleDraw();
    }
    ctx.fillStyle = age < FLASH_MS ? "#fff3c4" : "#ffd166"; ctx.strokeStyle = "#1b1d24"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(px, py, 8, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  }
}

// A corner's groove in miniature (Blend mode): one row per voice, one column per step.
export function drawPreview(canvas, hits) {
  const { ctx, w, h } = fit(canvas);
  ctx.fillStyle = "#12141a"; ctx.fillRect(0, 0, w, h);
  if (!hits || !hits.length) { canvas.dataset.hits = "0"; return; }
  const steps = hits[0].length, cw = w / steps, ch = h / 9;
  let n = 0;
  for (let v = 0; v < 9; v++) {
    ctx.fillStyle = VOICE_COLOURS[v];
    for (let s = 0; s < steps; s++) if (hits[v][s]) { ctx.fillRect(s * cw, v * ch, Math.max(1, cw - 0.5), Math.max(1, ch - 0.5)); n++; }
  }
  ctx.fillStyle = "rgba(255,255,255,0.25)";
  for (let b = 16; b < steps; b += 16) ctx.fillRect(b * cw, 0, 1, h);
  canvas.dataset.hits = String(n);
}

// The step grid. `ruler` (a DOM row above the canvas) numbers bars and beats; `playhead` (a DOM
// box over it) marks the playing step; `pages` holds one button per bar when the grid is too
// narrow for the whole phrase (a phone): then it shows one bar, following the playhead.
export class Grid {
  constructor(canvas, onCell, { ruler, playhead, pages } = {}) {
    this.canvas = canvas;
    this.ruler = ruler; this.playhead = playhead; this.pages = pages;
    this.pattern = null;
    this.playStep = -1;
    this.page = 0;
    this.onCell = onCell;
    canvas.addEventListener("click", (e) => {
      if (!this.pattern) return;
      const r = canvas.getBoundingClientRect();
      const { lw, first, count } = this.layout(r.width);
      const cw = (r.width - lw) / count, ch = r.height / 9;
      const step = first + Math.floor((e.clientX - r.left - lw) / cw), voice = Math.floor((e.clientY - r.top) / ch);
      if (e.clientX - r.left >= lw && step < first + count && voice >= 0 && voice < 9) this.onCell(step, voice, e.timeStamp);
    });
    if (pages) pages.addEventListener("click", (e) => {
      const b = e.target.closest("button"); if (!b) return;
      this.page = Number(b.dataset.page); this.draw();
    });
  }

  // Label width and the steps shown: the whole phrase, or one bar where cells would be too narrow.
  layout(w) {
    const steps = this.pattern ? this.pattern.steps : 16;
    const lw = w < 520 ? 34 : 86;
    const paged = (w - lw) / steps < MIN_CELL_PX && steps > 16;
    const bars = steps / 16;
    if (!paged) return { lw, first: 0, count: steps, paged, bars };
    this.page = Math.min(this.page, bars - 1);
    return { lw, first: this.page * 16, count: 16, paged, bars };
  }

  cellSize() {
    const w = this.canvas.clientWidth, { lw, count } = this.layout(w);
    return { width: (w - lw) / count, height: this.canvas.clientHeight / 9 };
  }

  setPattern(p) { this.pattern = p; this.draw(); }

  setPlayStep(s) {
    if (s === this.playStep) return;
    this.playStep = s;
    const { lw, first, count, paged } = this.layout(this.canvas.clientWidth);
    if (paged && s >= 0 && (s < first || s >= first + count)) { this.page = Math.floor(s / 16); this.draw(); return; }
    this.placePlayhead(lw, first, count);
  }

  placePlayhead(lw, first, count) {
    const ph = this.playhead;
    if (!ph) return;
    const s = this.playStep;
    if (s < first || s >= first + count) { ph.hidden = true; return; }
    const cw = (this.canvas.clientWidth - lw) / count;
    ph.hidden = false;
    ph.style.left = `${this.canvas.offsetLeft + lw + (s - first) * cw}px`;
    ph.style.width = `${cw}px`;
    ph.style.top = `${this.canvas.offsetTop}px`;
    ph.style.height = `${this.canvas.clientHeight}px`;
  }

  // Bar numbers on each bar's first step, beat numbers 2-4 on the others' first step.
  drawRuler(lw, first, count, paged, bars) {
    if (this.ruler) {
      const key = `${lw}:${first}:${count}`;
      if (this.ruler.dataset.key !== key) {
        this.ruler.dataset.key = key;
        this.ruler.style.paddingLeft = `${lw}px`;
        this.ruler.style.gridTemplateColumns = `repeat(${count}, 1fr)`;
        this.ruler.innerHTML = Array.from({ length: count }, (_, i) => {
          const s = first + i;
          if (s % 16 === 0) return `<span class="bar">${s / 16 + 1}</span>`;
          return s % 4 === 0 ? `<span class="beat">${(s % 16) / 4 + 1}</span>` : "<span></span>";
        }).join("");
      }
    }
    if (this.pages) {
      const key = paged ? `${bars}:${this.page}` : "";
      if (this.pages.dataset.key !== key) {
        this.pages.dataset.key = key;
        this.pages.hidden = !paged;
        this.pages.innerHTML = paged ? Array.from({ length: bars }, (_, b) =>
          `<button data-page="${b}" class="${b === this.page ? "on" : ""}">Bar ${b + 1}</button>`).join("") : "";
      }
    }
  }

  draw() {
    const { ctx, w, h } = fit(this.canvas);
    const p = this.pattern;
    ctx.fillStyle = "#12141a"; ctx.fillRect(0, 0, w, h);
    if (!p) return;
    const { lw, first, count, paged, bars } = this.layout(w);
    this.drawRuler(lw, first, count, paged, bars);
    const cw = (w - lw) / count, ch = h / 9;
    const names = lw < 60 ? VOICE_SHORT : VOICE_LABELS;
    ctx.font = `500 ${lw < 60 ? 11 : 12}px system-ui, sans-serif`; ctx.textAlign = "left"; ctx.textBaseline = "middle";
    for (let v = 0; v < 9; v++) {
      ctx.fillStyle = VOICE_COLOURS[v]; ctx.fillRect(4, v * ch + ch / 2 - 4, 6, 8);
      ctx.fillStyle = "#c9ccd6"; ctx.fillText(names[v], 14, v * ch + ch / 2);
    }
    for (let i = 0; i < count; i++) {
      const x = lw + i * cw, s = first + i;
      ctx.fillStyle = Math.floor(s / 4) % 2 === 0 ? "#1a1d25" : "#161920";
      ctx.fillRect(x, 0, cw, h);
    }
    const gap = cw > 12 ? 2 : 1;
    for (let v = 0; v < 9; v++) {
      for (let i = 0; i < count; i++) {
        const s = first + i, x = lw + i * cw, y = v * ch;
        ctx.fillStyle = "#232733"; ctx.fillRect(x + gap, y + gap, cw - 2 * gap, ch - 2 * gap);
        if (!p.hits[v][s]) continue;
        const vel = p.velocities[v][s], off = p.offsets[v][s];
        const shift = off * (cw - 4) * 0.8;  // micro-timing: the cell slides early/late
        ctx.globalAlpha = 0.25 + 0.75 * vel;   // velocity: shade
        ctx.fillStyle = VOICE_COLOURS[v];
        ctx.fillRect(x + gap + 1 + shift, y + gap + 1, cw - 2 * gap - 2, ch - 2 * gap - 2);
        ctx.globalAlpha = 1;
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(x + cw / 2 + shift - 1, y + ch - 6, 2, 3);
      }
    }
    ctx.strokeStyle = "rgba(255,255,255,0.12)"; ctx.lineWidth = 1;
    for (let i = 4; i < count; i += 4) {
      ctx.beginPath(); ctx.moveTo(lw + i * cw, 0); ctx.lineTo(lw + i * cw, h); ctx.stroke();
    }
    ctx.strokeStyle = "rgba(255,255,255,0.4)";
    for (let i = 0; i <= count; i += 16) {
      ctx.beginPath(); ctx.moveTo(lw + i * cw, 0); ctx.lineTo(lw + i * cw, h); ctx.stroke();
    }
    this.placePlayhead(lw, first, count);
  }
}

export class ClassMap {
  constructor(canvas, onPick) {
    this.canvas = canvas;
    this.points = []; this.point = [0, 0]; this.colour = "#ffd166";
    this.view = { x0: -1, x1: 1, y0: -1, y1: 1 };
    this.onPick = onPick;
    canvas.addEventListener("click", (e) => {
      const r = canvas.getBoundingClientRect();
      const v = this.view;
      const x = v.x0 + ((e.clientX - r.left) / r.width) * (v.x1 - v.x0);
      const y = v.y0 + (1 - (e.clientY - r.top) / r.height) * (v.y1 - v.y0);
      this.point = [x, y]; this.draw();
      this.onPick([x, y], e.timeStamp);
    });
  }

  set(map, colour) {
    this.points = map.points; this.point = map.point; this.colour = colour;
    this.view = bounds(this.points.length ? this.points : [[-1, -1], [1, 1]], [this.point]);
    this.draw();
  }

  setPoint(p) { this.point = p; this.draw(); }

  draw() {
    const { ctx, w, h } = fit(this.canvas);
    ctx.fillStyle = "#12141a"; ctx.fillRect(0, 0, w, h);
    const v = this.view;
    const tx = (p) => [((p[0] - v.x0) / (v.x1 - v.x0)) * w, (1 - (p[1] - v.y0) / (v.y1 - v.y0)) * h];
    ctx.fillStyle = this.colour; ctx.globalAlpha = 0.55;
    for (const p of this.points) { const [x, y] = tx(p); ctx.beginPath(); ctx.arc(x, y, 2.5, 0, 2 * Math.PI); ctx.fill(); }
    ctx.globalAlpha = 1;
    const [x, y] = tx(this.point);
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(x, y, 7, 0, 2 * Math.PI); ctx.stroke();
  }
}

// Phrase controls, built into `parent`: bars (1/2/4/8), a fill every N bars, and a fill button
// that plays the groove's fill once in the next bar. onChange({bars} | {fill_every}), onFill().
export class PhraseControls {
  constructor(parent, onChange, onFill) {
    const select = (label, id, options) => {
      const l = document.createElement("label");
      l.textContent = `${label} `;
      const s = document.createElement("select");
      s.id = id;
      s.innerHTML = options.map(([v, t]) => `<option value="${v}">${t}</option>`).join("");
      l.appendChild(s); parent.appendChild(l);
      return s;
    };
    this.bars = select("Bars", "bars", [[1, "1"], [2, "2"], [4, "4"], [8, "8"]]);
    this.fillEvery = select("Fill every", "fill-every", [[0, "none"], [2, "2 bars"], [4, "4 bars"], [8, "8 bars"]]);
    this.fill = document.createElement("button");
    this.fill.id = "fill"; this.fill.textContent = "Fill"; this.fill.title = "play a fill in the next bar";
    parent.appendChild(this.fill);
    this.bars.addEventListener("change", () => onChange({ bars: Number(this.bars.value) }));
    this.fillEvery.addEventListener("change", () => onChange({ fill_every: Number(this.fillEvery.value) }));
    this.fill.addEventListener("click", () => onFill());
  }

  set(r) {
    if (r.bars != null) this.bars.value = String(r.bars);
    if (r.fill_every != null) this.fillEvery.value = String(r.fill_every);
  }
}

export { VOICE_COLOURS, VOICE_LABELS, VOICE_SHORT };
