// What the player is touching: gesture numbers and holds.
//
// A *gesture* is one drag (pointer down to up) or one run of key / wheel nudges on a control
// (inputs less than HOLD_MS apart). Every message a gesture sends carries its number, and the
// server makes the whole gesture one undo step. A control is *held* while its gesture lasts
// (and HOLD_MS after its last input): the page never overwrites a held control with what the
// server says; the server's latest value for it is kept and shown when the hold ends.

const HOLD_MS = 700;
let next = Math.floor(Math.random() * 2 ** 30);  // per page, so two pages' gestures never merge

export class Touch {
  constructor() {
    this.controls = new Map();  // key -> {gesture, pointer, last, timer, deferred: [fn] | null}
  }

  entry(key) {
    let c = this.controls.get(key);
    if (!c) { c = { gesture: null, pointer: false, last: -Infinity, timer: null, deferred: null }; this.controls.set(key, c); }
    return c;
  }

  // The gesture number for an input on `key` now (a new one if its last gesture is over).
  gesture(key) {
    const c = this.entry(key), now = performance.now();
    if (c.gesture === null || (!c.pointer && now - c.last > HOLD_MS)) c.gesture = ++next;
    c.last = now;
    this.arm(key, c);
    return c.gesture;
  }

  down(key) { const c = this.entry(key); c.pointer = true; c.gesture = ++next; c.last = performance.now(); }

  up(key) {
    const c = this.controls.get(key);
    if (!c || !c.pointer) return;
    c.pointer = false; c.last = performance.now();
    this.arm(key, c);
  }

  // Let go of every pointer (a pointerup anywhere: range inputs do not always get their own).
  upAll() { for (const [key, c] of this.controls) if (c.pointer) this.up(key); }

  held(key) {
    const c = this.controls.get(key);
    return !!c && (c.pointer || performance.now() - c.last <= HOLD_MS);
  }

  // Show a server value: now, or (held) when the hold ends; a later value replaces a waiting one.
  show(key, fn) {
    if (!this.held(key)) { fn(); return; }
    this.entry(key).deferred = fn;
  }

  // Forget every hold (undo, redo, a loaded scene: the server's values win at once).
  releaseAll() {
    for (const c of this.controls.values()) { c.last = -Infinity; c.pointer = false; c.gesture = null; c.deferred = null; }
  }

  arm(key, c) {
    clearTimeout(c.timer);
    c.timer = setTimeout(() => {
      if (this.held(key)) { this.arm(key, c); return; }
      const fn = c.deferred; c.deferred = null;
      if (fn) fn();
    }, HOLD_MS + 20);
  }

  busy() { for (const c of this.controls.values()) if (c.pointer || c.deferred) return true; return false; }
}
