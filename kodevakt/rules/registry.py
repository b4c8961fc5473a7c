"""The rule registries: a decorator fills each; the CLI, docs and checker all read them.

A rule module declares everything about a rule next to its check, like ruff does: code from
the catalogue, kebab-case name of the defect, severity, years in force, status, source
reference, Norwegian title. Kinds of rule are types, as in sqlfluff: every kind shares that
metadata (`Rule`) and differs in what its check is handed. This module holds the episode rules
(`EpisodeRule`, registered with `@rule`), which the per-episode `Checker` runs; the pattern
rules over a whole batch (M01–M07) are a kind of their own in `kodevakt.batch.patterns`, a
layer above, and `kodevakt.batch.catalogue` lists both kinds. Codes are unique across kinds.

Every rule also declares whether it is `fixable` (returns a machine-applicable `Fix` where
the correction is unambiguous; tests/rules/test_examples.py holds the declaration to what the
rule returns) and the `aliases` it keeps when the rulebook renumbers it: its old codes, which
every selection and lookup by code accepts, as ruff's redirects and sqlfluff's aliases do.
Each rule's examples are data beside the rules (`kodevakt.rules.examples`); the registry of
each kind knows where its examples are and hands them to the docs and the CLI.

An episode rule also declares the `triggers` mask that lets the engine skip it for an episode
holding none of the code features it looks at, and `pure` when its findings depend on the
codes alone (see engine.py for how both make checking fast). A mask only saves work: every
rule states its own precondition in its body (tests/rules/test_masks.py holds it to that).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from kodevakt.rules.examples import AnyExample, load_examples, load_folder
from kodevakt.rules.finding import Hit, Severity

if TYPE_CHECKING:
    from kodevakt.rules.view import EpisodeView

Check = Callable[["EpisodeView"], Iterable[Hit]]
C = TypeVar("C", bound=Callable[..., Iterable[object]])


class RuleStatus(StrEnum):
    STABLE = "stable"
    PREVIEW = "preview"
    REMOVED = "removed"


# A docstring says what a rule checks and why; its examples are data (docs render them).
DOC_SECTIONS = ("Checks:", "Why:")
EXAMPLE_SECTIONS = ("Triggers:", "Correct:")
FAMILY_ORDER = "KTPEDM"  # codes, conditions, procedures, episode, documentation, patterns


@dataclass(frozen=True, slots=True)
class Rule(Generic[C]):
    """What every rule declares, whatever its kind; `check` is what differs between kinds."""

    code: str
    name: str
    severity: Severity
    title: str
    source: str
    first_year: int | None
    last_year: int | None
    status: RuleStatus
    fixable: bool
    check: C
    aliases: tuple[str, ...] = ()  # old codes, oldest first, of a rule the rulebook renumbered

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


@dataclass(frozen=True, slots=True)
class EpisodeRule(Rule[Check]):
    """A rule over one episode: its check reads an `EpisodeView` and yields `Hit`s."""

    triggers: int = 0
    pure: bool = False
    once: bool = False
    requires: tuple[int, ...] = ()

    def applies(self, features: int) -> bool:
        """Whether the rule may fire on an episode with these features (`code_facts`): its
        `triggers` mask shares a bit with them (or it has none), and so does every mask of
        `requires`."""
        if self.triggers and not self.triggers & features:
            return False
        return all(mask & features for mask in self.requires)

    @property
    def mask(self) -> int:
        """Every feature the rule's `triggers` and `requires` look at."""
        found = self.triggers
        for mask in self.requires:
            found |= mask
        return found


R = TypeVar("R", bound=Rule[Any])


