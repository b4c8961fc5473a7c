"""The rule registry: one decorator fills it; the CLI, docs and checker all read it.

A rule module declares everything about a rule next to its check, like ruff does: code from
the catalogue, kebab-case name of the defect, severity, years in force, status, source
reference, Norwegian title, the `triggers` mask that lets the engine skip the rule for an
episode holding none of the code features it looks at, and `pure` when the findings depend on
the codes alone (see engine.py for how both make checking fast).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, cast

from kodevakt.rules.finding import Hit, Severity

if TYPE_CHECKING:
    from kodevakt.rules.view import EpisodeView

Check = Callable[["EpisodeView"], Iterable[Hit]]


class RuleStatus(StrEnum):
    STABLE = "stable"
    PREVIEW = "preview"
    REMOVED = "removed"


DOC_SECTIONS = ("Checks:", "Why:", "Triggers:", "Correct:")


@dataclass(frozen=True, slots=True)
class Rule:
    """Everything about one rule."""

    code: str
    name: str
    severity: Severity
    title: str
    source: str
    first_year: int | None
    last_year: int | None
    triggers: int
    status: RuleStatus
    check: Check
    pure: bool = False
    needs_batch: bool = False

    @property
    def family(self) -> str:
        return self.code[0]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""

    def in_force(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )

    @property
    def years(self) -> str:
        if self.first_year is None and self.last_year is None:
            return "alltid"
        if self.last_year is None:
            return f"{self.first_year}–"
        if self.first_year is None:
            return f"–{self.last_year}"
        return f"{self.first_year}–{self.last_year}"


REGISTRY: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    title: str,
    source: str,
    years: tuple[int | None, int | None] = (None, None),
    triggers: int = 0,
    status: RuleStatus = RuleStatus.STABLE,
    pure: bool = False,
) -> Callable[[Check], Check]:
    """Register the decorated check function as rule `code`.

    `pure=True` declares that the rule's findings depend only on the episode's codes (their
    groups and order), the rule year and whether the grouping was inferred — never on the
    patient, dates, care level or history. The engine then reuses its findings for every
    episode with the same codes (tests/rules/test_purity.py holds rules to that promise).
    """

    def register(check: Check) -> Check:
        _add(
            Rule(
                code=code,
                name=name,
                severity=severity,
                title=title,
                source=source,
                first_year=years[0],
                last_year=years[1],
                triggers=triggers,
                status=status,
                check=check,
                pure=pure,
            )
        )
        return check

    return register


def _add(registered: Rule) -> None:
    if registered.code in REGISTRY:
        raise ValueError(f"rule code {registered.code} registered twice")
    REGISTRY[registered.code] = registered


_BatchCheck = TypeVar("_BatchCheck", bound=Callable[..., Iterable[Any]])


def batch_rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    title: str,
    source: str,
    years: tuple[int | None, int | None] = (None, None),
    status: RuleStatus = RuleStatus.STABLE,
) -> Callable[[_BatchCheck], _BatchCheck]:
    """Register the decorated function as pattern rule `code`, which reads a whole batch.

    Its check takes a `kodevakt.batch.view.BatchView` instead of an episode and yields
    `PatternHit`s naming the episode each finding belongs to, or `UnitHit`s naming the
    episodes behind a finding about a unit's practice. The rule is registered with
    `needs_batch=True`: the per-episode `Checker` skips it, `kodevakt.batch.run_patterns` runs
    it. (The rules layer does not import the batch layer, hence the loose type here.)
    """

    def register(check: _BatchCheck) -> _BatchCheck:
        _add(
            Rule(
                code=code,
                name=name,
                severity=severity,
                title=title,
                source=source,
                first_year=years[0],
                last_year=years[1],
                triggers=0,
                status=status,
                check=cast(Check, check),
                needs_batch=True,
            )
        )
        return check

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, in catalogue order (family K, T, P, E, then by number)."""
    from kodevakt.rules import catalogue  # noqa: F401  (imports register the rules)

    order = {family: i for i, family in enumerate("KTPEM")}
    return sorted(REGISTRY.values(), key=lambda r: (order.get(r.family, 9), r.code))


def select(
    select: Iterable[str] = (), ignore: Iterable[str] = (), *, preview: bool = False
) -> list[Rule]:
    """Rules chosen by code prefix; the longest matching prefix decides (flake8's engine)."""
    chosen = list(select) or [""]
    ignored = list(ignore)
    result = []
    for candidate in all_rules():
        if candidate.status is RuleStatus.REMOVED:
            continue
        if candidate.status is RuleStatus.PREVIEW and not preview:
            continue
        best_select = max((len(p) for p in chosen if candidate.code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in ignored if candidate.code.startswith(p)), default=-1)
        if best_select > best_ignore:
            result.append(candidate)
    return result
