"""The checker: runs the rules in force for each episode and yields findings.

Speed comes from three things: codes are resolved once per (code, year) in `FactsCache`; the
rules in force are grouped per year once; and a rule runs only when the episode's OR-ed code
features share a bit with the rule's `triggers` (rules that look at every episode have
`triggers=0` and always run).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kodevakt.codes.codebase import CodeBase
from kodevakt.episodes.model import Episode
from kodevakt.rules.facts import FactsCache
from kodevakt.rules.finding import Finding, Severity
from kodevakt.rules.registry import Rule, select
from kodevakt.rules.view import EpisodeView


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

    def _rules_for(self, year: int) -> tuple[list[Rule], list[Rule]]:
        found = self._by_year.get(year)
        if found is None:
            in_force = [r for r in self.rules if r.in_force(year)]
            found = (
                [r for r in in_force if not r.triggers],
                [r for r in in_force if r.triggers],
            )
            self._by_year[year] = found
        return found

    def check_episode(
        self,
        episode: Episode,
        history: list[Episode] | None = None,
        *,
        duplicate_id: bool = False,
    ) -> list[Finding]:
        view = EpisodeView(episode, self.facts, self.rules_year, history)
        view.duplicate_id = duplicate_id
        always, triggered = self._rules_for(view.year)
        flags = view.flags
        findings: list[Finding] = []
        for current in always:
            self._run(current, view, findings)
        for current in triggered:
            if current.triggers & flags:
                self._run(current, view, findings)
        return findings

    def _run(self, current: Rule, view: EpisodeView, findings: list[Finding]) -> None:
        for hit in current.check(view):
            severity = hit.severity or current.severity
            if severity.rank < self.min_rank:
                continue
            findings.append(
                Finding(
                    episode_id=view.episode.id,
                    rule=current.code,
                    name=current.name,
                    severity=severity,
                    message=hit.message,
                    codes=hit.codes,
                    location=hit.location,
                    source=current.source,
                    suggestion=hit.suggestion,
                    rule_year=view.year,
                )
            )

    def check(self, episodes: Iterable[Episode]) -> Iterator[Finding]:
        """Findings for every episode; a repeated episode id in the stream is flagged (E05)."""
        seen: set[str] = set()
        for episode in episodes:
            duplicate = episode.id in seen
            seen.add(episode.id)
            yield from self.check_episode(episode, duplicate_id=duplicate)
