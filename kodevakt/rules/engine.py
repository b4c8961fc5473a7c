"""The checker: runs the rules in force for each episode and yields findings.

Checking millions of episodes in Python is fast only when little is done per episode, and
most episodes are clean, so a clean episode must cost next to nothing:

1. Codes are resolved once per (code, year) in `FactsCache`. An episode's features (its
   codes' features, by where each code stands, and the episode's own: dates, sex, age,
   transfer) are computed from the cached facts alone, and its code structure is shared by
   every episode with the same codes (`view.structure_of`).
2. A rule runs only where it can fire, as it declares with its masks (`triggers`, and
   `requires` for a precondition of several parts, over features such as "the main
   condition's first code is unspecific" or "a code limited to men, and a woman"). The list
   of runnable rules is computed once per combination of year and the features any rule
   looks at, and split into pure and episode-dependent rules. When it is empty (a clean
   episode) nothing more is done: no view, no code references. A mask only saves work: each
   rule checks its own precondition too (tests/rules/test_masks.py holds every mask to being
   a superset of where its rule fires). A rule without masks runs on every episode.
3. Pure rules (`pure=True`: findings depend on the codes and year only) run once per distinct
   code structure; their hits are reused for every later episode with the same codes, and
   then no view is made unless an episode-dependent rule runs.

A rule declared `once` (a notice about the run, such as K07's missing code list) keeps only
its first finding of the checker's run.

`check_plainly` is the definition all this must agree with: every rule in force, run on
every episode, no masks and no reuse (tests/rules/test_differential.py, bench/check.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from kodevakt.codes.codebase import CodeBase
from kodevakt.episodes.model import Episode
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.finding import Finding, Hit, Severity, make_finding
from kodevakt.rules.registry import EpisodeRule, select
from kodevakt.rules.view import (
    EpisodeView,
    Structure,
    code_features,
    episode_features,
    structure_of,
)

_MAX_MEMO = 20_000  # see view._MAX_STRUCTURES
_MAX_PLANS = 100_000

Plan = tuple[list[EpisodeRule], list[EpisodeRule]]
_NOTHING: Plan = ([], [])


class Checker:
    """Checks episodes against a chosen rule set over one code base."""

    def __init__(
        self,
        base: CodeBase,
        rules: Iterable[EpisodeRule] | None = None,
        *,
        rules_year: int | None = None,
        min_severity: Severity = Severity.INFO,
    ) -> None:
        self.base = base
        self.rules = list(rules if rules is not None else select())
        # Made after the rules' modules are imported, so that it computes their features.
        self.facts = FactsCache(base)
        self.rules_year = rules_year
        self.min_rank = min_severity.rank
        self._once = {r.code for r in self.rules if r.once}
        self._said: set[str] = set()
        self._said_plainly: set[str] = set()
        # The features any rule looks at: plans are kept per combination of these only.
        self._relevant = 0
        for current in self.rules:
            self._relevant |= current.mask
        self._plans: dict[tuple[int, int], Plan] = {}
        self._in_force: dict[int, list[EpisodeRule]] = {}
        self._memo: dict[int, tuple[list[EpisodeRule], list[tuple[EpisodeRule, Hit]]]] = {}
        self._plain_facts: FactsCache | None = None

    def _plan(self, year: int, flags: int) -> Plan:
        """(pure, episode-dependent) rules in force in `year` that `flags` can trigger."""
        in_force = self._in_force.get(year)
        if in_force is None:
            in_force = self._in_force[year] = [r for r in self.rules if r.in_force(year)]
        pure: list[EpisodeRule] = []
        dependent: list[EpisodeRule] = []
        for current in in_force:
            if current.applies(flags):
                (pure if current.pure else dependent).append(current)
        if len(self._plans) >= _MAX_PLANS:
            self._plans.clear()
        plan = (pure, dependent) if pure or dependent else _NOTHING
        self._plans[(year, flags)] = plan
        return plan

    def check_episode(
        self,
        episode: Episode,
        history: list[Episode] | None = None,
        *,
        duplicate_id: bool = False,
    ) -> list[Finding]:
        day = episode.rule_date
        year = self.rules_year or (day.year if day else date.today().year)
        features = code_features(self.facts, episode, day)
        flags = features[0] | episode_features(episode, episode.age_days, duplicate_id)
        if day is not None:
            flags |= self.facts.year_features(day.year)
        relevant = flags & self._relevant
        plan = self._plans.get((year, relevant))
        if plan is None:
            plan = self._plan(year, relevant)
        if plan is _NOTHING:
            return []
        pure, dependent = plan
        structure = structure_of(self.facts, episode, day, features=features)
        view = None
        hits = None
        if pure:
            serial = structure.serial
            key = None if serial is None else 2 * serial + episode.grouping_inferred
            kept = self._memo.get(key) if key is not None else None
            # the hits of this very rule list (a mask on episode features could change it)
            if kept is not None and kept[0] is pure:
                hits = kept[1]
            else:
                view = self._view(episode, history, duplicate_id, structure, flags)
                hits = [(current, hit) for current in pure for hit in current.check(view)]
                if key is not None:
                    if len(self._memo) >= _MAX_MEMO:
                        self._memo.clear()
                    self._memo[key] = (pure, hits)
        episode_id = episode.id
        findings = (
            [make_finding(episode_id, current, year, hit) for current, hit in hits] if hits else []
        )
        if dependent:
            if view is None:
                view = self._view(episode, history, duplicate_id, structure, flags)
            for current in dependent:
                for hit in current.check(view):
                    findings.append(make_finding(episode_id, current, year, hit))
        if self.min_rank and findings:
            findings = [f for f in findings if f.severity.rank >= self.min_rank]
        if self._once and findings:
            findings = [
                f for f in findings if f.rule not in self._once or _first(f.rule, self._said)
            ]
        return findings

    def _view(
        self,
        episode: Episode,
        history: list[Episode] | None,
        duplicate_id: bool,
        structure: Structure,
        flags: int,
    ) -> EpisodeView:
        return EpisodeView(
            episode,
            self.facts,
            self.rules_year,
            history,
            duplicate_id,
            structure=structure,
            flags=flags,
        )

    def check_plainly(
        self,
        episode: Episode,
        history: list[Episode] | None = None,
        *,
        duplicate_id: bool = False,
    ) -> list[Finding]:
        """The findings by the definition: every chosen rule in force, run on a view of its
        own, without masks, plans, shared structures or reuse, in `check_episode`'s order
        (pure rules' findings first). Slow; for tests that hold `check_episode` to it."""
        if self._plain_facts is None:
            self._plain_facts = FactsCache(self.base)
        facts = self._plain_facts
        structure = structure_of(facts, episode, episode.rule_date, shared=False)
        view = EpisodeView(
            episode, facts, self.rules_year, history, duplicate_id, structure=structure
        )
        findings = [
            make_finding(episode.id, current, view.year, hit)
            for current in sorted(self.rules, key=lambda r: not r.pure)
            if current.in_force(view.year)
            for hit in current.check(view)
        ]
        findings = [f for f in findings if f.severity.rank >= self.min_rank]
        return [
            f for f in findings if f.rule not in self._once or _first(f.rule, self._said_plainly)
        ]

    def check(self, episodes: Iterable[Episode]) -> Iterator[Finding]:
        """Findings for every episode; a repeated episode id in the stream is flagged (E05)."""
        seen: set[str] = set()
        check_episode = self.check_episode
        for episode in episodes:
            episode_id = episode.id
            duplicate = episode_id in seen
            seen.add(episode_id)
            findings = check_episode(episode, duplicate_id=duplicate)
            if findings:
                yield from findings


def _first(code: str, said: set[str]) -> bool:
    """Whether the `once` rule `code` gives its first finding of the run now."""
    if code in said:
        return False
    said.add(code)
    return True
