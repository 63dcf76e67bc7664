"""Choosing hits from the decoder's hit probabilities so that temperature never thins a groove.

The decoder gives every step and voice a hit probability ``p``. Two obvious decodings lose hits:
a threshold (``p >= 0.45``) drops every hat of a groove whose hat steps are each only 40 % sure
(a groove the model hesitates between 8ths and 16ths for: both are likely, neither is sure), and
the usual tempered Bernoulli (odds ** (1/T)) does the same as T falls. Both make low temperatures
sparse, which is the opposite of "the most typical groove".

:func:`count_preserving_hits` keeps the *expected number of hits per voice*, ``sum_t p``, which is
the model's own estimate of how busy that voice is, and lets temperature act only on *where* the
hits go: per voice a bias ``b`` is found so that ``sigmoid((logit + b) / T)`` has the same sum
as ``p``; hits are Bernoulli draws of those probabilities. T = 1 is the model's own distribution
(b = 0); as T falls the draws concentrate on the likeliest steps; T = 0 takes exactly
``round(sum_t p)`` hits per voice on the steps of highest probability (the mode of the hit
distribution given its expected count).
"""

from __future__ import annotations

import torch

_BISECT_STEPS = 40


def count_preserving_hits(
    logits: torch.Tensor, temperature: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Hits ``(B, T, V)`` in {0, 1} (float32) from hit logits ``(B, T, V)``; see the module docstring.

    The expectation is taken over the steps axis (dim 1), separately per pattern and voice.
    """
    probs = torch.sigmoid(logits)
    expected = probs.sum(dim=1, keepdim=True)  # (B, 1, V)
    if temperature <= 0:
        k = torch.round(expected).long()  # (B, 1, V)
        order = torch.argsort(probs, dim=1, descending=True)  # (B, T, V)
        ranks = torch.empty_like(order)
        steps = torch.arange(probs.shape[1]).view(1, -1, 1).expand_as(order)
        ranks.scatter_(1, order, steps)  # rank of every step within its voice
        return (ranks < k).float()
    if temperature == 1.0:
        tempered = probs
    else:
        lo = torch.full_like(expected, -40.0)
        hi = torch.full_like(expected, 40.0)
        for _ in range(_BISECT_STEPS):  # sum is increasing in b: bisect for sum == expected
            mid = 0.5 * (lo + hi)
            too_many = torch.sigmoid((logits + mid) / temperature).sum(dim=1, keepdim=True) > expected
            hi = torch.where(too_many, mid, hi)
            lo = torch.where(too_many, lo, mid)
        tempered = torch.sigmoid((logits + 0.5 * (lo + hi)) / temperature)
    u = torch.rand(probs.shape, generator=generator, dtype=probs.dtype)
    return (u < tempered).float()
