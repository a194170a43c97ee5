"""The shipped clause model is what its documented command builds from committed data."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.train_clause_model import main  # noqa: E402

from my_flow_api.services.extraction.learned.scoring import ARTIFACT  # noqa: E402

TOLERANCE = 1e-4
"""The weights are stored to 6 decimals; liblinear's last digits differ between CPUs
(numpy's SIMD paths sum in another order), so a rebuild on another machine matched to
~1e-6, not byte for byte. A stale artifact (other data, features or vocabulary) differs
in keys, lengths or far more than this."""
REPORT_TOLERANCE = 0.005
"""The cross-validated figures written beside the weights (3 decimals): a candidate on
the threshold may flip with the last digits above."""


def _close(built: Any, shipped: Any, where: str = "") -> list[str]:
    tolerance = REPORT_TOLERANCE if where.startswith("/cross_validated") else TOLERANCE
    if isinstance(built, dict) and isinstance(shipped, dict):
        if built.keys() != shipped.keys():
            return [f"{where}: keys {sorted(built)} != {sorted(shipped)}"]
        return [d for k in built for d in _close(built[k], shipped[k], f"{where}/{k}")]
    if isinstance(built, list) and isinstance(shipped, list):
        if len(built) != len(shipped):
            return [f"{where}: {len(built)} items != {len(shipped)}"]
        pairs = zip(built, shipped, strict=True)
        return [d for i, (a, b) in enumerate(pairs) for d in _close(a, b, f"{where}[{i}]")]
    if isinstance(built, float) and isinstance(shipped, float):
        return [] if math.isclose(built, shipped, abs_tol=tolerance) else [f"{where}: {built}"]
    return [] if built == shipped else [f"{where}: {built!r} != {shipped!r}"]


def test_the_artifact_rebuilds_from_the_committed_data(tmp_path: Path) -> None:
    out = tmp_path / "clause_model.json"
    assert main(["--out", str(out)]) == 0
    built, shipped = json.loads(out.read_text()), json.loads(ARTIFACT.read_text())
    assert _close(built, shipped) == []
    assert built["threshold"] == shipped["threshold"]


def test_a_stale_artifact_is_told_apart() -> None:
    shipped = json.loads(ARTIFACT.read_text())
    moved = {**shipped, "coef": [shipped["coef"][0] + 0.01, *shipped["coef"][1:]]}
    assert _close(moved, shipped) == ["/coef[0]: " + str(moved["coef"][0])]
    assert _close({**shipped, "coef": shipped["coef"][1:]}, shipped) != []
