"""End-to-end fuzzing of `kodevakt check`: one damaged record, run as a user runs it.

Each case is a file of valid episodes with one record damaged (tests/episodes/corrupt.py),
checked through the real command (`kodevakt check FILE --format jsonl`, in process, so ten
thousand cases take minutes rather than hours). Every episode carries the sentinel procedure
code QXA99, outside the embedded procedure subset, which the checker always reports in the
episode's one K06 finding: so which episodes were checked, and how often, is counted from
the findings themselves, independently of the command's own summary.

The promises asserted for every case (docs/reliability.md):
- no traceback, and the exit code keeps its documented meaning (0 no errors, 1 errors found,
  2 the input could not be read: here only a file refused for its encoding, with the hint);
- records read = checked + rejected, as the summary says;
- every intact record is checked exactly once;
- no personal value (patient id, birth date, an unreadable value) on stderr.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from typer.testing import CliRunner

import kodevakt.cli.check as check_command
from kodevakt.cli import build_app
from kodevakt.codes.loading import default_codebase
from tests.episodes.corrupt import SUFFIXES, corrupted_file, personal_values

SENTINEL = "QXA99"
_SUMMARY = re.compile(r"Lest (\d+) poster: (\d+) kontrollert, (\d+) avvist\.")

# The code lists are the same for every case: loaded once here (the command loads them per
# run), and handed to the command only while a case runs.
_CODEBASE = functools.cache(default_codebase)
_APP = build_app(["check"])
_RUNNER = CliRunner()


@dataclass(frozen=True, slots=True)
class Case:
    """One damaged file: its format, the corruption and what must come back."""

    fmt: str
    corruption: str
    content: bytes
    intact: frozenset[str]
    personal: frozenset[str]


def with_sentinel(episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The episodes, each with the sentinel procedure first and an id that no flip of a few
    bits turns into another's (`ep-00000` and `ep-00001` are one bit apart)."""
    marked = []
    for number, item in enumerate(episodes):
        day = item["admission"][:10]
        spread = hashlib.sha256(str(number).encode()).hexdigest()[:12]
        marked.append(
            dict(
                item,
                id=f"ep-{number}-{spread}",
                procedures=[{"codes": [SENTINEL], "date": day}, *item["procedures"]],
            )
        )
    return marked


def make_case(draw: Any, episodes: list[dict[str, Any]], fmt: str, corruption: str) -> Case:
    """`episodes` as a file of `fmt` with one record damaged by `corruption`; `draw` is
    Hypothesis' draw (or a seeded `random.Random`) for where and how."""
    marked = with_sentinel(episodes)
    content, intact = corrupted_file(draw, marked, fmt, corruption)
    return Case(fmt, corruption, content, frozenset(intact), frozenset(personal_values(marked)))


@dataclass(frozen=True, slots=True)
class Outcome:
    exit_code: int
    read: int | None
    checked: int | None
    rejected: int | None
    refused: bool


def run_check(case: Case, folder: Path) -> Outcome:
    """Run `kodevakt check` on the case and assert every promise; returns what happened."""
    path = folder / f"episoder{SUFFIXES[case.fmt]}"
    path.write_bytes(case.content)
    with mock.patch.object(check_command, "default_codebase", _CODEBASE):
        result = _RUNNER.invoke(_APP, ["check", str(path), "--format", "jsonl"])
    context = f"format {case.fmt}, skade {case.corruption or 'ingen'}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{context}: unntak {result.exception!r}") from result.exception
    stdout, stderr = result.stdout, result.stderr
    assert "Traceback" not in stdout + stderr, context
    assert result.exit_code in (0, 1, 2), f"{context}: exit {result.exit_code}"
    leaked = [value for value in case.personal if value in stderr]
    assert not leaked, f"{context}: personal value on stderr: {leaked}"
    if result.exit_code == 2:
        # The only refusal in these cases: the start of the file is not UTF-8.
        assert "--encoding" in stderr and stdout == "", f"{context}: {stderr}"
        return Outcome(2, None, None, None, refused=True)
    summary = _SUMMARY.search(stderr)
    assert summary, f"{context}: no summary in {stderr!r}"
    read, checked, rejected = (int(n) for n in summary.groups())
    assert read == checked + rejected, context
    findings = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    sentinel = Counter(
        f["episode_id"] for f in findings if f["rule"] == "K06" and SENTINEL in f["codes"]
    )
    missing = sorted(i for i in case.intact if sentinel[i] != 1)
    assert not missing, f"{context}: intact records not checked exactly once: {missing[:5]}"
    assert len(case.intact) <= checked, context
    errors = any(f["severity"] == "error" for f in findings)
    assert result.exit_code == (1 if errors else 0), f"{context}: exit {result.exit_code}"
    return Outcome(result.exit_code, read, checked, rejected, refused=False)
