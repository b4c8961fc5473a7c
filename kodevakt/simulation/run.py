"""Re-running a stored period under another year, and what changes.

For every stored episode of the period:

- each code is looked up at the episode's date and at its date moved to the target year:
  a code that is valid and reportable now but not then «becomes invalid», the reverse
  «becomes valid», and a code whose text differs between the two lists «changes meaning»;
- the episode is checked as it is and as moved (`shift.shifted`): the code lists and rules
  in force in the target year decide (multiple coding from 2023/2024, the covid codes …);
  a finding is the same one when rule, codes and kind of place agree (as stored findings
  are keyed), so a finding «appears» or «vanishes» by rule;
- with DRG tables for both years, the episode is grouped as it is with its own year's
  tables and as moved with the target year's: a changed DRG and the weight change count for
  its department.

The target year's code lists are those loaded (embedded, or official files through
`KODEVAKT_CODE_FILES`); when a year is not loaded the nearest is used, and the result says so.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from kodevakt.batch.catalogue import all_rules
from kodevakt.codes.codebase import CodeBase, Resolution, Status
from kodevakt.codes.release import Family
from kodevakt.drg.grouper import Definitions, DrgTables
from kodevakt.drg.input import episode_input
from kodevakt.drg.weights import Weights
from kodevakt.episodes.model import Episode
from kodevakt.errors import KodevaktError
from kodevakt.report.effect import DrgSources
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding
from kodevakt.simulation.shift import shifted
from kodevakt.storage import Store, parse_period

INVALID = "invalid"
VALID = "valid"
MEANING = "meaning"
USABLE = (Status.OK, Status.NOT_IN_LOADED_LIST, Status.FORMAT_ONLY)
_POSITIONAL = re.compile(r"\[\d+\]")
Place = tuple[str, str]  # (institution, episode id)


class SimulationError(KodevaktError):
    """The simulation cannot be run as asked."""


@dataclass(frozen=True, slots=True)
class CodeChange:
    code: str
    kind: str  # invalid | valid | meaning
    status_before: str
    status_after: str
    text_before: str
    text_after: str
    episodes: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class RuleChange:
    rule: str
    title: str
    appear: tuple[Place, ...]  # episodes with a finding the target year adds
    vanish: tuple[Place, ...]  # episodes with a finding that is gone in the target year


@dataclass(frozen=True, slots=True)
class DrgMove:
    place: Place
    department: str
    drg_before: str
    drg_after: str
    weight_before: float | None
    weight_after: float | None


@dataclass(frozen=True, slots=True)
class DepartmentShift:
    department: str
    grouped: int
    changed: int
    weight_before: float | None
    weight_after: float | None
    moves: tuple[DrgMove, ...]

    @property
    def weight_change(self) -> float | None:
        if self.weight_before is None or self.weight_after is None:
            return None
        return round(self.weight_after - self.weight_before, 6)


@dataclass(frozen=True, slots=True)
class Simulation:
    period: str
    institution: str | None
    to_year: int
    from_years: tuple[int, ...]
    episodes: int
    code_changes: tuple[CodeChange, ...]
    rule_changes: tuple[RuleChange, ...]
    departments: tuple[DepartmentShift, ...]
    drg_available: bool
    drg_problem: str = ""
    weighted: bool = False
    not_grouped: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed_drg(self) -> int:
        return sum(d.changed for d in self.departments)


def _identity(found: Finding) -> tuple[str, tuple[str, ...], str]:
    return (found.rule, found.codes, _POSITIONAL.sub("", found.location))


class _Lookups:
    """Code resolutions, each (code, date) once."""

    def __init__(self, base: CodeBase) -> None:
        self.base = base
        self.cache: dict[tuple[str, date | None], Resolution] = {}

    def __call__(self, code: str, day: date | None) -> Resolution:
        key = (code, day)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self.base.resolve(code, day)
        return found


@dataclass(slots=True)
class _Drg:
    """DRG tables per year and the department tallies."""

    definitions: Definitions
    weights: Weights | None
    tables: dict[int, DrgTables | None] = field(default_factory=dict)
    grouped: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    before: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    after: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    unweighted: set[str] = field(default_factory=set)
    moves: dict[str, list[DrgMove]] = field(default_factory=lambda: defaultdict(list))
    not_grouped: int = 0

    def get(self, year: int) -> DrgTables | None:
        if year not in self.tables:
            try:
                self.tables[year] = self.definitions.tables(year)
            except KodevaktError:
                self.tables[year] = None
        return self.tables[year]

    def add(self, place: Place, department: str, episode: Episode, moved: Episode) -> None:
        day, then = episode.rule_date, moved.rule_date
        old = self.get(day.year) if day is not None else None
        new = self.get(then.year) if then is not None else None
        if old is None or new is None or day is None or then is None:
            self.not_grouped += 1
            return
        try:
            before = old.group(episode_input(episode, year=day.year), explain_row=False)
            after = new.group(episode_input(moved, year=then.year), explain_row=False)
        except KodevaktError:
            self.not_grouped += 1
            return
        weights = self.weights
        w_before = weights.weight(before.drg, day.year) if weights is not None else None
        w_after = weights.weight(after.drg, then.year) if weights is not None else None
        self.grouped[department] += 1
        if w_before is None or w_after is None:
            self.unweighted.add(department)
        else:
            self.before[department] += w_before
            self.after[department] += w_after
        if (before.drg, before.mdc, before.return_code) != (
            after.drg,
            after.mdc,
            after.return_code,
        ):
            self.changed[department] += 1
            self.moves[department].append(
                DrgMove(place, department, before.drg, after.drg, w_before, w_after)
            )

    def shifts(self) -> tuple[DepartmentShift, ...]:
        rows = []
        for department in sorted(self.grouped, key=lambda d: (-self.changed[d], d)):
            weighted = department not in self.unweighted
            rows.append(
                DepartmentShift(
                    department,
                    self.grouped[department],
                    self.changed[department],
                    round(self.before[department], 6) if weighted else None,
                    round(self.after[department], 6) if weighted else None,
                    tuple(self.moves[department]),
                )
            )
        return tuple(rows)


def simulate(
    store: Store,
    period: str,
    to_year: int,
    checker: Checker,
    *,
    institution: str | None = None,
    drg: DrgSources | None = None,
) -> Simulation:
    """What coding the period's episodes in `to_year` changes (see the module docstring)."""
    period = parse_period(period)
    if not 1990 <= to_year <= 2100:
        raise SimulationError(f"året {to_year} er ikke mulig; bruk et år som 2027")
    lookups = _Lookups(checker.base)
    codes: dict[tuple[str, str], set[Place]] = defaultdict(set)
    found_codes: dict[tuple[str, str], CodeChange] = {}
    appear: dict[str, set[Place]] = defaultdict(set)
    vanish: dict[str, set[Place]] = defaultdict(set)
    years: set[int] = set()
    tally = (
        _Drg(drg.definitions, drg.weights)
        if drg is not None and drg.definitions is not None and drg.definitions.years
        else None
    )
    count = 0
    for episode in store.episodes(period, institution, sources=False):
        count += 1
        place = (episode.institution or "", episode.id)
        moved = shifted(episode, to_year)
        if episode.rule_date is not None:
            years.add(episode.rule_date.year)
        for code in _codes(episode):
            change = _code_change(lookups, code, episode.rule_date, moved.rule_date)
            if change is not None:
                found_codes.setdefault((change.code, change.kind), change)
                codes[(change.code, change.kind)].add(place)
        before = Counter(_identity(f) for f in checker.check_episode(episode))
        after = Counter(_identity(f) for f in checker.check_episode(moved))
        for rule, _, _ in before - after:
            vanish[rule].add(place)
        for rule, _, _ in after - before:
            appear[rule].add(place)
        if tally is not None:
            tally.add(place, episode.department or "", episode, moved)
    if not count:
        raise SimulationError(f"ingen episoder i perioden {period}")
    titles = {rule.code: rule.title for rule in all_rules()}
    rule_changes = tuple(
        RuleChange(
            rule, titles.get(rule, ""), tuple(sorted(appear[rule])), tuple(sorted(vanish[rule]))
        )
        for rule in sorted(appear.keys() | vanish.keys())
    )
    code_changes = tuple(
        CodeChange(
            change.code,
            change.kind,
            change.status_before,
            change.status_after,
            change.text_before,
            change.text_after,
            tuple(sorted(codes[key])),
        )
        for key, change in sorted(
            found_codes.items(), key=lambda item: (-len(codes[item[0]]), item[0])
        )
    )
    notes = _release_notes(checker.base, sorted(years), to_year)
    problem = ""
    if tally is None:
        problem = (" ".join(drg.problems) if drg is not None else "") or (
            "Ingen DRG-definisjonstabeller er oppgitt."
        )
    elif tally.get(to_year) is None:
        problem = f"Ingen DRG-tabeller for {to_year} er lastet."
    return Simulation(
        period=period,
        institution=institution,
        to_year=to_year,
        from_years=tuple(sorted(years)),
        episodes=count,
        code_changes=code_changes,
        rule_changes=rule_changes,
        departments=tally.shifts() if tally is not None else (),
        drg_available=tally is not None and not problem,
        drg_problem=problem,
        weighted=tally is not None and tally.weights is not None and not tally.unweighted,
        not_grouped=tally.not_grouped if tally is not None else 0,
        notes=tuple(notes),
    )


