"""The checker with the documentation rules: the episode rules for every episode, and D01–D07
for an episode that carries its discharge summary.

`DocumentedChecker` is a `Checker` (the CLI, the pipeline, the web pages and the API use it
wherever they used the plain one), so the documentation rules' findings are ordinary findings:
selected by code prefix (`--select D`, `--ignore D07`), filtered by severity, stored and
reported like every other. The text is read only here and only for the rules: it is never
logged, and the reading is not kept after the episode's findings are made.
"""

from __future__ import annotations

from collections.abc import Iterable

from kodevakt.codes.codebase import CodeBase
from kodevakt.documentation.reading import Reader
from kodevakt.documentation.registry import DocumentRule, DocumentView, document_rules
from kodevakt.episodes.model import Episode
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Severity, make_finding
from kodevakt.rules.registry import EPISODE_RULES, EpisodeRule, choose, select
from kodevakt.rules.view import EpisodeView
from kodevakt.search import Searcher


def select_documents(
    select: Iterable[str] = (), ignore: Iterable[str] = (), *, preview: bool = False
) -> list[DocumentRule]:
    """The documentation rules chosen by code prefix, as `kodevakt.rules.registry.select`
    chooses the episode rules."""
    return choose(document_rules(), select, ignore, preview=preview)


class DocumentedChecker(Checker):
    """Checks episodes against the episode rules and, where an episode has a text, the
    documentation rules `documents` (default: every stable one).

    `reader` reads the texts (default: one over `base` with its code search, made on first
    use, so that checking episodes without texts never loads it).
    """

    def __init__(
        self,
        base: CodeBase,
        rules: Iterable[EpisodeRule] | None = None,
        documents: Iterable[DocumentRule] | None = None,
        *,
        rules_year: int | None = None,
        min_severity: Severity = Severity.INFO,
        reader: Reader | None = None,
    ) -> None:
        super().__init__(base, rules, rules_year=rules_year, min_severity=min_severity)
        self.documents = list(documents if documents is not None else select_documents())
        self._reader = reader
        self._symptoms: Checker | None = None

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            self._reader = Reader(self.base, Searcher.for_codebase(self.base))
        return self._reader

    def check_episode(
        self,
        episode: Episode,
        history: list[Episode] | None = None,
        *,
        duplicate_id: bool = False,
    ) -> list[Finding]:
        findings = super().check_episode(episode, history, duplicate_id=duplicate_id)
        if self.documents and episode.text and episode.text.strip():
            findings.extend(self._documentation(episode, history, duplicate_id))
        return findings

    def _documentation(
        self, episode: Episode, history: list[Episode] | None, duplicate_id: bool
    ) -> list[Finding]:
        view = EpisodeView(episode, self.facts, self.rules_year, history, duplicate_id)
        year = view.year
        rules = [r for r in self.documents if r.in_force(year)]
        if not rules:
            return []
        assert episode.text is not None
        reading = self.reader.read(episode.text, episode)
        document = DocumentView(episode, view, reading, self._symptom_checker())
        return [
            finding
            for registered in rules
            for hit in registered.check(document)
            if (finding := make_finding(episode.id, registered, year, hit)).severity.rank
            >= self.min_rank
        ]

    def _symptom_checker(self) -> Checker:
        """A checker running rule T11 alone (see `DocumentView.explaining`)."""
        if self._symptoms is None:
            select()  # imports every episode rule module
            t11 = EPISODE_RULES.get("T11")
            self._symptoms = Checker(self.base, [t11] if t11 is not None else [])
        return self._symptoms
