"""The checker: runs the rules in force for each episode and yields findings.

Checking millions of episodes in Python is fast only when little is done per episode, so:

1. Codes are resolved once per (code, year) in `FactsCache`, and the resolved code structure
   of an episode (its groups of `CodeRef`s and OR-ed features) is shared by every episode with
   the same codes (`view._structure`).
2. The rules in force are split per year once, into pure and episode-dependent rules.
3. A rule runs only when the episode's features share a bit with its `triggers` mask
   (`triggers=0`: always runs).
4. Pure rules (`pure=True`: findings depend on the codes and year only) run once per distinct
   code structure; their hits are reused for every later episode with the same codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kodevakt.codes.codebase import CodeBase
from kodevakt.episodes.model import Episode
from kodevakt.rules.facts import FactsCache
from kodevakt.rules.finding import Finding, Hit, Severity
from kodevakt.rules.registry import Rule, select
from kodevakt.rules.view import EpisodeView

_MAX_MEMO = 200_000


class Checker:
    """Checks episodes against a chosen rule set over one code base."""

    def __init__(
        self,
        base: CodeBase,
        rules: list[Rule] | None = None,
        *,
        rules_year: int | None = None,
        min_severity: Severity = Severity.INFO,
    ) -> None:
        self.base = base
        self.facts = FactsCache(base)
        self.rules = [r for r in (rules if rules is not None else select()) if not r.needs_batch]
        self.rules_year = rules_year
        self.min_rank = min_severity.rank
        self._by_year: dict[int, tuple[list[Rule], list[Rule]]] = {}
        self._memo: dict[object, list[tuple[Rule, Hit]]] = {}

    def _rules_for(self, year: int) -> tuple[list[Rule], list[Rule]]:
        """(pure, episode-dependent) rules in force in `year`, in registry order."""
        found = self._by_year.get(year)
        if found is None:
            in_force = [r for r in self.rules if r.in_force(year)]
            found = ([r for r in in_force if r.pure], [r for r in in_force if not r.pure])
            self._by_year[year] = found
        return found

    def check_episode(
        self,
        episode: Episode,
        history: list[Episode] | None = None,
        *,
        duplicate_id: bool = False,
    ) -> list[Finding]:
        view = EpisodeView(episode, self.facts, self.rules_year, history, duplicate_id)
        pure, dependent = self._rules_for(view.year)
        flags = view.flags
        key = view.key
        hits = self._memo.get(key) if key is not None else None
        if hits is None:
            hits = [
                (current, hit)
                for current in pure
                if not current.triggers or current.triggers & flags
                for hit in current.check(view)
            ]
            if key is not None:
                if len(self._memo) >= _MAX_MEMO:
                    self._memo.clear()
                self._memo[key] = hits
        findings = [self._finding(current, view, hit) for current, hit in hits]
        for current in dependent:
            if not current.triggers or current.triggers & flags:
                for hit in current.check(view):
                    findings.append(self._finding(current, view, hit))
        if self.min_rank:
            findings = [f for f in findings if f.severity.rank >= self.min_rank]
        return findings

    @staticmethod
    def _finding(current: Rule, view: EpisodeView, hit: Hit) -> Finding:
        return Finding(
            episode_id=view.episode.id,
            rule=current.code,
            name=current.name,
            severity=hit.severity or current.severity,
            message=hit.message,
            codes=hit.codes,
            location=hit.location,
            source=current.source,
            suggestion=hit.suggestion,
            rule_year=view.year,
        )

    def check(self, episodes: Iterable[Episode]) -> Iterator[Finding]:
        """Findings for every episode; a repeated episode id in the stream is flagged (E05)."""
        seen: set[str] = set()
        for episode in episodes:
            duplicate = episode.id in seen
            seen.add(episode.id)
            yield from self.check_episode(episode, duplicate_id=duplicate)
