// <ld-knob>: a rotary knob that behaves like a hardware one and like an <input type=range> to code.
//
//   <ld-knob id="gain" label="Gain" unit="dB" min="-24" max="6" step="1" default="0" digits="1">
//
// Drag up/down to turn (a full turn, min -> max, is PX_PER_TURN pixels; hold Shift for FINE
// times finer), the mouse wheel and the arrow keys move one `step` (Shift: a tenth), PageUp/Down
// ten, Home/End go to the ends, a double-click resets to `default`. `.value` reads and sets the
// value (setting it fires nothing); the player's changes fire `input` (detail.t0: the timeStamp
// of the input event that caused it) and, at the end of a drag or key, `change`.

const PX_PER_TURN = 200;
const FINE = 10;
const SWEEP = 135;  // degrees either side of 12 o'clock

function polar(r, deg) {
  const a = ((deg - 90) * Math.PI) / 180;
  return [20 + r * Math.cos(a), 20 + r * Math.sin(a)];
}

function arc(r, from, to) {
  if (Math.abs(to - from) < 0.5) return "";
  const [x0, y0] = polar(r, Math.min(from, to)), [x1, y1] = polar(r, Math.max(from, to));
  const large = Math.abs(to - from) > 180 ? 1 : 0;
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${r} ${r} 0 ${large} 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

export class Knob extends HTMLElement {
  connectedCallback() {
    if (this.dial) return;
    const num = (name, dflt) => (this.hasAttribute(name) ? Number(this.getAttribute(name)) : dflt);
    this.min = num("min", 0); this.max = num("max", 1); this.step = num("step", 0.01);
    this.defaultValue = num("default", Math.min(Math.max(0, this.min), this.max));
    this.digits = num("digits", 2);
    this._value = num("value", this.defaultValue);
    this.tabIndex = 0;
    this.setAttribute("role", "slider");
    this.setAttribute("aria-label", this.getAttribute("label") || this.id);
    this.setAttribute("aria-valuemin", String(this.min));
    this.setAttribute("aria-valuemax", String(this.max));
    this.title = `${this.getAttribute("label") || ""}: drag up/down (Shift: fine), wheel or arrow keys; double-click resets`;
    this.innerHTML = `<svg class="dial" viewBox="0 0 40 40" aria-hidden="true">
        <path class="track" d="${arc(16, -SWEEP, SWEEP)}"/><path class="level"/><line class="pointer" x1="20" y1="20"/>
      </svg><span class="knob-label">${this.getAttribute("label") || ""}</span><output></output>`;
    this.dial = this.querySelector(".dial");
    this.render();
    this.addEventListener("pointerdown", (e) => this.grab(e));
    this.addEventListener("pointermove", (e) => this.turn(e));
    this.addEventListener("pointerup", (e) => this.letGo(e));
    this.addEventListener("pointercancel", (e) => this.letGo(e));
    this.addEventListener("dblclick", (e) => { this.setFromUser(this.defaultValue, e); this.changed(); });
    this.addEventListener("keydown", (e) => this.key(e));
    this.addEventListener("wheel", (e) => {
      e.preventDefault();
      const s = e.shiftKey ? this.step / FINE : this.step;
      this.setFromUser(this._value + (e.deltaY < 0 ? s : -s), e);
      clearTimeout(this.wheelEnd);
      this.wheelEnd = setTimeout(() => this.changed(), 300);
    }, { passive: false });
  }

  get value() { return this._value; }
  set value(v) { const q = this.clamp(Number(v)); if (q !== this._value) { this._value = q; this.render(); } }

  // Clamped to [min, max] and rounded to a tenth of a step (no float dust in messages).
  clamp(v) {
    const fine = this.step / FINE;
    const q = this.min + Math.round((v - this.min) / fine) * fine;
    return Number(Math.min(this.max, Math.max(this.min, q)).toFixed(6));
  }

  setFromUser(v, e) {
    const q = this.clamp(v);
    if (q === this._value) return;
    this._value = q;
    this.render();
    this.dispatchEvent(new CustomEvent("input", { bubbles: true, detail: { t0: e ? e.timeStamp : performance.now() } }));
  }

  changed() { this.dispatchEvent(new Event("change", { bubbles: true })); }

  grab(e) {
    if (e.button !== 0) return;
    this.focus();
    this.setPointerCapture(e.pointerId);
    this.drag = { y: e.clientY, v: this._value, shift: e.shiftKey };
    e.preventDefault();
  }

  turn(e) {
    const d = this.drag;
    if (!d) return;
    if (e.shiftKey !== d.shift) { d.y = e.clientY; d.v = this._value; d.shift = e.shiftKey; }  // no jump
    const perPx = (this.max - this.min) / PX_PER_TURN / (d.shift ? FINE : 1);
    this.setFromUser(d.v + (d.y - e.clientY) * perPx, e);
  }

  letGo(e) {
    if (!this.drag) return;
    this.drag = null;
    if (this.hasPointerCapture(e.pointerId)) this.releasePointerCapture(e.pointerId);
    this.changed();
  }

  key(e) {
    const s = e.shiftKey ? this.step / FINE : this.step;
    const to = { ArrowUp: this._value + s, ArrowRight: this._value + s, ArrowDown: this._value - s,
      ArrowLeft: this._value - s, PageUp: this._value + 10 * s, PageDown: this._value - 10 * s,
      Home: this.min, End: this.max }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    this.setFromUser(to, e);
    this.changed();
  }

  render() {
    if (!this.dial) return;
    const span = this.max - this.min || 1;
    const deg = -SWEEP + ((this._value - this.min) / span) * 2 * SWEEP;
    const zero = -SWEEP + ((Math.min(Math.max(this.defaultValue, this.min), this.max) - this.min) / span) * 2 * SWEEP;
    this.dial.querySelector(".level").setAttribute("d", arc(16, zero, deg));
    const [x, y] = polar(12, deg);
    const p = this.dial.querySelector(".pointer");
    p.setAttribute("x2", x.toFixed(2)); p.setAttribute("y2", y.toFixed(2));
    const text = this._value.toFixed(this.digits);
    this.querySelector("output").textContent = `${this._value > 0 && this.min < 0 ? "+" : ""}${text}${this.getAttribute("unit") || ""}`;
    this.setAttribute("aria-valuenow", String(this._value));
  }
}

customElements.define("ld-knob", Knob);
