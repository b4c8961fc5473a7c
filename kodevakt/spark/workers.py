"""What each Python worker of a Spark run holds once: the code base, the checker, the facts.

The driver loads the code base (the embedded lists and `KODEVAKT_CODE_FILES`, as every
command does) and broadcasts it with the chosen rules as one `Setup`. Spark sends a
broadcast to each executor once, and a Python worker unpickles it on its first task and
keeps it for the tasks after (workers are reused), so the code lists are neither shipped
nor loaded per task, and the executors need no code files of their own. The checker and the
facts cache are built from it lazily, once per worker, and never pickled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Severity
from kodevakt.rules.registry import EpisodeRule, episode_rules


class Setup:
    """The code base and the chosen episode rules (by code, in order), as broadcast."""

    def __init__(
        self,
        base: CodeBase,
        rules: Iterable[EpisodeRule],
        *,
        rules_year: int | None = None,
        min_severity: Severity = Severity.INFO,
    ) -> None:
        self.base = base
        self.rule_codes = tuple(chosen.code for chosen in rules)
        self.rules_year = rules_year
        self.min_severity = min_severity
        self._checker: Checker | None = None
        self._facts: FactsCache | None = None

    @property
    def checker(self) -> Checker:
        """The checker of the chosen rules, built on first use in this worker."""
        if self._checker is None:
            by_code = {registered.code: registered for registered in episode_rules()}
            self._checker = Checker(
                self.base,
                [by_code[code] for code in self.rule_codes],
                rules_year=self.rules_year,
                min_severity=self.min_severity,
            )
        return self._checker

    @property
    def facts(self) -> FactsCache:
        """Resolved codes for the pattern rules and indicators, cached in this worker."""
        if self._facts is None:
            self._facts = FactsCache(self.base)
        return self._facts

    def __getstate__(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "rule_codes": self.rule_codes,
            "rules_year": self.rules_year,
            "min_severity": self.min_severity,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._checker = None
        self._facts = None
