"""The shipped clause model is what its documented command builds from committed data."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.train_clause_model import main  # noqa: E402

from my_flow_api.services.extraction.learned.scoring import ARTIFACT  # noqa: E402


def test_the_artifact_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "clause_model.json"
    assert main(["--out", str(out)]) == 0
    assert out.read_bytes() == ARTIFACT.read_bytes()
