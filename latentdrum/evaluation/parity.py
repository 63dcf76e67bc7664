"""Does the page play what the WAV export holds? The browser engine against the Python renderer.

:func:`page_render` has the page's own engine (``static/js/audio.js``) play its current scene
into an ``OfflineAudioContext``, from silence, for ``loops`` loops; :func:`export_render`
downloads ``loop.wav`` (the session's :func:`~latentdrum.instrument.render.render`, two loops,
seamless). The page's loops 2 and 3 (of 5) are the steady state the export renders (the
tails of the loop before ring into its start, and the draws repeat every two loops), so they are
compared sample for sample with the export by :func:`compare` (the page renders one loop more,
whose hits pushed early sound at the end of the loop before, as the export's wrap has them):

- **onset lag** per hit (every group of hits on one time, from the pattern, tempo and swing):
  the lag in ``[-5, 5]`` ms that best aligns the page's first 30 ms of the hit with the export's
  (cross-correlation); 0 when the page starts every hit on the renderer's sample;
- **level** per hit: the page's minus the export's RMS over the hit's first 30 ms, in dB;
- **log-mel distance**: the mean absolute difference of the two log-mel spectrograms (128 mel
  bands, 2048-point frames, hop 512, floored 80 dB under the export's peak), in dB;
- **residual**: the energy of ``page - export`` relative to the export's, in dB (sample-wise).
"""

from __future__ import annotations

import base64
import io
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

WINDOW_S = 0.030  # a hit's window, from its onset
MAX_LAG_S = 0.005  # the onset search range either way
GROUP_S = 0.002  # hits closer than this are one onset

# In the page: render, and hand the stereo back as base64 float32 (a JSON array would be ~10x larger).
_RENDER_JS = """async (loops) => {
  const r = await window.__ld.engine.renderOffline(loops);
  const pack = (x) => { const b = new Uint8Array(x.buffer, x.byteOffset, x.byteLength); let s = "";
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s); };
  return { sampleRate: r.sampleRate, left: pack(r.left), right: pack(r.right) };
}"""


# From the page, on a second websocket (the page hears the changes as broadcasts, as from another
# player): each message sent once the one before is answered; returns the errors (null: applied).
_SEND_JS = """async (messages) => {
  const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/ws");
  await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = bad; });
  const errors = [];
  for (const [i, m] of messages.entries()) {
    const reply = new Promise((ok) => { ws.onmessage = (e) => {
      if (typeof e.data !== "string") return;
      const r = JSON.parse(e.data);
      if (r.id === i + 1) ok(r);
    }; });
    ws.send(JSON.stringify({ id: i + 1, ...m }));
    const r = await reply;
    errors.push(r.ok ? null : r.error);
  }
  ws.close();
  return errors;
}"""

# A scene that exercises every rule: a loud kick (the limiter works), a panned snare with a
# ghost note (a layer crossfade), panned and tuned hats where a closed hat chokes an open one,
# and round robin with its jitter on every repeated hit.
PARITY_SCENE: tuple[dict[str, Any], ...] = (
    {"op": "voice", "voice": 0, "gain_db": 12.0},
    {"op": "voice", "voice": 1, "gain_db": 9.0, "pan": 0.6},
    {"op": "voice", "voice": 2, "gain_db": 6.0, "pan": -0.5, "tune": 3.0},
    {"op": "voice", "voice": 3, "pan": 0.25, "tune": -1.5},
    {"op": "edit", "step": 2, "voice": 3, "velocity": 0.9},
    {"op": "edit", "step": 3, "voice": 2, "velocity": 0.4},
    {"op": "edit", "step": 7, "voice": 1, "velocity": 0.3},
    {"op": "edit", "step": 10, "voice": 3, "velocity": 0.7},
    {"op": "edit", "step": 11, "voice": 2, "velocity": 0.55},
    {"op": "edit", "step": 13, "voice": 1, "velocity": 0.62},
)
_SCENE_HEARD = ("window.__ld.engine.mix[0].gain_db === 12 && window.__ld.engine.mix[3].pan === 0.25"
                " && Math.abs(window.__ld.engine.pattern.velocities[1][13] - 0.62) < 1e-6 && window.__ld.settled()")


def set_up_scene(page: Any, messages: tuple[dict[str, Any], ...] = PARITY_SCENE) -> None:
    """Apply ``messages`` to the server's scene and wait until the page plays it with full sounds."""
    errors = [e for e in page.evaluate(_SEND_JS, list(messages)) if e]
    if errors:
        raise RuntimeError(f"the server refused the parity scene: {errors}")
    if messages is PARITY_SCENE:
        page.wait_for_function(_SCENE_HEARD, timeout=120_000)
    page.wait_for_function("window.__ld.settled()", timeout=120_000)


def page_scene(page: Any) -> tuple[dict[str, Any], float, float]:
    """The page's pattern JSON, tempo and swing (what :func:`hit_times` needs)."""
    e = page.evaluate("(() => { const e = window.__ld.engine; return [e.pattern, e.bpm, e.swing]; })()")
    return e[0], float(e[1]), float(e[2])


