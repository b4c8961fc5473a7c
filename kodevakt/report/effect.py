"""The report's "what the errors move" section: DRG and weight before and after each fix.

For the report's period, every open finding that carries a machine-applicable `Fix` is
tried with `kodevakt.drg.effect.episode_effects`: the episode is grouped as coded and with
the fix applied, with the definition tables for the episode's year, and (when weights are
loaded for that year) the cost weights before and after are compared. Each fix is judged
alone against the episode as coded, as `kodevakt effect` does, so two fixes on one episode
are counted separately.

The tables are the user's (`--definitions` or `KODEVAKT_DRG_DEFINITIONS`); without them the
section says how to supply them instead of failing, and a table or weights file that cannot
be read is reported in the section the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kodevakt.batch.catalogue import all_rules
from kodevakt.batch.indicators import UNKNOWN
from kodevakt.drg import Definitions, load_definitions
from kodevakt.drg.effect import FIX, Effect, episode_effects
from kodevakt.drg.grouper import DrgTables
from kodevakt.drg.tables import default_path
from kodevakt.drg.weights import Weights, load_weights
from kodevakt.errors import KodevaktError
from kodevakt.report.loaded import Item, PeriodBatch, Place
from kodevakt.report.model import EffectExample, EffectSummary, RuleEffect
from kodevakt.report.pseudonym import Pseudonymiser
from kodevakt.storage import FindingStatus

EXAMPLES = 10
EXAMPLES_PER_RULE = 3

NO_TABLES = "Ingen DRG-definisjonstabeller er oppgitt."


@dataclass(frozen=True, slots=True)
class DrgSources:
    """The definition tables and weights the section uses; `problems` says what failed."""

    definitions: Definitions | None = None
    weights: Weights | None = None
    problems: tuple[str, ...] = ()


def load_drg_sources(definitions: str | None = None, weights: str | None = None) -> DrgSources:
    """Tables from `definitions` (else `KODEVAKT_DRG_DEFINITIONS`) and weights from `weights`
    (else `KODEVAKT_DRG_WEIGHTS`); what cannot be read becomes a problem, never an error."""
    problems: list[str] = []
    loaded: Definitions | None = None
    try:
        loaded = load_definitions(definitions)
    except KodevaktError as exc:
        given = definitions is not None or default_path() is not None
        problems.append(f"DRG-tabellene kunne ikke leses: {exc}" if given else NO_TABLES)
    else:
        if not loaded.years:
            where = definitions or default_path() or ""
            problems.append(f"Fant ingen DRG-definisjonstabeller i {where}.")
            loaded = None
    found: Weights | None = None
    try:
        found = load_weights(weights)
    except KodevaktError as exc:
        problems.append(f"DRG-vektene kunne ikke leses, og vektene er utelatt: {exc}")
    return DrgSources(loaded, found, tuple(problems))


@dataclass(slots=True)
class _Rule:
    fixes: int = 0
    changed: int = 0
    weight_change: float | None = None
    largest: float | None = None

    def add(self, effect: Effect) -> None:
        self.fixes += 1
        self.changed += effect.before.drg != effect.after.drg
        change = effect.weight_change
        if change is not None:
            self.weight_change = (self.weight_change or 0.0) + change
            if self.largest is None or abs(change) > abs(self.largest):
                self.largest = change


@dataclass(slots=True)
class _Years:
    """Tables per year, read once; years without tables or with unreadable ones."""

    definitions: Definitions
    tables: dict[int, DrgTables | None] = field(default_factory=dict)
    missing: set[int] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)

    def get(self, year: int) -> DrgTables | None:
        if year not in self.tables:
            try:
                self.tables[year] = self.definitions.tables(year)
            except KodevaktError as exc:
                self.tables[year] = None
                if year in self.definitions.years:
                    self.broken.append(f"DRG-tabellene for {year} kunne ikke leses: {exc}")
                else:
                    self.missing.add(year)
        return self.tables[year]


# the findings whose fix the section groups: still to be corrected, whether a coder has
# looked yet (open) or agreed with the fix (approved); accepted ones keep their coding
TO_CORRECT = (FindingStatus.OPEN, FindingStatus.APPROVED)


def effect_summary(
    batch: PeriodBatch, pseudonyms: Pseudonymiser, sources: DrgSources
) -> EffectSummary:
    """The section's data for one loaded period (open and approved findings with a fix)."""
    definitions = sources.definitions
    if definitions is None or not definitions.years:
        problem = " ".join(sources.problems) or NO_TABLES
        return EffectSummary(available=False, problem=problem)
    by_place: dict[Place, list[Item]] = defaultdict(list)
    for item in batch.findings:
        if item.status in TO_CORRECT and item.finding.fix is not None:
            by_place[item.place].append(item)
    years = _Years(definitions)
    weights = sources.weights
    rules: dict[str, _Rule] = defaultdict(_Rule)
    moved: list[tuple[Item, Effect, str]] = []
    grouped_years: set[int] = set()
    no_weights: set[int] = set()
    episodes = not_grouped = 0
    for place in sorted(by_place):
        items = by_place[place]
        episode = batch.episode(items[0])
        if episode is None:
            continue
        day = episode.rule_date
        tables = years.get(day.year) if day is not None else None
        if tables is None:
            not_grouped += 1
            continue
        try:
            effects = episode_effects(episode, [i.finding for i in items], tables, weights)
        except KodevaktError:
            not_grouped += 1
            continue
        episodes += 1
        grouped_years.add(tables.year)
        if weights is not None and not weights.has_year(tables.year):
            no_weights.add(tables.year)
        fixes = [e for e in effects if e.kind == FIX]
        patient = pseudonyms.patient(episode.patient.id)
        for item, found in zip(items, fixes, strict=True):
            rules[item.rule].add(found)
            if found.before.drg != found.after.drg:
                moved.append((item, found, patient))
    weighted = weights is not None and any(weights.has_year(y) for y in grouped_years)
    titles = {rule.code: rule.title for rule in all_rules()}
    rows = tuple(
        RuleEffect(
            rule,
            titles.get(rule, ""),
            r.fixes,
            r.changed,
            _rounded(r.weight_change) if weighted else None,
            r.largest if weighted else None,
        )
        for rule, r in rules.items()
    )
    rows = tuple(
        sorted(rows, key=lambda r: (-abs(r.weight_change or 0.0), -r.changed, -r.fixes, r.rule))
    )
    known = [r.weight_change for r in rows if r.weight_change is not None]
    notes = list(sources.problems) + years.broken
    if years.missing:
        listed = ", ".join(str(y) for y in sorted(years.missing))
        notes.append(
            f"Ingen DRG-tabeller for {listed}: episodene fra de årene er ikke gruppert "
            f"(tabeller finnes for {', '.join(str(y) for y in definitions.years)})."
        )
    if no_weights:
        listed = ", ".join(str(y) for y in sorted(no_weights))
        notes.append(f"Ingen DRG-vekter for {listed}: vektendringene for de årene mangler.")
    return EffectSummary(
        available=True,
        years=tuple(sorted(grouped_years)),
        weighted=weighted,
        rules=rows,
        examples=_examples(moved),
        fixes=sum(r.fixes for r in rows),
        changed=sum(r.changed for r in rows),
        weight_change=_rounded(sum(known)) if weighted and known else None,
        episodes=episodes,
        not_grouped=not_grouped,
        notes=tuple(notes),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _examples(moved: Sequence[tuple[Item, Effect, str]]) -> tuple[EffectExample, ...]:
    """The largest weight changes first (then rule and episode), a few per rule."""
    ordered = sorted(
        moved,
        key=lambda m: (-abs(m[1].weight_change or 0.0), m[0].rule, m[0].finding.episode_id),
    )
    per_rule: dict[str, int] = defaultdict(int)
    chosen = []
    for item, found, patient in ordered:
        if per_rule[item.rule] >= EXAMPLES_PER_RULE:
            continue
        per_rule[item.rule] += 1
        chosen.append(
            EffectExample(
                rule=item.rule,
                department=item.department or UNKNOWN,
                episode_id=item.finding.episode_id,
                patient=patient,
                year=found.year,
                drg_before=found.before.drg,
                drg_after=found.after.drg,
                weight_before=found.weight_before,
                weight_after=found.weight_after,
            )
        )
        if len(chosen) >= EXAMPLES:
            break
    return tuple(chosen)
