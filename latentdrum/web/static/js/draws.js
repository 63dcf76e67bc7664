// The renderer's random draws, bit for bit (latentdrum/instrument/draws.py): a 32-bit hash of
// (seed, voice, stream, index), chained through Chris Wellons' lowbias32. Integer arithmetic
// only (Math.imul, >>> 0), so the page's jitter and round robin are the WAV export's.

function mix32(x) {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

// A key modulo 2**32 (negative integers wrap as in Python's `& 0xFFFFFFFF`).
const u32 = (k) => Number(BigInt.asUintN(32, BigInt(Math.trunc(k))));

export function hash32(seed, voice, stream, index) {
  let h = mix32(u32(seed));
  h = mix32((h ^ u32(voice)) >>> 0);
  h = mix32((h ^ u32(stream)) >>> 0);
  return mix32((h ^ u32(index)) >>> 0);
}

export const uniform = (seed, voice, stream, index) => hash32(seed, voice, stream, index) / 4294967296;

// Standard normal (Box-Muller over two streams; the first uniform is never 0).
export function normal(seed, voice, streams, index) {
  const u1 = (hash32(seed, voice, streams[0], index) + 0.5) / 4294967296;
  const u2 = uniform(seed, voice, streams[1], index);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

// A step of the round-robin walk: 1 .. variations - 1 (1 when there is one variation).
export function roundRobinStep(seed, voice, stream, index, variations) {
  if (variations < 2) return 1;
  return 1 + Math.floor(uniform(seed, voice, stream, index) * (variations - 1));
}
