"""Sound tests share two CPU cores with everything else: one torch thread keeps them fast."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread() -> None:
    torch.set_num_threads(1)
