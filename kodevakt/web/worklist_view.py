"""What the Arbeidsliste shows, for its pages and for the findings API alike.

- Filters: `read_filters` turns the values a page form or an API call gives into a
  `worklog.WorkFilter`, with a Norwegian message per value it cannot use.
- Order: most severe first (the storage order, `worklog.work_items`), and within a severity
  the findings whose correction moves the episode's DRG weight most. The DRG effect is not
  stored (it depends on the tables the server was started with), so it is computed here from
  each finding's fix and its stored episode, as `kodevakt effect` does. That costs a grouping
  per episode, so a filtered list of more than `MAX_DRG_SORT` findings keeps the storage
  order within each severity, and the page says so.
- Who sees what: the patient id for roles that see identifiers, else its pseudonym
  (`report.pseudonym`, the same key as the reports' and the worklist files'). Episode ids
  are shown to every role, as in those files.
- Units by name from the units file the server was started with (a file that cannot be
  read is named on the page, and the codes are shown).

`Worklist.of(request)` is the one per application (made on first use).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from fastapi import Request

from kodevakt.batch.catalogue import find_rule
from kodevakt.batch.units import NO_UNITS, Units, read_units
from kodevakt.drg.effect import FIX, Effect, episode_effects
from kodevakt.drg.years import TableYears
from kodevakt.episodes.model import Episode
from kodevakt.episodes.notation import format_conditions, format_procedures
from kodevakt.errors import CodeListError, KodevaktError
from kodevakt.report.data import pseudonymiser_for
from kodevakt.report.pseudonym import UNKNOWN, Pseudonymiser
from kodevakt.rules.finding import Fix, Severity
from kodevakt.storage import FindingStatus, StorageError, Store, parse_period
from kodevakt.storage import worklog as wl
from kodevakt.storage.accounts import Accounts, Role
from kodevakt.storage.worklog import WorkFilter, WorkItem
from kodevakt.web import code_data
from kodevakt.web.settings import WebSettings
from kodevakt.web.text_view import TextView, text_view

log = logging.getLogger("kodevakt.web")

_CREATING = threading.Lock()  # one `Worklist` per application, whichever request comes first
MAX_DRG_SORT = 1000  # findings in a filtered list that are ordered by DRG effect
HIDDEN = "skjult"  # the patient, when no pseudonym key can be had
_RULE = re.compile(r"^[A-Za-z]{1,3}\d{0,4}$")
# the statuses a coder still has work on: the list's default
TO_DO = (FindingStatus.OPEN, FindingStatus.ASKED)


@dataclass(frozen=True, slots=True)
class Coding:
    """An episode's codes in the notation of the check form (`J12.8+U07.1; I10`); a part is
    None where a fix leaves it as coded."""

    conditions: str | None
    procedures: str | None


@dataclass(frozen=True, slots=True)
class Row:
    """One finding as shown: the item, who the patient is to this reader, the DRG effect of
    its fix (None: no fix, no tables for its year, or no DRG change computed), and the
    episode's coding as stored and as the fix would leave it (None: no stored episode, or
    no fix)."""

    item: WorkItem
    patient: str
    effect: Effect | None
    institution: str  # by name when the units file names it, else the code ("" for none)
    department: str
    coded: Coding | None = None
    corrected: Coding | None = None
    text: TextView | None = None  # the episode's discharge summary, to a reader who may see it

    @property
    def title(self) -> str:
        return rule_title(self.item.stored.finding.rule)


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of the filtered list; `by_effect` says whether DRG effect ordered it."""

    rows: list[Row]
    total: int
    offset: int
    limit: int
    by_effect: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class Filters:
    """A `WorkFilter` and the problems met reading it (field name → Norwegian message)."""

    work: WorkFilter
    errors: dict[str, str]


