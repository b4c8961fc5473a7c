"""Benchmark: reading discharge summaries (issue 15), on an annotated set, per kind of case.

Prints main-condition accuracy, code precision and recall (by 3-character category, and by
exact code), negation accuracy, the number of negated conditions proposed as affirmed, and
texts per second on texts of about 2 KB (the set's texts joined) on one core: by the
process's CPU time, which a busy machine does not distort, and by the wall clock.

Targets: main condition right in ≥ 80 % of texts; code recall ≥ 85 % at precision ≥ 80 %; no
negated condition proposed as affirmed; ≥ 200 texts of 2 KB per second.

Run: `.venv/bin/python bench/text.py [--set PATH] [--errors]`; PATH is a folder of annotated
`*.txt` files or a JSON Lines file (format: kodevakt/documentation/evaluation.py), by default
the project's own set in tests/documentation/texts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kodevakt.documentation import default_reader
from kodevakt.documentation.evaluation import Case, Tally, evaluate, load_cases

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "tests" / "documentation" / "texts"
TEXT_BYTES = 2048
SPEED_TEXTS = 400


def _row(name: str, t: Tally) -> str:
    return (
        f"{name:<15}{t.texts:>6}{t.main_accuracy:>8.1%}{t.precision:>8.1%}{t.recall:>8.1%}"
        f"{t.exact_precision:>8.1%}{t.exact_recall:>8.1%}"
        f"{t.negation_accuracy:>8.1%} ({t.negated:>3}){t.negated_coded:>9}"
    )


def _long_texts(cases: list[Case]) -> list[str]:
    """Texts of about `TEXT_BYTES` bytes of UTF-8, made by joining the set's texts."""
    texts: list[str] = []
    i = 0
    while len(texts) < SPEED_TEXTS:
        parts: list[str] = []
        while len("\n".join(parts).encode("utf-8")) < TEXT_BYTES:
            parts.append(cases[i % len(cases)].text)
            i += 1
        texts.append("\n".join(parts))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="annotated texts")
    parser.add_argument("--errors", action="store_true", help="list what went wrong per text")
    args = parser.parse_args()

    reader = default_reader()
    cases = load_cases(args.set)
    reader.read(cases[0].text)  # loads the code lists, the search index and the phrase list
    result = evaluate(reader, cases)
    print(f"Annotated set: {args.set} ({len(cases)} texts)")
    print(
        f"{'kind':<15}{'texts':>6}{'main':>8}{'P':>8}{'R':>8}{'P exact':>8}{'R exact':>8}"
        f"{'negation':>14}{'neg→aff':>9}"
    )
    for kind in sorted(result.by_kind):
        print(_row(kind, result.by_kind[kind]))
    print(_row("all", result.total))
    if args.errors:
        print("\n".join(result.errors))

    texts = _long_texts(cases)
    size = sum(len(t.encode("utf-8")) for t in texts) / len(texts)
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        reader.read(text)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"\nSpeed: {len(texts) / cpu:.0f} texts/s of {size / 1024:.1f} KB on one core "
        f"({cpu / len(texts) * 1000:.2f} ms CPU per text; {len(texts) / wall:.0f} texts/s by "
        "the wall clock, which includes time other processes held the core)"
    )


if __name__ == "__main__":
    main()