def _codes(episode: Episode) -> Iterable[str]:
    for group in episode.conditions:
        yield from group
    for procedure in episode.procedures:
        yield from procedure.codes


def _text(resolution: Resolution) -> str:
    return resolution.code.display_text if resolution.code is not None else ""


def _same_text(one: str, two: str) -> bool:
    return " ".join(one.casefold().split()) == " ".join(two.casefold().split())


_STATUS_TEXT = {
    Status.OK: "gyldig",
    Status.UNKNOWN: "finnes ikke",
    Status.NOT_IN_LOADED_LIST: "ikke i den innlastede listen",
    Status.NOT_VALID: "ikke gyldig",
    Status.NOT_REPORTABLE: "kan ikke rapporteres",
    Status.WHO_ONLY: "brukes ikke i Norge",
    Status.FORMAT_ONLY: "bare formen kontrollert",
}


def _code_change(
    lookups: _Lookups, code: str, before_day: date | None, after_day: date | None
) -> CodeChange | None:
    if before_day is None or after_day is None or before_day == after_day:
        return None
    before, after = lookups(code, before_day), lookups(code, after_day)
    canonical = before.normalised.code or code
    was, becomes = before.status in USABLE, after.status in USABLE
    old, new = _text(before), _text(after)
    kind = None
    if was and not becomes:
        kind = INVALID
    elif becomes and not was:
        kind = VALID
    elif was and old and new and not _same_text(old, new):
        kind = MEANING
    if kind is None:
        return None
    return CodeChange(
        canonical,
        kind,
        _STATUS_TEXT[before.status],
        _STATUS_TEXT[after.status],
        old,
        new,
        (),
    )


def _release_notes(base: CodeBase, years: list[int], to_year: int) -> list[str]:
    notes = []
    for family, name in ((Family.ICD10, "ICD-10"), (Family.PROCEDURE, "prosedyrekodene")):
        for year in [*years, to_year]:
            chosen = base.code_list(family, year)
            if chosen is not None and chosen.release.year != year:
                notes.append(
                    f"Kodelisten for {name} {year} er ikke lastet; {chosen.release.year} er brukt "
                    "i stedet (last de offisielle filene med KODEVAKT_CODE_FILES)."
                )
    return list(dict.fromkeys(notes))
