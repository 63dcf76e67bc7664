// A voice's tune as the renderer plays it (latentdrum/instrument/voice.py, `tune_audio`): its
// one-shots resampled by the rational approximation p/q of 2 ** (semitones / 12) with the
// smallest q <= 1024 (Python's Fraction.limit_denominator), through scipy's `resample_poly`
// filter (a Kaiser-windowed sinc, beta 5, 10 * max(p, q) taps either side, zero phase: the
// strike stays on sample 0), and trimmed of the tail below -100 dBFS in every layer. A
// playbackRate would interpolate linearly instead: duller, and up to 2 dB off per hit.

const MAX_DENOMINATOR = 1024;
const SILENCE = 1e-5;  // voice.py's SILENCE
const KAISER_BETA = 5.0;

// The exact fraction n/d (BigInt) of a finite double.
function exactFraction(x) {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn), frac = bits & ((1n << 52n) - 1n);
  let n = exp === 0 ? frac : frac | (1n << 52n), e = (exp === 0 ? 1 : exp) - 1075;
  if (x < 0) n = -n;
  if (e >= 0) return [n << BigInt(e), 1n];
  let d = 1n << BigInt(-e);
  while (n % 2n === 0n && d > 1n) { n /= 2n; d /= 2n; }
  return [n, d];
}

const absB = (x) => (x < 0n ? -x : x);

// Python's Fraction(x).limit_denominator(maxDen) as [numerator, denominator] (Numbers).
export function limitDenominator(x, maxDen = MAX_DENOMINATOR) {
  const [N, D] = exactFraction(x);
  if (D <= BigInt(maxDen)) return [Number(N), Number(D)];
  let p0 = 0n, q0 = 1n, p1 = 1n, q1 = 0n, n = N, d = D;
  const max = BigInt(maxDen);
  for (;;) {
    const a = n / d, q2 = q0 + a * q1;  // n, d > 0 here: BigInt division floors
    if (q2 > max) break;
    [p0, q0, p1, q1] = [p1, q1, p0 + a * p1, q2];
    [n, d] = [d, n - a * d];
  }
  const k = (max - q0) / q1;
  const b1p = p0 + k * p1, b1q = q0 + k * q1;
  // |p1/q1 - N/D| <= |b1p/b1q - N/D|, cross-multiplied.
  const e2 = absB(p1 * D - N * q1) * b1q, e1 = absB(b1p * D - N * b1q) * q1;
  return e2 <= e1 ? [Number(p1), Number(q1)] : [Number(b1p), Number(b1q)];
}

// [p, q]: playing `semitones` higher = reading p input samples per q output samples.
export const tuneRatio = (semitones) => limitDenominator(Math.pow(2, semitones / 12));

function besselI0(x) {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

const filters = new Map();  // "up:down" -> Float32Array taps (times up)

// scipy.signal.firwin(2 * half + 1, 1 / max(up, down), window=("kaiser", 5.0)) * up, in float32.
function filter(up, down) {
  const key = `${up}:${down}`;
  if (filters.has(key)) return filters.get(key);
  const rate = Math.max(up, down), half = 10 * rate, taps = 2 * half + 1, fc = 1 / rate;
  const h = new Float64Array(taps), i0b = besselI0(KAISER_BETA);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const m = i - half, xm = fc * m;
    const sinc = m === 0 ? 1 : Math.sin(Math.PI * xm) / (Math.PI * xm);
    const r = (i - half) / half;
    h[i] = fc * sinc * (besselI0(KAISER_BETA * Math.sqrt(Math.max(0, 1 - r * r))) / i0b);
    sum += h[i];
  }
  const out = Float32Array.from(h, (v) => Math.fround(v / sum) * up);
  filters.set(key, out);
  return out;
}

// scipy.signal.resample_poly(x, up, down): y[m] = sum_n h[half + m * down - n * up] x[n].
export function resamplePoly(x, up, down) {
  const h = filter(up, down), half = (h.length - 1) / 2, nIn = x.length;
  const nOut = Math.ceil((nIn * up) / down);
  const y = new Float32Array(nOut);
  for (let m = 0; m < nOut; m++) {
    const c = half + m * down;  // h[c - n * up] is nonzero for |c - n*up - half| <= half
    const n0 = Math.max(0, Math.ceil((c - 2 * half) / up)), n1 = Math.min(nIn - 1, Math.floor(c / up));
    let acc = 0;
    for (let n = n0, k = c - n0 * up; n <= n1; n++, k -= up) acc += h[k] * x[n];
    y[m] = acc;
  }
  return y;
}

// shots[l][r] (Float32Array, one length) at `semitones`: resampled and trimmed as the renderer.
export function tuneShots(shots, semitones) {
  if (semitones === 0) return shots;
  const [p, q] = tuneRatio(semitones);
  const out = shots.map((row) => row.map((x) => resamplePoly(x, q, p)));
  let end = 1;
  for (const row of out) {
    for (const y of row) {
      for (let i = y.length - 1; i >= end; i--) if (Math.abs(y[i]) >= SILENCE) { end = i + 1; break; }
    }
  }
  return out.map((row) => row.map((y) => y.slice(0, end)));
}
