// How one hit is played, by the renderer's rules (latentdrum/instrument/render.py, `_prepare_hits`
// and `_mix_voice`), read from the rules the server sends (latentdrum/instrument/rules.py):
// level = velocity ** curve x level jitter; timbre = the crossfade of the two nearest intensity
// layers; round robin = a seeded walk that never repeats a variation, blended by `variation`.
import { normal, roundRobinStep } from "./draws.js";

export const RULES_FORMAT = "latentdrum-engine-rules";
export const RULES_VERSION = 1;

// numpy's round (half to even), as the renderer's `layer_mode="nearest"` uses it.
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// np.interp(x, [1/L, 2/L, .., 1], [0, 1, .., L-1]): the fractional layer a timbre velocity plays.
export function layerPosition(timbreVelocity, layers) {
  const first = 1 / layers, last = 1;
  if (layers < 2 || timbreVelocity <= first) return 0;
  if (timbreVelocity >= last) return layers - 1;
  const j = Math.min(layers - 2, Math.floor(timbreVelocity * layers - 1));
  const x0 = (j + 1) / layers, x1 = (j + 2) / layers;
  return (1 / (x1 - x0)) * (timbreVelocity - x0) + j;
}

// (left, right) gains of a voice: the renderer's pan law and the voice gain.
export function stereoGains(rules, gainDb, pan) {
  if (rules.pan_law !== "sqrt2-constant-power") throw new Error(`unknown pan law ${rules.pan_law}`);
  const theta = (pan + 1) * Math.PI / 4, g = Math.pow(10, gainDb / 20) * Math.SQRT2;
  const left = g * Math.cos(theta), right = g * Math.sin(theta);
  return [Math.abs(left) > 1e-12 ? left : 0, Math.abs(right) > 1e-12 ? right : 0];
}

export const dbToGain = (db) => Math.pow(10, db / 20);

export class HitRules {
  constructor(rules) {
    if (!rules || rules.format !== RULES_FORMAT || rules.version !== RULES_VERSION) {
      throw new Error(`the server sent engine rules this page does not know (${rules && rules.format} ${rules && rules.version})`);
    }
    this.rules = rules;
    this.tables = new WeakMap();  // pattern -> Map("voice:variations" -> draws of its hits)
  }

  // The draws of voice v's hits in `pattern` for every loop row (loop % rules.loops).
  table(pattern, v, variations) {
    let perPattern = this.tables.get(pattern);
    if (!perPattern) { perPattern = new Map(); this.tables.set(pattern, perPattern); }
    const key = `${v}:${variations}`;
    let t = perPattern.get(key);
    if (t) return t;
    const r = this.rules, T = pattern.steps, loops = r.loops, S = r.draw_streams;
    const steps = [];
    for (let s = 0; s < T; s++) if (pattern.hits[v][s]) steps.push(s);
    const rank = new Int32Array(T).fill(-1);
    steps.forEach((s, i) => { rank[s] = i; });
    const clip = (x, c) => Math.max(-c, Math.min(c, x));
    const jitterDb = [], humanize = [], variation = [];
    let walk = 0;
    for (let row = 0; row < loops; row++) {
      const j = [], h = [], w = [];
      for (const s of steps) {
        const index = row * T + s;
        j.push(clip(normal(r.seed, v, S.jitter, index), r.jitter_clip) * r.level_jitter_db * r.variation);
        h.push(clip(normal(r.seed, v, S.humanize, index), r.humanize_clip) * r.humanize_ms * 1e-3);
        walk += roundRobinStep(r.seed, v, S.round_robin, index, variations);
        w.push(r.variation > 0 && variations > 1 ? walk % variations : 0);
      }
      jitterDb.push(j); humanize.push(h); variation.push(w);
    }
    t = { rank, jitterDb, humanize, variation };
    perPattern.set(key, t);
    return t;
  }

  // How voice v's hit on `step` of loop `loop` plays: its amplitude, the (layer, variation,
  // weight) parts mixed, and its humanize shift in seconds. `step` null: an audition (no draws).
  hit(pattern, v, step, loop, velocity, layers, variations) {
    const r = this.rules;
    let jitterDb = 0, shift = 0, rr = 0;
    if (pattern && step != null) {
      const t = this.table(pattern, v, variations), row = ((loop % r.loops) + r.loops) % r.loops, i = t.rank[step];
      if (i >= 0) { jitterDb = t.jitterDb[row][i]; shift = t.humanize[row][i]; rr = t.variation[row][i]; }
    }
    const amp = velocity > 0 ? Math.pow(velocity, r.velocity_curve) * Math.pow(10, jitterDb / 20) : 0;
    const ref = r.reference_velocity, tv = ref + r.velocity_timbre * (velocity - ref);
    let pos = layerPosition(tv, layers);
    if (r.layer_mode === "nearest") pos = roundHalfEven(pos);
    const a = Math.min(Math.trunc(pos), layers - 1), frac = pos - a, blend = rr ? r.variation : 0;
    const parts = [
      [a, 0, (1 - frac) * (1 - blend)], [a + 1, 0, frac * (1 - blend)],
      [a, rr, (1 - frac) * blend], [a + 1, rr, frac * blend],
    ].filter((p) => p[2] > 0);
    return { amp, parts, shift };
  }
}
