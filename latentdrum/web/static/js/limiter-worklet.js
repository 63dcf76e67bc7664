// The renderer's look-ahead peak limiter (latentdrum/instrument/limiter.py) as an AudioWorklet,
// streaming: the output is the input delayed by the look-ahead A samples, times the gain
//   need[n]   = min(1, ceiling / max(|left[n]|, |right[n]|))      (stereo-linked)
//   ahead[m]  = min(need[m .. m + A])                              (look-ahead minimum)
//   ramped[m] = mean(ahead[m - A .. m])                            (linear ramp down before a peak)
//   gain[m]   = min(ramped[m], released[m]),  released = one-pole (release_ms) of ramped
// clipped at the ceiling. Silence before the start counts as gain 1 (as the renderer's padding).
// Options (processorOptions): ceilingDb, lookaheadMs, releaseMs, from the engine rules.

class Limiter extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.ceiling = Math.pow(10, o.ceilingDb / 20);
    this.A = Math.max(1, Math.round(o.lookaheadMs * 1e-3 * sampleRate));
    const tau = Math.max(1, o.releaseMs * 1e-3 * sampleRate);
    this.a = Math.exp(-1 / tau);
    const n = this.A + 1;
    this.delayL = new Float32Array(this.A); this.delayR = new Float32Array(this.A);  // the last A inputs
    this.d = 0;
    this.need = new Float64Array(n).fill(1);    // ring of the last A + 1 needs
    this.ahead = new Float64Array(n).fill(1);   // ring of the last A + 1 look-ahead minima
    this.sum = n;                               // sum of `ahead`
    this.lowOnes = 0;                           // entries of `ahead` below 1 (sum is exact when 0)
    this.released = 1;
    this.pos = 0;
    this.sinceExact = 0;
  }

  process(inputs, outputs) {
    const input = inputs[0], out = outputs[0];
    const inL = input[0], inR = input[1] || input[0];
    const outL = out[0], outR = out[1] || out[0];
    const n = this.A + 1, c = this.ceiling;
    for (let i = 0; i < outL.length; i++) {
      const xl = inL ? inL[i] : 0, xr = inR ? inR[i] : 0;
      const peak = Math.max(Math.abs(xl), Math.abs(xr));
      const p = this.pos;
      this.need[p] = Math.min(1, c / Math.max(peak, 1e-30));
      // ahead for the sample A back: the min of the last A + 1 needs.
      let m = 1;
      for (let k = 0; k < n; k++) if (this.need[k] < m) m = this.need[k];
      const old = this.ahead[p];
      if (old < 1) this.lowOnes--;
      if (m < 1) this.lowOnes++;
      this.ahead[p] = m;
      this.sum += m - old;
      if (this.lowOnes === 0) this.sum = n;  // no drift while nothing is limited
      else if (++this.sinceExact >= 4096) {   // and none while it is
        this.sinceExact = 0; this.sum = 0;
        for (let k = 0; k < n; k++) this.sum += this.ahead[k];
      }
      // The mean of ahead over the last A + 1 samples is the ramp for the sample A back.
      const ramped = this.sum / n;
      this.released = (1 - this.a) * ramped + this.a * this.released;
      let g = Math.min(ramped, this.released);
      if (g > 1 - 1e-6) g = 1;
      // The sample A back leaves the delay line, times its gain.
      const d = this.d;
      const yl = this.delayL[d] * g, yr = this.delayR[d] * g;
      outL[i] = Math.max(-c, Math.min(c, yl));
      if (outR !== outL) outR[i] = Math.max(-c, Math.min(c, yr));
      this.delayL[d] = xl; this.delayR[d] = xr;
      this.d = (d + 1) % this.A;
      this.pos = (p + 1) % n;
    }
    return true;
  }
}

registerProcessor("latentdrum-limiter", Limiter);
