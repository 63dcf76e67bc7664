// Canvas views: the rhythm XY pad over the latent map, the step grid, a sound class map.

export const STYLE_COLOURS = [
  "#ff6b6b", "#ffa94d", "#ffd43b", "#a9e34b", "#69db7c", "#38d9a9", "#3bc9db", "#4dabf7", "#748ffc",
  "#9775fa", "#da77f2", "#f783ac", "#e8590c", "#66a80f", "#1098ad", "#5f3dc4", "#c2255c", "#adb5bd",
];
const VOICE_LABELS = ["Kick", "Snare", "Closed hat", "Open hat", "Low tom", "Mid tom", "High tom", "Crash", "Ride"];
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
    ctx.fillStyle = "#ffd166"; ctx.strokeStyle = "#1b1d24"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(px, py, 8, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  }
}

export class Grid {
  constructor(canvas, onCell) {
    this.canvas = canvas;
    this.pattern = null;
    this.playStep = -1;
    this.onCell = onCell;
    this.labelW = 86;
    canvas.addEventListener("click", (e) => {
      if (!this.pattern) return;
      const r = canvas.getBoundingClientRect();
      const x = e.clientX - r.left - this.labelW, y = e.clientY - r.top;
      const cw = (r.width - this.labelW) / this.pattern.steps, ch = r.height / 9;
      const step = Math.floor(x / cw), voice = Math.floor(y / ch);
      if (step >= 0 && step < this.pattern.steps && voice >= 0 && voice < 9) this.onCell(step, voice, e.timeStamp);
    });
  }

  setPattern(p) { this.pattern = p; this.draw(); }

  setPlayStep(s) { if (s !== this.playStep) { this.playStep = s; this.draw(); } }

  draw() {
    const { ctx, w, h } = fit(this.canvas);
    const p = this.pattern;
    ctx.fillStyle = "#12141a"; ctx.fillRect(0, 0, w, h);
    if (!p) return;
    const lw = this.labelW, cw = (w - lw) / p.steps, ch = h / 9;
    ctx.font = "500 12px system-ui, sans-serif"; ctx.textAlign = "left"; ctx.textBaseline = "middle";
    for (let v = 0; v < 9; v++) {
      ctx.fillStyle = VOICE_COLOURS[v]; ctx.fillRect(8, v * ch + ch / 2 - 4, 8, 8);
      ctx.fillStyle = "#c9ccd6"; ctx.fillText(VOICE_LABELS[v], 22, v * ch + ch / 2);
    }
    for (let s = 0; s < p.steps; s++) {
      const x = lw + s * cw;
      const beat = Math.floor(s / 4) % 2 === 0;
      ctx.fillStyle = s === this.playStep ? "#2b3140" : beat ? "#1a1d25" : "#161920";
      ctx.fillRect(x, 0, cw, h);
    }
    for (let v = 0; v < 9; v++) {
      for (let s = 0; s < p.steps; s++) {
        const x = lw + s * cw, y = v * ch;
        ctx.fillStyle = "#232733"; ctx.fillRect(x + 2, y + 2, cw - 4, ch - 4);
        if (!p.hits[v][s]) continue;
        const vel = p.velocities[v][s], off = p.offsets[v][s];
        const shift = off * (cw - 4) * 0.8;  // micro-timing: the cell slides early/late
        ctx.globalAlpha = 0.25 + 0.75 * vel;   // velocity: shade
        ctx.fillStyle = VOICE_COLOURS[v];
        ctx.fillRect(x + 3 + shift, y + 3, cw - 6, ch - 6);
        ctx.globalAlpha = 1;
        ctx.fillStyle = "rgba(255,255,255,0.85)";
        ctx.fillRect(x + cw / 2 + shift - 1, y + ch - 6, 2, 3);
      }
    }
    ctx.strokeStyle = "rgba(255,255,255,0.25)"; ctx.lineWidth = 1;
    for (let b = 0; b <= p.steps; b += 16) {
      ctx.beginPath(); ctx.moveTo(lw + b * cw, 0); ctx.lineTo(lw + b * cw, h); ctx.stroke();
    }
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

export { VOICE_COLOURS, VOICE_LABELS };
