"""The acceptance suite: how good the bundled models are, as thresholds on real data.

Unit tests elsewhere say what the code does; the tests here say how well the shipped models do
it (transcription F1 on a kit never heard, the classifier's held-out numbers, grooves at the
settings a player reaches). Every test here is marked ``acceptance``:

    pytest -m acceptance          # only these (about a minute on one core)
    pytest -m "not acceptance"    # everything else

CI runs them with the rest (``scripts/test.sh``); without ``../shared/data`` the ones that need
real data skip with a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.acceptance)