class Registry(Generic[R]):
    """The registered rules of one kind, by code, filled as their modules are imported.

    `examples` is where the kind's examples are: a folder of TOML files or one file, read
    the first time they are asked for (checking never needs them).
    """

    _codes: ClassVar[set[str]] = set()  # every kind's codes and aliases: never reused

    def __init__(self, examples: Traversable) -> None:
        self._rules: dict[str, R] = {}
        self._aliases: dict[str, str] = {}
        self._examples_source = examples

    def add(self, registered: R) -> None:
        for code in (registered.code, *registered.aliases):
            if code in Registry._codes:
                raise ValueError(f"rule code {code} registered twice")
            Registry._codes.add(code)
        self._rules[registered.code] = registered
        self._aliases.update(dict.fromkeys(registered.aliases, registered.code))

    def get(self, code: str) -> R | None:
        """The rule with this code or alias (None when there is none)."""
        return self._rules.get(self._aliases.get(code, code))

    @cached_property
    def _examples(self) -> dict[str, tuple[AnyExample, ...]]:
        source = self._examples_source
        return load_folder(source) if source.is_dir() else load_examples(source)

    def examples(self, code: str) -> tuple[AnyExample, ...]:
        """The examples of rule `code`, in the order its data file lists them."""
        return self._examples.get(code, ())

    def example_codes(self) -> set[str]:
        """Every rule code the examples name (a test checks each is registered)."""
        return set(self._examples)

    def registering(
        self,
        kind: Callable[..., R],
        code: str,
        name: str,
        severity: Severity,
        *,
        title: str,
        source: str,
        years: tuple[int | None, int | None],
        status: RuleStatus,
        fixable: bool,
        aliases: tuple[str, ...],
        **declared: Any,
    ) -> Callable[[C], C]:
        """The decorator that registers its function as the check of a `kind` rule; `declared`
        holds what that kind adds to every rule's metadata."""

        def register(check: C) -> C:
            first_year, last_year = years
            self.add(
                kind(
                    code=code,
                    name=name,
                    severity=severity,
                    title=title,
                    source=source,
                    first_year=first_year,
                    last_year=last_year,
                    status=status,
                    fixable=fixable,
                    check=check,
                    aliases=aliases,
                    **declared,
                )
            )
            return check

        return register

    def listed(self) -> list[R]:
        """The rules in catalogue order (by family, then code)."""
        return sorted(self._rules.values(), key=catalogue_order)


def catalogue_order(registered: Rule[Any]) -> tuple[int, str]:
    """Sort key: family in `FAMILY_ORDER` (unknown families last), then code."""
    index = FAMILY_ORDER.find(registered.family)
    return (index if index >= 0 else len(FAMILY_ORDER), registered.code)


EPISODE_RULES: Registry[EpisodeRule] = Registry(files("kodevakt.rules.examples"))


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    title: str,
    source: str,
    fixable: bool,
    years: tuple[int | None, int | None] = (None, None),
    triggers: int = 0,
    requires: tuple[int, ...] = (),
    status: RuleStatus = RuleStatus.STABLE,
    pure: bool = False,
    once: bool = False,
    aliases: tuple[str, ...] = (),
) -> Callable[[Check], Check]:
    """Register the decorated check function as episode rule `code`.

    `fixable=True` declares that the rule returns a `Fix` where the correction is
    unambiguous; `aliases` are its old codes when the rulebook has renumbered it.

    `triggers` and `requires` say where the rule can fire, from the episode's features
    (`kodevakt.rules.code_facts`): `triggers` is one mask, of which the features must share a
    bit (0: always), and `requires` more masks that must each share one too, for a
    precondition of several parts ("a code limited to men" and "a woman", or "a code limited
    to women" and "a man"). Both only let the engine skip the rule; its check still states
    its own precondition.

    `pure=True` declares that the rule's findings depend only on the episode's codes (their
    groups and order), the rule year and whether the grouping was inferred — never on the
    patient, dates, care level or history. The engine then reuses its findings for every
    episode with the same codes (tests/rules/test_purity.py holds rules to that promise).

    `once=True` declares a notice about the whole run rather than about each episode: the
    checker keeps its first finding and drops the rest.
    """

    return EPISODE_RULES.registering(
        EpisodeRule,
        code,
        name,
        severity,
        title=title,
        source=source,
        years=years,
        status=status,
        fixable=fixable,
        aliases=aliases,
        triggers=triggers,
        requires=requires,
        pure=pure,
        once=once,
    )


def episode_rules() -> list[EpisodeRule]:
    """Every registered episode rule, in catalogue order."""
    from kodevakt.rules import catalogue  # noqa: F401  (imports register the rules)

    return EPISODE_RULES.listed()


def choose(
    rules: Iterable[R], select: Iterable[str] = (), ignore: Iterable[str] = (), *, preview: bool
) -> list[R]:
    """Rules chosen by code prefix; the longest matching prefix decides (flake8's engine).

    A selector that is a renumbered rule's old code in full stands for its current code (an
    alias is not a prefix: `T2` does not reach a rule that was `T26`).
    """
    rules = list(rules)
    current = {alias: r.code for r in rules for alias in r.aliases}
    chosen = [current.get(p, p) for p in select] or [""]
    ignored = [current.get(p, p) for p in ignore]
    result = []
    for candidate in rules:
        if candidate.status is RuleStatus.REMOVED:
            continue
        if candidate.status is RuleStatus.PREVIEW and not preview:
            continue
        best_select = max((len(p) for p in chosen if candidate.code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in ignored if candidate.code.startswith(p)), default=-1)
        if best_select > best_ignore:
            result.append(candidate)
    return result


def select(
    select: Iterable[str] = (), ignore: Iterable[str] = (), *, preview: bool = False
) -> list[EpisodeRule]:
    """The episode rules chosen by code prefix (see `choose`)."""
    return choose(episode_rules(), select, ignore, preview=preview)