def read_filters(
    *,
    period: str | None = None,
    institution: str | None = None,
    department: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    statuses: Iterable[str] = (),
    assignee: str | None = None,
) -> Filters:
    """The filter from given values ("" or None: no filter); a value that cannot be used is
    left out of the filter and named in `errors` under its parameter's name."""
    errors: dict[str, str] = {}
    stored_period = None
    if period:
        try:
            stored_period = parse_period(period)
        except StorageError:
            errors["period"] = "Skriv perioden som tertial (2025T1), måned (2025-03) eller år."
    rule_prefix = (rule or "").strip().upper() or None
    if rule_prefix is not None and not _RULE.match(rule_prefix):
        errors["rule"] = "Skriv en regelkode (T02) eller starten av en (T)."
        rule_prefix = None
    level = None
    if severity:
        try:
            level = Severity(severity)
        except ValueError:
            errors["severity"] = "Velg feil, advarsel eller info."
    chosen: list[FindingStatus] = []
    for value in statuses:
        try:
            chosen.append(FindingStatus(value))
        except ValueError:
            errors["status"] = "Velg åpen, spurt lege, retting godkjent, godtatt eller rettet."
    work = WorkFilter(
        period=stored_period,
        institution=institution or None,
        department=department or None,
        rule=rule_prefix,
        severity=level,
        statuses=tuple(dict.fromkeys(chosen)),
        assignee=assignee,
    )
    return Filters(work, errors)


def assignable(accounts: Accounts) -> list[str]:
    """Who findings may be given to: active coders and leads, by name."""
    return [
        account.name
        for account in accounts.users()
        if account.active and account.role in (Role.CODER, Role.LEAD)
    ]


@cache
def rule_title(code: str) -> str:
    """The rule's Norwegian title from the registry ("" for a code it does not know)."""
    found = find_rule(code)
    return found.title if found is not None else ""


class Worklist:
    """The worklist's reading side on one application's store and settings."""

    def __init__(self, store: Store, settings: WebSettings) -> None:
        self.store = store
        self.settings = settings
        self.units: Units = NO_UNITS
        self.units_problem: str | None = None
        if settings.units_file is not None:
            try:
                self.units = read_units(settings.units_file)
            except KodevaktError as exc:
                self.units_problem = (
                    f"Enhetsfilen kunne ikke leses ({exc}); enhetene vises med koder."
                )
        self._pseudonyms: Pseudonymiser | None = None
        definitions = settings.drg_definitions
        self._years = TableYears(definitions.years) if definitions is not None else None

    @classmethod
    def of(cls, request: Request) -> Worklist:
        state = request.app.state
        with _CREATING:
            found: Worklist | None = getattr(state, "worklist", None)
            if found is None:
                services = state.services
                found = state.worklist = cls(services.store, services.settings)
        return found

    @property
    def drg(self) -> bool:
        """Whether DRG tables are loaded, so effects can be shown and ordered by."""
        return self._years is not None

    def listing(
        self, filters: WorkFilter, *, offset: int, limit: int, identifiers: bool
    ) -> Listing:
        """The page of `filters`' findings from `offset`, ordered as the module says."""
        engine = self.store.engine
        note = None
        if self.drg:
            total = wl.work_items(engine, filters, offset=0, limit=1).total
            if total <= MAX_DRG_SORT:
                every = wl.work_items(engine, filters, offset=0, limit=max(total, 1)).items
                effects = self._effects(every)
                every.sort(key=lambda item: _order(item, effects))
                shown = every[offset : offset + limit]
                rows = self._rows(shown, effects, identifiers)
                return Listing(rows, len(every), offset, limit, True, None)
            note = (
                f"Listen har mer enn {MAX_DRG_SORT} funn og er bare sortert etter alvorlighet; "
                "avgrens utvalget (periode, avdeling, regel) for å sortere etter DRG-effekt."
            )
        page = wl.work_items(engine, filters, offset=offset, limit=limit)
        rows = self._rows(page.items, self._effects(page.items), identifiers)
        return Listing(rows, page.total, offset, limit, False, note)

    def row(self, item: WorkItem, *, identifiers: bool) -> Row:
        """One finding as its own page shows it, with the DRG effect of its fix and, to a
        reader who sees identifiers, the episode's discharge summary with its evidence marked
        (free text can name the patient, so a pseudonymised reader does not get it)."""
        return self._rows([item], self._effects([item]), identifiers, with_text=identifiers)[0]

    def _rows(
        self,
        items: Sequence[WorkItem],
        effects: dict[str, Effect],
        identifiers: bool,
        *,
        with_text: bool = False,
    ) -> list[Row]:
        episodes = self._episodes(items)
        pseudonyms = None if identifiers else self._pseudonymiser()
        rows = []
        for item in items:
            stored = item.stored
            episode = episodes.get(_place(item))
            patient_id = episode.patient.id if episode is not None else None
            if identifiers:
                patient = patient_id or UNKNOWN
            elif pseudonyms is None:
                patient = HIDDEN if patient_id else UNKNOWN
            else:
                patient = pseudonyms.patient(patient_id)
            rows.append(
                Row(
                    item,
                    patient,
                    effects.get(item.key),
                    self.units.institution_text(stored.institution or None),
                    self.units.department_text(stored.institution or None, stored.department)
                    if stored.department
                    else "",
                    _coding(episode) if episode is not None else None,
                    _corrected(episode, stored.finding.fix),
                    _text(episode) if with_text and episode is not None else None,
                )
            )
        return rows

    def _pseudonymiser(self) -> Pseudonymiser | None:
        if self._pseudonyms is None:
            try:
                self._pseudonyms = pseudonymiser_for(self.store)
            except KodevaktError as exc:
                log.error("pseudonymnøkkelen mangler: %s", exc)
                return None
        return self._pseudonyms

    def _episodes(self, items: Iterable[WorkItem]) -> dict[tuple[str, str, str], Episode]:
        """The stored episodes of the items (findings about one episode), by period and place."""
        places: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for item in items:
            stored = item.stored
            if stored.finding.episode_id:
                places[stored.period].add((stored.institution or "", stored.finding.episode_id))
        found: dict[tuple[str, str, str], Episode] = {}
        for period, wanted in places.items():
            for episode in self.store.episodes_at(period, wanted):
                found[(period, episode.institution or "", episode.id)] = episode
        return found

    def _effects(self, items: Sequence[WorkItem]) -> dict[str, Effect]:
        """The DRG effect of each item's fix, by key: the episode grouped as coded and with
        the fix, with the tables of the episode's year (none for a year without tables)."""
        definitions, weights = self.settings.drg_definitions, self.settings.drg_weights
        if definitions is None or self._years is None:
            return {}
        fixable = [item for item in items if item.stored.finding.fix is not None]
        episodes = self._episodes(fixable)
        by_episode: dict[tuple[str, str, str], list[WorkItem]] = defaultdict(list)
        for item in fixable:
            by_episode[_place(item)].append(item)
        effects: dict[str, Effect] = {}
        for place, listed in by_episode.items():
            episode = episodes.get(place)
            if episode is None:
                continue
            try:
                tables = definitions.tables(self._years.choose(episode.rule_date))
                found = episode_effects(
                    episode, [item.stored.finding for item in listed], tables, weights
                )
            except CodeListError:
                continue  # no tables for the episode's year
            except Exception as exc:  # the list is still worth showing without this effect
                log.error("DRG-grupperingen feilet (%s)", type(exc).__name__)  # no values
                continue
            fixes = {(e.rule, e.location): e for e in found if e.kind == FIX}
            for item in listed:
                finding = item.stored.finding
                effect = fixes.get((finding.rule, finding.location))
                if effect is not None:
                    effects[item.key] = effect
        return effects


