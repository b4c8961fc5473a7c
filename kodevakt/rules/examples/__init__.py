"""Each rule's examples as data: codings that make the rule fire, and codings it must pass.

A rule's examples live in one place, as sqlfluff's rule cases do: the tests run every one of
them against the rule (tests/rules/test_examples.py) and docs/rules.md renders them as the
rule's "Triggers" and "Correct" sections, so a documented example cannot disagree with the
rule. One TOML file per family (`K.toml`, `T.toml`, `P.toml`, `E.toml` in this folder; the
pattern rules' `M.toml` beside them in `kodevakt.batch.patterns`) holds an array of tables per
rule code:

    [[T02]]
    fires = true                          # the rule must fire (false: must stay silent)
    conditions = "H36.0+E10.3"            # compact notation, see kodevakt.episodes.notation
    codes = ["H36.0"]                     # the codes its findings name (optional)
    fix = { conditions = "E10.3+H36.0" }  # the fix it returns; none declared = none returned
    note = "the asterisk stands first"    # what the example shows (English, for the docs)

An episode is a plain adult inpatient stay (woman born 1960-05-05, acute, HF1/MED,
`{year}-03-03T10:00` to `{year}-03-07T12:00`, year 2025) unless the example says otherwise
with the `EpisodeSpec` fields; `""` writes a value as missing. A pattern rule's example is a
batch: `[[M01.episodes]]` tables, each one `EpisodeSpec` (with `count` for that many alike
episodes), and optionally `previous` episodes of the period before and the batch's `period`.
`severity` is the severity every finding must have when it is not the rule's own.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib.resources.abc import Traversable
from typing import Any

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.notation import parse_conditions, parse_procedures
from kodevakt.rules.finding import Fix, Severity

DEFAULT_YEAR = 2025


@dataclass(frozen=True, slots=True)
class EpisodeSpec:
    """An episode as an example writes it: only what differs from the plain default stay."""

    conditions: str = ""
    procedures: str = ""  # `JKA20+ZXD10@2025-03-04; NHX30`
    year: int = DEFAULT_YEAR  # moves the default dates to that year
    sex: str = "K"
    age: int | None = None  # else `age_days`, else `birth_date` (default 1960-05-05)
    age_days: int | None = None
    birth_date: str | None = None
    care_level: str = "inpatient"
    urgency: str = "acute"
    admission: str | None = None  # default `{year}-03-03T10:00`
    discharge: str | None = None  # default `{year}-03-07T12:00`
    transferred_from: str | None = None
    institution: str = "HF1"
    department: str = "MED"
    id: str = "ep-1"
    patient: str | None = None  # default `pas-1`, in a batch the episode's own id
    count: int = 1  # in a batch: this many alike episodes, ids `{id}1` … `{id}{count}`
    history: tuple[EpisodeSpec, ...] = ()  # the patient's earlier episodes (for T27)
    text: str = ""  # the discharge summary (for the documentation rules D01–D07)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str) -> EpisodeSpec:
        values = dict(table)
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"{where}: unknown episode fields {sorted(unknown)}")
        history = values.pop("history", [])
        return cls(
            **values,
            history=tuple(cls.from_table(h, f"{where} history") for h in history),
        )

    def episode(self, episode_id: str | None = None, patient_id: str | None = None) -> Episode:
        """The episode this spec describes (under another id when given)."""
        patient: dict[str, Any] = {
            "id": patient_id or self.patient or "pas-1",
            "sex": self.sex or None,
        }
        if self.age is not None:
            patient["age"] = self.age
        elif self.age_days is not None:
            patient["age_days"] = self.age_days
        else:
            patient["birth_date"] = self.birth_date or "1960-05-05"
        record = episode_from_dict(
            {
                "id": episode_id or self.id,
                "patient": patient,
                "institution": self.institution,
                "department": self.department,
                "care_level": self.care_level,
                "urgency": self.urgency,
                "admission": self._admission(),
                "discharge": self._discharge(),
                "transferred_from": self.transferred_from,
                "text": self.text or None,
                "conditions": parse_conditions(self.conditions),
                "procedures": [
                    {"codes": group.codes, "date": group.date and group.date.isoformat()}
                    for group in parse_procedures(self.procedures)
                ],
            },
            Source("<example>", 1),
        )
        if not isinstance(record, Episode):
            raise ValueError(f"example {self.conditions!r} is unreadable: {record}")
        return record

    def given(self) -> dict[str, Any]:
        """The fields the example sets (those that differ from the default stay), as data."""
        found: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default and f.name != "history":
                found[f.name] = value
        if self.history:
            found["history"] = [earlier.given() for earlier in self.history]
        return found

    def history_episodes(self) -> list[Episode]:
        return [
            h.episode(f"{self.id}-earlier-{i}", self.patient) for i, h in enumerate(self.history)
        ]

    def describe(self) -> str:
        """The codes in compact notation and what else sets the episode apart, for the docs."""
        parts = [f"`{self.conditions}`" if self.conditions else "No conditions"]
        if self.procedures:
            parts.append(f"procedures `{self.procedures}`")
        context = self.context()
        return " · ".join(parts) + (f" ({context})" if context else "")

    def context(self) -> str:
        """What differs from the default stay, in words: `man aged 64, 2019, outpatient`."""
        said: list[str] = []
        if self.sex not in ("K", "M"):
            said.append("sex missing" if self.sex == "" else f"sex `{self.sex}`")
        adult = {"K": "woman", "M": "man"}.get(self.sex, "patient")
        if self.age is not None:
            said.append(f"{adult} aged {self.age}")
        elif self.age_days is not None:
            child = {"K": "girl", "M": "boy"}.get(self.sex, "newborn")
            said.append(f"{child} {self.age_days} days old")
        elif self.birth_date is not None:
            said.append(f"{adult} born {self.birth_date}")
        elif self.sex == "M":
            said.append("man")
        if self.patient is not None:
            said.append(f"patient {self.patient}")
        if self.year != DEFAULT_YEAR:
            said.append(str(self.year))
        level = "day care" if self.care_level == "day" else self.care_level
        stay = level if self.urgency == "acute" else f"{self.urgency} {level}"
        if stay != "inpatient":
            said.append(stay)
        if self.admission is not None or self.discharge is not None:
            said.append(f"{self._admission() or 'no admission'} to {self._discharge() or 'none'}")
        if self.transferred_from:
            said.append(f"transferred from {self.transferred_from}")
        if self.text:
            said.append(f"discharge summary «{' '.join(self.text.split())}»")
        if (self.institution, self.department) != ("HF1", "MED"):
            said.append(f"at {self.institution}/{self.department}")
        for earlier in self.history:
            said.append(f"an earlier stay `{earlier.conditions}` to {earlier._discharge()}")
        return ", ".join(said)

    def _admission(self) -> str | None:
        return _given(self.admission, f"{self.year}-03-03T10:00")

    def _discharge(self) -> str | None:
        return _given(self.discharge, f"{self.year}-03-07T12:00")


@dataclass(frozen=True, slots=True)
class Example:
    """One example of a rule: what it is given, and whether and how the rule answers.

    `codes` are the codes its findings name, in order (None: not stated); `severity` is the
    severity of every finding when it is not the rule's own; `fix` is the fix the rule returns
    (None: it returns none).
    """

    rule: str
    fires: bool
    note: str = ""
    severity: Severity | None = None
    codes: tuple[str, ...] | None = None
    fix: Fix | None = None

    def expected(self) -> dict[str, Any]:
        """What the example expects of the rule, as data (what it does not state is left out;
        the note is English prose for the docs, not for the CLI's users)."""
        found: dict[str, Any] = {"fires": self.fires}
        if self.severity is not None:
            found["severity"] = self.severity.value
        if self.codes is not None:
            found["codes"] = list(self.codes)
        if self.fix is not None:
            found["fix"] = self.fix.to_dict()
        return found


@dataclass(frozen=True, slots=True)
class EpisodeExample(Example):
    """An example for an episode rule: one episode (`copies` times in one batch)."""

    episode: EpisodeSpec = field(default_factory=EpisodeSpec)
    copies: int = 1
    code_lists: tuple[str, ...] = ()  # official code list files in the examples' folder

    def to_dict(self) -> dict[str, Any]:
        found = {**self.expected(), "episode": self.episode.given()}
        if self.copies > 1:
            found["copies"] = self.copies
        if self.code_lists:
            found["code_lists"] = list(self.code_lists)
        return found

    def describe(self) -> str:
        text = self.episode.describe()
        if self.copies > 1:
            text += f", {self.copies} times in one batch"
        if self.code_lists:
            text += ", with " + " and ".join(f"`{name}` loaded" for name in self.code_lists)
        return text


@dataclass(frozen=True, slots=True)
class BatchExample(Example):
    """An example for a pattern rule: a batch of episodes, and the period before it."""

    episodes: tuple[EpisodeSpec, ...] = ()
    previous: tuple[EpisodeSpec, ...] = ()
    period: str | None = None

    def batch(self) -> list[Episode]:
        return _expand(self.episodes)

    def previous_batch(self) -> list[Episode]:
        return _expand(self.previous)

    def to_dict(self) -> dict[str, Any]:
        found = {**self.expected(), "episodes": [spec.given() for spec in self.episodes]}
        if self.previous:
            found["previous"] = [spec.given() for spec in self.previous]
        if self.period:
            found["period"] = self.period
        return found

    def describe(self) -> str:
        period = f" in {self.period}" if self.period else ""
        return f"A batch of {len(self.batch())} episodes{period}"

    def lines(self) -> list[str]:
        """The batch line by line: each episode (or `count` alike), then the period before."""
        lines = [_batch_line(spec) for spec in self.episodes]
        lines += [f"{_batch_line(spec)}, in the period before" for spec in self.previous]
        return lines


AnyExample = EpisodeExample | BatchExample

_BATCH_KEYS = {"episodes", "previous", "period"}


def example_from_table(rule_code: str, table: Mapping[str, Any], where: str) -> AnyExample:
    """One example from its TOML table (`where` names it in errors)."""
    values = dict(table)
    if "fires" not in values:
        raise ValueError(f"{where}: an example states whether the rule `fires`")
    common: dict[str, Any] = {
        "rule": rule_code,
        "fires": bool(values.pop("fires")),
        "note": str(values.pop("note", "")),
        "severity": Severity(values.pop("severity")) if "severity" in values else None,
        "codes": tuple(values.pop("codes")) if "codes" in values else None,
        "fix": _fix(values.pop("fix"), where) if "fix" in values else None,
    }
    if "episodes" in values:
        unknown = set(values) - _BATCH_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown batch fields {sorted(unknown)}")
        return BatchExample(
            **common,
            episodes=tuple(EpisodeSpec.from_table(e, where) for e in values["episodes"]),
            previous=tuple(EpisodeSpec.from_table(e, where) for e in values.get("previous", [])),
            period=values.get("period"),
        )
    copies = int(values.pop("copies", 1))
    code_lists = tuple(values.pop("code_lists", ()))
    return EpisodeExample(
        **common,
        episode=EpisodeSpec.from_table(values, where),
        copies=copies,
        code_lists=code_lists,
    )


def load_examples(source: Traversable) -> dict[str, tuple[AnyExample, ...]]:
    """The examples of every rule in a TOML file, by rule code."""
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    found: dict[str, tuple[AnyExample, ...]] = {}
    for rule_code, tables in data.items():
        if not isinstance(tables, list):
            raise ValueError(f"{source.name}: {rule_code} is not an array of examples")
        found[rule_code] = tuple(
            example_from_table(rule_code, table, f"{source.name} {rule_code}[{i}]")
            for i, table in enumerate(tables)
        )
    return found


def load_folder(folder: Traversable) -> dict[str, tuple[AnyExample, ...]]:
    """The examples in every `*.toml` file of `folder`, by rule code."""
    found: dict[str, tuple[AnyExample, ...]] = {}
    for source in sorted(folder.iterdir(), key=lambda item: item.name):
        if source.name.endswith(".toml"):
            for rule_code, examples in load_examples(source).items():
                if rule_code in found:
                    raise ValueError(f"{source.name}: {rule_code} has examples in two files")
                found[rule_code] = examples
    return found


def _fix(table: Mapping[str, str], where: str) -> Fix:
    unknown = set(table) - {"conditions", "procedures"}
    if unknown:
        raise ValueError(f"{where}: unknown fix fields {sorted(unknown)}")
    conditions = table.get("conditions")
    procedures = table.get("procedures")  # the groups' codes after the fix, without dates
    return Fix(
        conditions=None
        if conditions is None
        else tuple(tuple(group) for group in parse_conditions(conditions)),
        procedures=None
        if procedures is None
        else tuple(tuple(group) for group in parse_conditions(procedures)),
    )


def _given(value: str | None, default: str) -> str | None:
    if value is None:
        return default
    return value or None


def _expand(specs: Sequence[EpisodeSpec]) -> list[Episode]:
    """The batch's episodes: each spec once, or `count` alike episodes with their own ids."""
    episodes = []
    for spec in specs:
        if spec.count == 1:
            episodes.append(spec.episode(spec.id, spec.patient or spec.id))
            continue
        for n in range(1, spec.count + 1):
            episode_id = f"{spec.id}{n}"
            episodes.append(spec.episode(episode_id, spec.patient or episode_id))
    return episodes


def _batch_line(spec: EpisodeSpec) -> str:
    many = f"{spec.count} × " if spec.count > 1 else ""
    return f"{many}{spec.describe()}"