@dataclass(frozen=True)
class ParityReport:
    """The page's render against the export's; see the module docstring. Times in ms, levels in dB."""

    hits: int
    max_abs_onset_lag_ms: float
    max_abs_level_diff_db: float
    mean_abs_level_diff_db: float
    log_mel_distance_db: float
    residual_db: float
    export_peak_dbfs: float
    page_peak_dbfs: float

    def to_json(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def page_render(page: Any, loops: int = 4) -> tuple[np.ndarray, int]:
    """``(N, 2)`` float32: the page's engine playing its scene ``loops`` times from silence; and its rate."""
    out = page.evaluate(_RENDER_JS, loops)
    left, right = (np.frombuffer(base64.b64decode(out[k]), dtype="<f4") for k in ("left", "right"))
    return np.stack([left, right], axis=1), int(out["sampleRate"])


def export_render(url: str) -> tuple[np.ndarray, int]:
    """``(N, 2)`` float32: the server's ``loop.wav`` download (44.1 kHz, two loops); and its rate."""
    import soundfile as sf

    with urllib.request.urlopen(f"{url.rstrip('/')}/api/download/loop.wav", timeout=120) as res:
        audio, rate = sf.read(io.BytesIO(res.read()), dtype="float32", always_2d=True)
    return audio, int(rate)


def hit_times(pattern: dict[str, Any], bpm: float, swing: float, loops: int) -> np.ndarray:
    """Sorted onset times (s) of the page's pattern JSON (voice-major ``hits``/``offsets``) over
    ``loops`` loops, hits within :data:`GROUP_S` of each other merged (the renderer's timing rule)."""
    hits, offsets, steps = np.asarray(pattern["hits"]), np.asarray(pattern["offsets"]), int(pattern["steps"])
    step_s = 60.0 / bpm / 4.0
    delay = (swing - 50.0) / 50.0
    voice, step = np.nonzero(hits)
    one = (step + delay * (step % 2) + offsets[voice, step]) * step_s
    times = np.sort(np.concatenate([one + k * steps * step_s for k in range(loops)]))
    keep = np.concatenate([[True], np.diff(times) > GROUP_S])
    return times[keep]


def _db(x: float) -> float:
    return float(10.0 * np.log10(max(x, 1e-20)))


def _log_mel(mono: np.ndarray, sr: int, floor_ref: float) -> np.ndarray:
    import librosa

    mel = librosa.feature.melspectrogram(y=mono.astype(np.float32), sr=sr, n_fft=2048, hop_length=512, n_mels=128)
    return np.asarray(10.0 * np.log10(np.maximum(mel, floor_ref * 1e-8)))


def compare(page: np.ndarray, export: np.ndarray, sr: int, times: np.ndarray) -> ParityReport:
    """Compare ``(N, 2)`` renders of the same loop (see the module docstring); ``times``: hit onsets (s)."""
    n = min(page.shape[0], export.shape[0])
    page, export = page[:n].astype(np.float64), export[:n].astype(np.float64)
    win, lag = round(WINDOW_S * sr), round(MAX_LAG_S * sr)
    lags, levels = [], []
    for t in times:
        a = round(t * sr)
        if a - lag < 0 or a + win + lag > n:
            continue  # wrapped hits at the loop's edges: the sample-wise measures below cover them
        ref = export[a : a + win]
        best, best_score = 0, -np.inf
        for k in range(-lag, lag + 1):
            score = float(np.sum(page[a + k : a + k + win] * ref))
            if score > best_score:
                best, best_score = k, score
        lags.append(best / sr * 1e3)
        levels.append(_db(float(np.mean(page[a : a + win] ** 2))) - _db(float(np.mean(ref**2))))
    mono_p, mono_e = page.mean(axis=1), export.mean(axis=1)
    ref_power = float(np.max(mono_e**2)) if n else 1.0
    mel_p, mel_e = _log_mel(mono_p, sr, ref_power), _log_mel(mono_e, sr, ref_power)
    floor = mel_e.max() - 80.0
    mel_dist = float(np.mean(np.abs(np.maximum(mel_p, floor) - np.maximum(mel_e, floor))))
    residual = _db(float(np.sum((page - export) ** 2))) - _db(float(np.sum(export**2)))
    lv = np.abs(np.asarray(levels)) if levels else np.zeros(1)
    return ParityReport(
        hits=len(levels),
        max_abs_onset_lag_ms=float(np.max(np.abs(lags))) if lags else 0.0,
        max_abs_level_diff_db=float(lv.max()),
        mean_abs_level_diff_db=float(lv.mean()),
        log_mel_distance_db=mel_dist,
        residual_db=residual,
        export_peak_dbfs=2 * _db(float(np.max(np.abs(export)))),  # 20 log10 of the peak
        page_peak_dbfs=2 * _db(float(np.max(np.abs(page)))),
    )
