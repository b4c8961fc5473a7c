"""All loaded code lists, every year side by side, answering "which code, valid at which date".

A `CodeBase` holds releases per family (ICD-10, procedures, special codes). For a date it
picks the release of that year, or the nearest one when that year is not loaded (an earlier
release before a later one), and merges the chosen releases into one dictionary so that a
lookup of a canonical code is a single dict access (the rule engine does millions of them).
A code missing from the releases in force but present in another loaded year (expired, or not
yet introduced) resolves as NOT_VALID with that year's release, not as unknown. A code no
loaded list holds, on a date whose year has no ICD-10 list of its own (before the embedded
code history's baseline, or after the newest list), may have existed that year: it resolves
as NOT_COVERED, not as unknown, when its category is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kodevakt.codes.model import Code, System
from kodevakt.codes.normalise import CodeKind, Normalised, normalise
from kodevakt.codes.procedures import ProcedureShape, parse_procedure
from kodevakt.codes.release import CodeList, Family, Release


class Status(StrEnum):
    """What a lookup found, in the terms the K rules use."""

    OK = "ok"
    UNKNOWN = "unknown"  # no such code in its system (K01)
    NOT_IN_LOADED_LIST = "not-in-loaded-list"  # well-formed, list loaded is only a subset
    NOT_VALID = "not-valid"  # exists, but not on this date, or only in another year's list (K02)
    NOT_REPORTABLE = "not-reportable"  # heading or not reported to NPR (K03)
    WHO_ONLY = "who-only"  # WHO code that the Norwegian edition does not use (T06)
    FORMAT_ONLY = "format-only"  # system without a loaded list (ATC): shape checked only
    NOT_COVERED = "not-covered"  # in no loaded list, and no list of the date's year (K07)


@dataclass(frozen=True, slots=True)
class Resolution:
    """The answer to "which code is this, and may it be used on this date"."""

    normalised: Normalised
    code: Code | None
    status: Status
    release: Release | None
    shape: ProcedureShape | None = None

    @property
    def system(self) -> System | None:
        if self.code is not None:
            return self.code.system
        if self.shape is not None:
            return self.shape.system
        return _KIND_SYSTEM.get(self.normalised.kind)


_KIND_SYSTEM = {
    CodeKind.ICD10: System.ICD10,
    CodeKind.ATC: System.ATC,
    CodeKind.SPECIAL: System.SPECIAL,
}


class CodeBase:
    """The loaded releases and fast lookups over them."""

    def __init__(self, lists: list[CodeList] | None = None) -> None:
        self._lists: dict[Family, dict[int, CodeList]] = {}
        self._views: dict[int | None, dict[str, Code]] = {}
        for code_list in lists or []:
            self.add(code_list)

    def add(self, code_list: CodeList) -> None:
        """Add a release; a release of the same family and year is replaced."""
        self._lists.setdefault(code_list.release.family, {})[code_list.release.year] = code_list
        self._views.clear()

    @property
    def releases(self) -> list[Release]:
        return [lst.release for family in self._lists.values() for _, lst in sorted(family.items())]

    def code_list(self, family: Family, at: date | int | None = None) -> CodeList | None:
        """The release of `family` in force at `at` (a date or a year); newest when `None`.

        A complete (official) list always beats a subset: with an official procedure list
        loaded, the embedded subset of the rulebook's codes is not used for any year.
        """
        by_year = self._lists.get(family)
        if not by_year:
            return None
        complete = {y: lst for y, lst in by_year.items() if lst.release.complete}
        if complete and len(complete) < len(by_year):
            by_year = complete
        year = at.year if isinstance(at, date) else at
        if year is None:
            return by_year[max(by_year)]
        if year in by_year:
            return by_year[year]
        earlier = [y for y in by_year if y < year]
        return by_year[max(earlier)] if earlier else by_year[min(by_year)]

    def covers(self, family: Family, year: int) -> bool:
        """Whether a release of `family` for exactly `year` is loaded (the embedded ICD-10
        lists cover the years of the code history; an official list covers its own year)."""
        return year in self._lists.get(family, {})

    def _view(self, year: int | None) -> dict[str, Code]:
        view = self._views.get(year)
        if view is None:
            view = {}
            # Later families overwrite earlier ones only where shapes collide (none do today).
            for family in (Family.SPECIAL, Family.PROCEDURE, Family.ICD10):
                chosen = self.code_list(family, year)
                if chosen is not None:
                    view.update(chosen.codes)
            self._views[year] = view
        return view

    def get(self, code: str, at: date | None = None) -> Code | None:
        """Fast lookup of a canonical code in the releases in force at `at`."""
        return self._view(None if at is None else at.year).get(code)

    def lookup(self, raw: str, at: date | None = None) -> Code | None:
        """Lookup of a code written any way a coder writes it.

        A code missing from the releases in force but present in another loaded year comes
        back too (as `resolve` finds it, with status NOT_VALID).
        """
        found = self._view(None if at is None else at.year).get(raw)
        if found is not None:
            return found
        return self.resolve(raw, at).code

    def resolve(self, raw: str, at: date | None = None) -> Resolution:
        """Normalise, find and judge a code for care given on `at` (today's lists if `None`)."""
        norm = normalise(raw)
        view = self._view(None if at is None else at.year)
        code = view.get(norm.code)
        shape = parse_procedure(norm.code) if norm.kind is CodeKind.PROCEDURE else None
        if code is None and norm.kind is CodeKind.ICD10:
            special = norm.npr  # særkoder like B0007 share the shape of 5-character ICD-10
            if special in view and view[special].system is System.SPECIAL:
                code = view[special]
                norm = Normalised(norm.raw, special, CodeKind.SPECIAL, norm.changes, norm.mark)
        family = _family_of(norm.kind)
        release = None
        if code is not None:
            family = _family_of_system(code.system)
        if family is not None:
            chosen = self.code_list(family, at)
            release = chosen.release if chosen is not None else None
            if code is None and chosen is not None and chosen.release.complete:
                other = self._other_release(family, norm.code, chosen, at)
                if other is not None:
                    # Known from another year's list only: it exists, but not on this date.
                    code = other.codes[norm.code]
                    status = Status.WHO_ONLY if code.who_only else Status.NOT_VALID
                    return Resolution(norm, code, status, other.release, shape)
                if (
                    family is Family.ICD10
                    and at is not None
                    and chosen.release.year != at.year
                    and norm.code[:3] in chosen.codes
                ):
                    # No list of that year: the code may have existed then.
                    return Resolution(norm, None, Status.NOT_COVERED, release, shape)
        return Resolution(norm, code, _status(norm, code, release, at), release, shape)

    def _other_release(
        self, family: Family, code: str, chosen: CodeList | None, at: date | None
    ) -> CodeList | None:
        """The loaded release of `family` nearest in year to `at` that holds `code`, if any.

        Asked only when the release in force is complete: a code missing from a subset
        (the embedded procedure codes) is "not in the loaded list", whatever other years say.
        """
        by_year = self._lists.get(family, {})
        if len(by_year) < 2:
            return None
        target = at.year if at is not None else max(by_year)
        for year in sorted(by_year, key=lambda y: (abs(y - target), -y)):
            candidate = by_year[year]
            if candidate is not chosen and code in candidate.codes:
                return candidate
        return None

    def children(self, code: str, at: date | None = None) -> list[Code]:
        found = self.lookup(code, at)
        if found is None:
            return []
        code_list = self.code_list(_family_of_system(found.system), at)
        if code_list is None:
            return []
        return [code_list.codes[c] for c in code_list.children(found.code)]

    def ancestors(self, code: str, at: date | None = None) -> list[Code]:
        found = self.lookup(code, at)
        if found is None:
            return []
        code_list = self.code_list(_family_of_system(found.system), at)
        return code_list.ancestors(found.code) if code_list is not None else []


def _status(
    norm: Normalised, code: Code | None, release: Release | None, at: date | None
) -> Status:
    if code is None:
        if norm.kind is CodeKind.ATC:
            return Status.FORMAT_ONLY
        if norm.kind is CodeKind.PROCEDURE and (release is None or not release.complete):
            return Status.NOT_IN_LOADED_LIST
        if norm.kind is CodeKind.SPECIAL and release is None:
            return Status.FORMAT_ONLY
        return Status.UNKNOWN
    if code.who_only:
        return Status.WHO_ONLY
    if at is not None and not code.valid_on(at):
        return Status.NOT_VALID
    if not code.reportable:
        return Status.NOT_REPORTABLE
    if at is not None and not code.reportable_on(at):
        return Status.NOT_VALID
    return Status.OK


def _family_of(kind: CodeKind) -> Family | None:
    return {
        CodeKind.ICD10: Family.ICD10,
        CodeKind.PROCEDURE: Family.PROCEDURE,
        CodeKind.SPECIAL: Family.SPECIAL,
    }.get(kind)


def _family_of_system(system: System) -> Family:
    if system is System.ICD10:
        return Family.ICD10
    if system is System.SPECIAL:
        return Family.SPECIAL
    return Family.PROCEDURE
