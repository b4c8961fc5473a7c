"""The episodes an import just checked, kept for the pattern run that follows it.

The pattern rules read a whole period: every stored episode with its current checker
findings. Read back from the database, a million episodes cost more to decode than to
check. When an import fills an empty period, what it stored is exactly what it checked, so
`KeptPeriod` keeps the checked episodes and their findings as the pattern run would read
them back (`Store.episodes_with_findings(period, details=False)`), and the run takes them
instead:

- the episodes in the order they were stored (the database's order), without their place in
  the file (`source` None), which the stored ones do not carry either, and with what repeats
  across them (texts, dates, the condition groups of episodes coded alike) held once;
- each episode's findings as stored: one per key (a finding seen twice at the same place is
  stored once), a repeated record's own findings (E05) with the episode it repeats, ordered
  by rule and key, and without the texts the pattern rules do not read (message, location,
  suggestion and fix empty, as `details=False` gives them).

They are kept only while that is sure to be what is stored (`pairs` says None otherwise):
the period held no episode and no episode finding when the import began, the files that
failed are left out, and every stored episode was new (none changed or unchanged, which
would mean an episode id seen in two files, stored once). A test checks the kept pairs
against those read back from the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from kodevakt.episodes.model import Episode
from kodevakt.rules.finding import Finding
from kodevakt.storage import FileImport

SHARED = 300_000  # condition structures held once at most (some 60 MB)
Place = tuple[str, str]  # (institution or "", episode id)
Keyed = tuple[tuple[str, Finding], ...]  # (key, finding), ordered by rule and key
Pairs = Iterator[tuple[Episode, Sequence[Finding]]]


def slim(found: Finding) -> Finding:
    """`found` without the texts the pattern rules do not read (as `details=False` reads it)."""
    episode_id, rule, name, severity, _, codes, _, source, _, year, _, episodes = found
    return Finding(
        episode_id, rule, name, severity, "", codes, "", source, None, year, None, episodes
    )


def stored_order(keyed: Sequence[tuple[str, Finding]]) -> Keyed:
    """One finding per key (the first), ordered by rule and key as the database reads them."""
    unique = dict(keyed[::-1])  # reversed: the first of a key is the one kept
    return tuple(sorted(unique.items(), key=lambda item: (item[1].rule, item[0])))


@dataclass(slots=True)
class _File:
    episodes: list[Episode] = field(default_factory=list)
    findings: list[Keyed] = field(default_factory=list)
    repeats: dict[Place, list[tuple[str, Finding]]] = field(default_factory=dict)


class KeptPeriod:
    """The checked episodes of one import into an empty period (see the module docstring)."""

    def __init__(self) -> None:
        self._empty()

    def _empty(self) -> None:
        self._episodes: list[Episode] = []
        self._findings: list[Keyed] = []
        self._repeats: dict[Place, list[tuple[str, Finding]]] = {}
        self._file = _File()
        self._texts: dict[str, str] = {}
        self._dates: dict[date, date] = {}
        self._moments: dict[datetime, datetime] = {}
        self._conditions: dict[tuple[tuple[str, ...], ...], list[list[str]]] = {}

    def add(
        self,
        episodes: Sequence[Episode],
        repeats: Sequence[bool],
        findings: Sequence[Sequence[Finding]],
        keys: Sequence[str],
    ) -> None:
        """A stored batch of the current file: its episodes, whether each repeats one stored
        earlier, the findings stored for each, and their keys (all findings' keys in order)."""
        file = self._file
        empty: Keyed = ()
        at = 0
        for current, repeat, found in zip(episodes, repeats, findings, strict=True):
            keyed = [(keys[at + i], slim(f)) for i, f in enumerate(found)]
            at += len(found)
            if repeat:
                place = (current.institution or "", current.id)
                file.repeats.setdefault(place, []).extend(keyed)
                continue
            self._lean(current)
            file.episodes.append(current)
            file.findings.append(
                (keyed[0],) if len(keyed) == 1 else stored_order(keyed) if keyed else empty
            )

    def _lean(self, current: Episode) -> None:
        """Hold `current` in less memory: without its place in the file, and with what
        repeats across episodes held once, as far as the pattern run, which only reads
        them, can share it: texts (codes, institution, department, care level, sex), dates
        and times, and the condition groups of episodes coded alike (up to `SHARED`
        different ones). A million synthetic episodes take some 600 MB less."""
        one = self._texts.setdefault
        moment = self._moments.setdefault
        current.source = None
        if current.institution is not None:
            current.institution = one(current.institution, current.institution)
        if current.department is not None:
            current.department = one(current.department, current.department)
        if current.care_level_raw is not None:
            current.care_level_raw = one(current.care_level_raw, current.care_level_raw)
        if current.admission is not None:
            current.admission = moment(current.admission, current.admission)
        if current.discharge is not None:
            current.discharge = moment(current.discharge, current.discharge)
        patient = current.patient
        if patient.sex_raw is not None:
            patient.sex_raw = one(patient.sex_raw, patient.sex_raw)
        if patient.birth_date is not None:
            patient.birth_date = self._dates.setdefault(patient.birth_date, patient.birth_date)
        coded = tuple(map(tuple, current.conditions))
        conditions = self._conditions.get(coded)
        if conditions is None:
            coded = tuple(tuple([one(code, code) for code in group]) for group in coded)
            conditions = [list(group) for group in coded]
            if len(self._conditions) < SHARED:
                self._conditions[coded] = conditions
        current.conditions = conditions
        for procedure in current.procedures:
            procedure.codes[:] = [one(code, code) for code in procedure.codes]
            if procedure.date is not None:
                procedure.date = self._dates.setdefault(procedure.date, procedure.date)

    def file_stored(self) -> None:
        """The current file was stored: keep its episodes."""
        file, self._file = self._file, _File()
        self._episodes.extend(file.episodes)
        self._findings.extend(file.findings)
        for place, keyed in file.repeats.items():
            self._repeats.setdefault(place, []).extend(keyed)

    def file_failed(self) -> None:
        """The current file was rolled back: forget its episodes."""
        self._file = _File()

    def pairs(self, files: Sequence[FileImport]) -> Pairs | None:
        """The kept pairs, handed over once, when they are what the period holds after
        `files` were imported (None otherwise: the pattern run then reads the period from
        the database)."""
        stored = [f for f in files if f.error is None]
        if any(f.episodes_changed or f.episodes_unchanged for f in stored):
            return None
        episodes, findings, repeats = self._episodes, self._findings, self._repeats
        self._empty()  # let go of everything but what is handed over
        return _handed_over(episodes, findings, repeats)


def _handed_over(
    episodes: list[Episode], findings: list[Keyed], repeats: dict[Place, list[tuple[str, Finding]]]
) -> Pairs:
    """The pairs, each episode's findings let go of as it is handed over."""
    empty: tuple[Finding, ...] = ()
    done: Keyed = ()
    for index, current in enumerate(episodes):
        keyed = findings[index]
        if repeats:
            extra = repeats.get((current.institution or "", current.id))
            if extra:
                keyed = stored_order([*keyed, *extra])
        findings[index] = done
        yield current, tuple([f for _, f in keyed]) if keyed else empty
