"""The evaluation's one logistic regression: a linear probe on standardised features.

The rhythm report asks "which style does this groove read as?" (multinomial) and "is this bar a
fill?" (binary, classes balanced); both are answered by :class:`LogisticProbe`: features are
standardised with the training set's mean and spread, and one linear layer is fitted by Adam
(full batch, weight decay as the L2 penalty) from a seeded start, so the same data gives the
same report.
"""

from __future__ import annotations

import numpy as np
import torch


class LogisticProbe:
    """Logistic regression on standardised features.

    Args:
        x: ``(N, F)`` float32 training features.
        y: ``(N,)`` labels: class indices 0..classes-1, or 0/1 when ``classes`` is 1 (binary).
        classes: number of classes; 1 fits a binary probe (one logit, positive class 1).
        steps, lr, weight_decay: Adam's full-batch steps, learning rate and L2 weight decay.
        seed: torch seed for the initial weights.
        pos_weight: binary only: weight of the positive class (e.g. negatives / positives to
            balance the classes).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, classes: int, *, steps: int, weight_decay: float,
                 seed: int, lr: float = 1e-2, pos_weight: float | None = None) -> None:
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        self.binary = classes == 1
        torch.manual_seed(seed)
        self.lin = torch.nn.Linear(x.shape[1], classes)
        opt = torch.optim.Adam(self.lin.parameters(), lr=lr, weight_decay=weight_decay)
        xt, yt = torch.from_numpy((x - self.mu) / self.sd), torch.from_numpy(y)
        pw = None if pos_weight is None else torch.tensor(pos_weight)
        for _ in range(steps):
            opt.zero_grad()
            if self.binary:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(self.lin(xt)[:, 0], yt, pos_weight=pw)
            else:
                loss = torch.nn.functional.cross_entropy(self.lin(xt), yt)
            loss.backward()
            opt.step()

    @torch.no_grad()
    def logits(self, x: np.ndarray) -> np.ndarray:
        """``(N, F)`` features -> ``(N, classes)`` float32 logits."""
        return self.lin(torch.from_numpy((x - self.mu) / self.sd)).numpy()

    def predict(self, x: np.ndarray) -> np.ndarray:
        """``(N, F)`` features -> ``(N,)`` predictions: class indices, or bool for a binary probe."""
        z = self.logits(x)
        return z[:, 0] > 0 if self.binary else z.argmax(1)