def _text(episode: Episode) -> TextView | None:
    """The episode's discharge summary as the page shows it (None: the episode has none)."""
    if not episode.text:
        return None
    coded = [code for group in episode.conditions for code in group]
    coded += [code for group in episode.procedures for code in group.codes]
    return text_view(code_data.reader().read(episode.text, episode), coded)


def _coding(episode: Episode) -> Coding:
    return Coding(format_conditions(episode.conditions), format_procedures(episode.procedures))


def _corrected(episode: Episode | None, fix: Fix | None) -> Coding | None:
    if episode is None or fix is None:
        return None
    fixed = fix.apply(episode)
    return Coding(
        format_conditions(fixed.conditions) if fix.conditions is not None else None,
        format_procedures(fixed.procedures) if fix.procedures is not None else None,
    )


def _place(item: WorkItem) -> tuple[str, str, str]:
    stored = item.stored
    return (stored.period, stored.institution or "", stored.finding.episode_id)


def _order(item: WorkItem, effects: dict[str, Effect]) -> tuple[int, float, int]:
    """Most severe first; then the fix that moves the DRG weight most, either way (a coding
    error that costs the hospital and one that overstates the episode both need correcting);
    then a changed DRG whose weights are unknown. Python's sort keeps the storage order
    among equals."""
    effect = effects.get(item.key)
    severity = -item.stored.finding.severity.rank
    if effect is None:
        return (severity, 0.0, 0)
    return (severity, -abs(effect.weight_change or 0.0), -int(effect.changed))
