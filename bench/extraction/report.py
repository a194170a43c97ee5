"""The run's figures as a JSON-ready dict, and the same figures as readable text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.extraction.runner import RunOutcome
from bench.extraction.scoring import percentile, tally, tally_languages

_COLUMNS = (
    ("category", "{}", 24),
    ("cases", "{}", 5),
    ("gold", "{}", 5),
    ("pred", "{}", 5),
    ("P", "{:.3f}", 6),
    ("R", "{:.3f}", 6),
    ("F1", "{:.3f}", 6),
    ("inject", "{}", 6),
    ("dupes", "{}", 5),
    ("due acc", "{:.3f}", 7),
    ("prio acc", "{:.3f}", 8),
    ("errors", "{}", 6),
)


def build_report(outcome: RunOutcome, data: Sequence[Path]) -> dict[str, Any]:
    """Overall and per-category figures, latency, errors and the failing cases."""
    overall, per_category = tally(outcome.results)
    per_language = tally_languages(outcome.results)
    latencies = [r.latency_ms for r in outcome.results]
    failing = [
        {
            "id": r.case.id,
            "category": r.case.category,
            "missed": r.missed,
            "extra": r.extra,
            "injected": r.injected,
            "duplicates": r.duplicates,
            "mismatches": r.mismatches,
            "error": r.error,
        }
        for r in outcome.results
        if r.failing
    ]
    return {
        "provider": outcome.provider,
        "model": outcome.model,
        "extractor": outcome.extractor,
        "data": [str(p) for p in data],
        "overall": overall.figures(),
        "categories": {name: t.figures() for name, t in per_category.items()},
        "languages": {name: t.figures() for name, t in per_language.items()},
        "latency_ms": {
            name: None if value is None else round(value, 2)
            for name, value in (
                ("p50", percentile(latencies, 50)),
                ("p95", percentile(latencies, 95)),
                ("max", max(latencies, default=None)),
            )
        },
        "provider_errors": overall.errors,
        "crashes": overall.crashes,
        "fake_requests": outcome.fake_requests,
        "failing": failing,
    }


def _row(name: str, figures: dict[str, Any]) -> str:
    values = [
        name,
        figures["cases"],
        figures["gold"],
        figures["predicted"],
        figures["precision"],
        figures["recall"],
        figures["f1"],
        figures["injected_accepted"],
        figures["duplicates"],
        figures["due_date_accuracy"],
        figures["priority_accuracy"],
        figures["provider_errors"] + figures["crashes"],
    ]
    cells = []
    for (_, fmt, width), value in zip(_COLUMNS, values, strict=True):
        text = "-" if value is None else fmt.format(value)
        cells.append(text.ljust(width) if width == _COLUMNS[0][2] else text.rjust(width))
    return "  ".join(cells)


def format_report(report: dict[str, Any], *, verbose: bool = False) -> str:
    """The report as a table, a summary and (with `verbose`) the failing cases."""
    header = "  ".join(n.ljust(w) if i == 0 else n.rjust(w) for i, (n, _, w) in enumerate(_COLUMNS))
    lines = [
        f"provider={report['provider']} model={report['model']} "
        f"extractor={report['extractor']} data={', '.join(report['data'])}",
        "",
        header,
        "-" * len(header),
    ]
    lines += [_row(name, figures) for name, figures in report["categories"].items()]
    lines += ["-" * len(header)]
    lines += [_row(f"language {name}", f) for name, f in report.get("languages", {}).items()]
    lines += ["-" * len(header), _row("OVERALL", report["overall"]), ""]
    overall, latency = report["overall"], report["latency_ms"]
    fmt = "{:.1f}".format
    lines.append(
        f"matched {overall['matched']}, false positives {overall['false_positives']}, "
        f"false negatives {overall['false_negatives']}; injected flows accepted "
        f"{overall['injected_accepted']}; duplicates {overall['duplicates']}"
    )
    lines.append(
        "latency ms: "
        + ", ".join(f"{k} {'-' if v is None else fmt(v)}" for k, v in latency.items())
        + f"; provider errors {report['provider_errors']}; crashes {report['crashes']}"
        + ("" if report["fake_requests"] is None else f"; fake requests {report['fake_requests']}")
    )
    lines.append(f"failing cases: {len(report['failing'])} of {overall['cases']}")
    if verbose:
        lines += _failures(report["failing"])
    return "\n".join(lines)


def _failures(failing: list[dict[str, Any]]) -> list[str]:
    lines = []
    for case in failing:
        lines.append(f"  {case['id']} ({case['category']})")
        for key in ("error", "missed", "extra", "injected", "duplicates", "mismatches"):
            value = case[key]
            if not value:
                continue
            if isinstance(value, str):
                shown = value
            elif key == "mismatches":
                shown = "; ".join(value)
            else:
                shown = ", ".join(repr(v) for v in value)
            lines.append(f"      {key}: {shown}")
    return lines
