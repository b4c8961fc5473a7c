"""Measuring the reader on annotated discharge summaries: the measures of issue 15.

An annotated set is a folder of `*.txt` files or a JSON Lines file. A text file holds records
like this one (the header's `codes` is the expected coding, every code in it affirmed;
`mentions` adds what the text says about other codes: negated, uncertain, history, family):

    ### pn-01
    kind: pneumonia
    main: J18.9
    codes: J18.9 J44.9 I10
    mentions: I26.9 negated; I21.9 history
    ---
    Diagnoser:
    Pneumoni …

A JSON Lines file holds one object per line: `{"id", "kind", "main", "codes": [...],
"mentions": [{"code", "certainty"}], "text"}`.

The measures, per kind of case and in all:

- main condition: right when the proposal has the expected code's 3-character category (an
  exact code is then right too);
- codes: precision and recall of the codes the reader would code against the expected codes,
  compared by category (3 characters: the ICD-10 category, or the NCSP/NCMP group such as
  `FNG`), and exactly;
- negation: of the mentions annotated as negated, the share the reader reads as negated; and
  the number of negated ones it would code as affirmed (the target is none);
- certainty: of every annotated mention (expected codes as affirmed), the share read with the
  annotated certainty.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kodevakt.documentation.context import Certainty
from kodevakt.documentation.reading import Reader, Reading
from kodevakt.errors import InputError

_HEADER = re.compile(r"(?P<key>[a-z]+):\s*(?P<value>.*)")


@dataclass(frozen=True, slots=True)
class Case:
    """One annotated text."""

    id: str
    kind: str
    text: str
    main: str | None
    codes: tuple[str, ...]
    mentions: tuple[tuple[str, Certainty], ...]

    def expected_certainty(self) -> dict[str, Certainty]:
        """Every annotated category with its certainty (expected codes are affirmed)."""
        found = {category(code): certainty for code, certainty in self.mentions}
        found.update({category(code): Certainty.AFFIRMED for code in self.codes})
        return found


def category(code: str) -> str:
    """The comparison key: ICD-10 category or procedure group (first three characters)."""
    return code.replace(".", "")[:3].upper()


def load_cases(path: Path) -> list[Case]:
    """The cases in a folder of `*.txt` files (sorted by name) or a JSON Lines file."""
    if path.is_dir():
        return [case for file in sorted(path.glob("*.txt")) for case in _text_cases(file)]
    return list(_json_cases(path))


def _text_cases(path: Path) -> Iterator[Case]:
    records = re.split(r"^### ", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for record in records[1:]:
        head, sep, text = record.partition("\n---\n")
        if not sep:
            raise InputError("posten mangler skillelinjen ---", file=str(path))
        lines = head.splitlines()
        fields: dict[str, str] = {}
        for line in lines[1:]:
            match = _HEADER.fullmatch(line.strip())
            if match is None:
                raise InputError(f"ukjent linje i posten {lines[0].strip()}", file=str(path))
            fields[match.group("key")] = match.group("value").strip()
        yield _case(lines[0].strip(), fields, text.strip("\n") + "\n", str(path))


def _case(case_id: str, fields: dict[str, str], text: str, file: str) -> Case:
    mentions = []
    for item in fields.get("mentions", "").split(";"):
        if item.strip():
            code, _, certainty = item.strip().partition(" ")
            try:
                mentions.append((code, Certainty(certainty.strip())))
            except ValueError:
                raise InputError(f"ukjent sikkerhet i {case_id}", file=file) from None
    return Case(
        case_id,
        fields.get("kind", "other"),
        text,
        fields.get("main") or None,
        tuple(fields.get("codes", "").split()),
        tuple(mentions),
    )


def _json_cases(path: Path) -> Iterator[Case]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data: dict[str, Any] = json.loads(line)
                yield Case(
                    str(data["id"]),
                    str(data.get("kind", "other")),
                    str(data["text"]),
                    data.get("main"),
                    tuple(data.get("codes", [])),
                    tuple((m["code"], Certainty(m["certainty"])) for m in data.get("mentions", [])),
                )
            except (ValueError, KeyError, TypeError) as exc:
                message = f"posten kan ikke leses ({type(exc).__name__})"
                raise InputError(message, file=str(path), line=number) from None


@dataclass(slots=True)
class Tally:
    """Counts for one kind of case (or all)."""

    texts: int = 0
    main_right: int = 0
    true_positives: int = 0
    predicted: int = 0
    expected: int = 0
    exact_true_positives: int = 0
    exact_predicted: int = 0
    exact_expected: int = 0
    negated: int = 0
    negated_right: int = 0
    negated_coded: int = 0
    mentions: int = 0
    certainty_right: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def main_accuracy(self) -> float:
        return _share(self.main_right, self.texts)

    @property
    def precision(self) -> float:
        return _share(self.true_positives, self.predicted)

    @property
    def recall(self) -> float:
        return _share(self.true_positives, self.expected)

    @property
    def exact_precision(self) -> float:
        return _share(self.exact_true_positives, self.exact_predicted)

    @property
    def exact_recall(self) -> float:
        return _share(self.exact_true_positives, self.exact_expected)

    @property
    def negation_accuracy(self) -> float:
        return _share(self.negated_right, self.negated)

    @property
    def certainty_accuracy(self) -> float:
        return _share(self.certainty_right, self.mentions)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


@dataclass(slots=True)
class Result:
    """The tallies per kind of case and in all, and what went wrong per text."""

    by_kind: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    errors: list[str] = field(default_factory=list)


def score(case: Case, reading: Reading) -> tuple[Tally, list[str]]:
    """The tally of one case and a line per error (ids and codes only, never text)."""
    tally = Tally(texts=1)
    errors: list[str] = []
    main = reading.main.code if reading.main is not None else None
    if case.main is None or (main is not None and category(main) == category(case.main)):
        tally.main_right = 1
    else:
        errors.append(f"{case.id}: hovedtilstand {main} (forventet {case.main})")
    proposed_codes = {code for found in reading.proposed() for code in found.codes}
    predicted = {category(code) for code in proposed_codes}
    expected = {category(code) for code in case.codes}
    tally.true_positives = len(predicted & expected)
    tally.predicted = len(predicted)
    tally.expected = len(expected)
    exact_expected = set(case.codes)
    tally.exact_true_positives = len(proposed_codes & exact_expected)
    tally.exact_predicted = len(proposed_codes)
    tally.exact_expected = len(exact_expected)
    if predicted - expected:
        errors.append(f"{case.id}: ikke forventet {sorted(predicted - expected)}")
    if expected - predicted:
        errors.append(f"{case.id}: mangler {sorted(expected - predicted)}")
    read = _certainties(reading)
    for key, certainty in case.expected_certainty().items():
        tally.mentions += 1
        if read.get(key) is certainty:
            tally.certainty_right += 1
        else:
            errors.append(f"{case.id}: {key} lest som {read.get(key)} (forventet {certainty})")
        if certainty is Certainty.NEGATED:
            tally.negated += 1
            tally.negated_right += read.get(key) is Certainty.NEGATED
            tally.negated_coded += key in predicted
    return tally, errors


def _certainties(reading: Reading) -> dict[str, Certainty]:
    """The certainty the reader gives each category (the strongest of its codes)."""
    found: dict[str, Certainty] = {}
    order = list(Certainty)
    for item in reading.codes:
        for code in item.codes:
            key = category(code)
            if key not in found or order.index(item.certainty) < order.index(found[key]):
                found[key] = item.certainty
    return found


def evaluate(reader: Reader, cases: Iterable[Case]) -> Result:
    """Read every case and tally the measures."""
    result = Result()
    for case in cases:
        tally, errors = score(case, reader.read(case.text))
        result.by_kind.setdefault(case.kind, Tally()).add(tally)
        result.total.add(tally)
        result.errors.extend(errors)
    return result
