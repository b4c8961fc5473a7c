"""The checker: runs the rules in force for each episode and yields findings.

Checking millions of episodes in Python is fast only when little is done per episode, so:

1. Codes are resolved once per (code, year) in `FactsCache`, and the resolved code structure
   of an episode (its groups of `CodeRef`s and OR-ed features) is shared by every episode with
   the same codes (`view._structure`).
2. A rule runs only when the episode's features share a bit with its `triggers` mask
   (`triggers=0`: always runs); the list of runnable rules is computed once per combination
   of year and features, and split into pure and episode-dependent rules. A mask only saves
   work: each rule checks its own precondition too (tests/rules/test_masks.py).
3. Pure rules (`pure=True`: findings depend on the codes and year only) run once per distinct
   code structure; their hits are reused for every later episode with the same codes.

A rule declared `once` (a notice about the run, such as K07's missing code list) keeps only
its first finding of the checker's run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kodevakt.codes.codebase import CodeBase
from kodevakt.episodes.model import Episode
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.finding import Finding, Hit, Severity, make_finding
from kodevakt.rules.registry import EpisodeRule, select
from kodevakt.rules.view import EpisodeView

_MAX_MEMO = 200_000


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
        self.facts = FactsCache(base)
        self.rules = list(rules if rules is not None else select())
        self.rules_year = rules_year
        self.min_rank = min_severity.rank
        self._plans: dict[tuple[int, int], tuple[list[EpisodeRule], list[EpisodeRule]]] = {}
        self._memo: dict[int, list[tuple[EpisodeRule, Hit]]] = {}
        self._once = {r.code for r in self.rules if r.once}
        self._said: set[str] = set()

    def _plan(self, year: int, flags: int) -> tuple[list[EpisodeRule], list[EpisodeRule]]:
        """(pure, episode-dependent) rules in force in `year` that `flags` can trigger.

        Feature combinations repeat endlessly, so the plan is computed once per combination.
        """
        plan = self._plans.get((year, flags))
        if plan is None:
            runnable = [
                r for r in self.rules if r.in_force(year) and (not r.triggers or r.triggers & flags)
            ]
            plan = ([r for r in runnable if r.pure], [r for r in runnable if not r.pure])
            self._plans[(year, flags)] = plan
        return plan

    def check_episode(
        self,
        episode: Episode,
        history: list[Episode] | None = None,
        *,
        duplicate_id: bool = False,
    ) -> list[Finding]:
        view = EpisodeView(episode, self.facts, self.rules_year, history, duplicate_id)
        year = view.year
        plan = self._plans.get((year, view.flags))
        pure, dependent = plan if plan is not None else self._plan(year, view.flags)
        key = view.key
        hits = self._memo.get(key) if key is not None else None
        if hits is None:
            hits = [(current, hit) for current in pure for hit in current.check(view)]
            if key is not None:
                if len(self._memo) >= _MAX_MEMO:
                    self._memo.clear()
                self._memo[key] = hits
        episode_id = episode.id
        findings = (
            [make_finding(episode_id, current, year, hit) for current, hit in hits] if hits else []
        )
        for current in dependent:
            for hit in current.check(view):
                findings.append(make_finding(episode_id, current, year, hit))
        if self.min_rank and findings:
            findings = [f for f in findings if f.severity.rank >= self.min_rank]
        if self._once and findings:
            findings = [f for f in findings if f.rule not in self._once or self._first_time(f.rule)]
        return findings

    def _first_time(self, code: str) -> bool:
        """Whether the `once` rule `code` gives its first finding of this run now."""
        if code in self._said:
            return False
        self._said.add(code)
        return True

    def check(self, episodes: Iterable[Episode]) -> Iterator[Finding]:
        """Findings for every episode; a repeated episode id in the stream is flagged (E05)."""
        seen: set[str] = set()
        for episode in episodes:
            duplicate = episode.id in seen
            seen.add(episode.id)
            yield from self.check_episode(episode, duplicate_id=duplicate)
