"""The evaluation's one logistic regression: a linear probe on standardised features.

The rhythm report asks "which style does this groove read as?" (multinomial) and "is this bar a
fill?" (binary, classes balanced), the sound report "which class does this sound read as?";
all are answered by :class:`LogisticProbe`: features are standardised with the training set's
mean and spread, and one linear layer is fitted from a seeded start, so the same data gives the
same report: by Adam (full batch, weight decay as the L2 penalty), or by L-BFGS to convergence
(the L2 penalty on the weights in the loss).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch


class LogisticProbe:
    """Logistic regression on standardised features.

    Args:
        x: ``(N, F)`` float training features (standardised, then fitted in float32).
        y: ``(N,)`` labels: class indices 0..classes-1, or 0/1 when ``classes`` is 1 (binary).
        classes: number of classes; 1 fits a binary probe (one logit, positive class 1).
        steps, lr, weight_decay: full-batch steps (L-BFGS: its ``max_iter``), learning rate (None:
            1e-2 for Adam, 1 for L-BFGS) and L2 weight decay (L-BFGS: ``weight_decay / 2`` times
            the squared weights, not the bias, added to the loss: the same gradient as Adam's).
        seed: torch seed for the initial weights.
        pos_weight: binary only: weight of the positive class (e.g. negatives / positives to
            balance the classes).
        solver: ``"adam"`` or ``"lbfgs"``.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, classes: int, *, steps: int, weight_decay: float,
                 seed: int, lr: float | None = None, pos_weight: float | None = None,
                 solver: Literal["adam", "lbfgs"] = "adam") -> None:
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        self.binary = classes == 1
        torch.manual_seed(seed)
        self.lin = torch.nn.Linear(x.shape[1], classes)
        xt, yt = torch.from_numpy(self._standardise(x)), torch.from_numpy(y)
        pw = None if pos_weight is None else torch.tensor(pos_weight)

        def data_loss() -> torch.Tensor:
            if self.binary:
                return torch.nn.functional.binary_cross_entropy_with_logits(self.lin(xt)[:, 0], yt, pos_weight=pw)
            return torch.nn.functional.cross_entropy(self.lin(xt), yt)

        if solver == "lbfgs":
            lbfgs = torch.optim.LBFGS(self.lin.parameters(), lr=1.0 if lr is None else lr, max_iter=steps)

            def closure() -> torch.Tensor:
                lbfgs.zero_grad()
                loss = data_loss() + weight_decay / 2 * self.lin.weight.pow(2).sum()
                loss.backward()
                return loss

            lbfgs.step(closure)
            return
        opt = torch.optim.Adam(self.lin.parameters(), lr=1e-2 if lr is None else lr, weight_decay=weight_decay)
        for _ in range(steps):
            opt.zero_grad()
            data_loss().backward()
            opt.step()

    def _standardise(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mu) / self.sd).astype(np.float32, copy=False)

    @torch.no_grad()
    def logits(self, x: np.ndarray) -> np.ndarray:
        """``(N, F)`` features -> ``(N, classes)`` float32 logits."""
        return self.lin(torch.from_numpy(self._standardise(x))).numpy()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """``(N, F)`` features -> ``(N,)`` predictions: class indices, or bool for a binary probe."""
        z = self.logits(x)
        return z[:, 0] > 0 if self.binary else z.argmax(1)
