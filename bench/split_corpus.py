"""Split a labelled corpus into a development part and a frozen test part, by a hash of
each case's id: fixed before anyone looks at the cases, and stable as cases are added.

    python bench/split_corpus.py OUT_DIR FILE.jsonl [FILE.jsonl ...]

writes OUT_DIR/dev.jsonl and OUT_DIR/frozen.jsonl (about one case in four is frozen).
Nothing is tuned on the frozen part: it is scored only to report a change's result.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

FROZEN_SHARE = 4  # one in four


def is_frozen(case_id: str) -> bool:
    """Whether a case belongs to the frozen test part."""
    digest = hashlib.sha256(case_id.encode()).digest()
    return digest[0] % FROZEN_SHARE == 0


def main(argv: list[str]) -> None:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, list[str]] = {"dev": [], "frozen": []}
    for name in argv[1:]:
        for line in Path(name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                parts["frozen" if is_frozen(case["id"]) else "dev"].append(line)
    for part, lines in parts.items():
        (out / f"{part}.jsonl").write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
        print(f"{part}: {len(lines)} cases")


if __name__ == "__main__":
    main(sys.argv[1:])
