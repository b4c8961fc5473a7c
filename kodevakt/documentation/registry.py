"""The documentation rules' registry: rules that compare a coded episode with its discharge
summary (D01–D07), a kind of rule of their own.

A documentation rule declares the metadata every rule does (`kodevakt.rules.registry.Rule`),
but its check is handed a `DocumentView`: the episode as the episode rules see it, and what
the reader found in the episode's text. It runs only for an episode that carries a text
(`DocumentedChecker`). Its examples, an episode with a short text each, are `D.toml` in this
folder (see `kodevakt.rules.examples`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib.resources import files

from kodevakt.documentation.mentions import CodeFound, Kind, Mention
from kodevakt.documentation.reading import Reading
from kodevakt.documentation.words import tokenize
from kodevakt.episodes.model import Episode
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.registry import Registry, Rule, RuleStatus
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import describes_condition, is_icd10, is_procedure


@dataclass
class DocumentView:
    """An episode with text: its codes resolved, and the reading of its text.

    `symptom_checker` runs rule T11 alone, so that "the text gives the cause of the coded
    symptom" means what T11 means by a disease explaining a symptom.
    """

    episode: Episode
    view: EpisodeView
    reading: Reading
    symptom_checker: Checker
    _explained: dict[str, list[CodeFound]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.reading.text

    @cached_property
    def condition_refs(self) -> list[CodeRef]:
        """The first code of every coded condition group that describes a condition."""
        return [
            group[0]
            for group in self.view.conditions
            if group and is_icd10(group[0]) and describes_condition(group[0])
        ]

    @cached_property
    def procedure_refs(self) -> list[CodeRef]:
        """The first code of every coded procedure group."""
        return [group[0] for group in self.view.procedures if group and is_procedure(group[0])]

    @cached_property
    def coded(self) -> list[str]:
        """Every code of the episode, conditions and procedures."""
        return [
            ref.code for group in (*self.view.conditions, *self.view.procedures) for ref in group
        ]

    @cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(token.key for token in tokenize(self.text) if token.is_word)

    def named(self, ref: CodeRef) -> bool:
        """Whether every word of the code's own text that says what it is stands in the text
        ("Kolecystektomi" for JKA20): evidence the phrase list may not know."""
        words = [
            token.key
            for token in tokenize(ref.text)
            if token.is_word and len(token.text) > 3 and token.text.lower() not in _QUALIFIERS
        ]
        return bool(words) and all(key in self._keys for key in words)

    def support(self, code: str) -> list[Mention]:
        """The text's mentions that are evidence for `code`."""
        return self.reading.support(code)

    def covered(self, found: CodeFound) -> bool:
        """Whether a coded code is evidence of what `found` names (the same category, or in
        the group of any of its mentions)."""
        mentions = found.mentions
        return any(m.supports(code) for m in mentions for code in self.coded)

    def explaining(self, symptom: CodeRef) -> list[CodeFound]:
        """The conditions the text affirms that explain the coded symptom `symptom` (T11)."""
        if symptom.code not in self._explained:
            self._explained[symptom.code] = [
                found
                for found in self.reading.proposed(Kind.CONDITION)
                if not found.evidence.symptom and self._t11(symptom.code, found.code)
            ]
        return self._explained[symptom.code]

    def _t11(self, symptom: str, disease: str) -> bool:
        episode = replace(self.episode, conditions=[[symptom], [disease]], procedures=[], text=None)
        return bool(self.symptom_checker.check_episode(episode))


# Words of code texts that say how specific a code is, not what it is.
_QUALIFIERS = frozenset(
    {"uspesifisert", "uspes", "spesifisert", "annen", "annet", "andre", "ikke", "klassifisert",
     "uten", "eller", "med", "som", "skyldes", "lukket", "åpent"}
)  # fmt: skip

DocumentCheck = Callable[[DocumentView], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class DocumentRule(Rule[DocumentCheck]):
    """A rule over an episode and its discharge summary: its check reads a `DocumentView`."""


DOCUMENT_RULES: Registry[DocumentRule] = Registry(files("kodevakt.documentation") / "D.toml")


def document_rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    title: str,
    source: str,
    fixable: bool,
    years: tuple[int | None, int | None] = (None, None),
    status: RuleStatus = RuleStatus.STABLE,
    aliases: tuple[str, ...] = (),
) -> Callable[[DocumentCheck], DocumentCheck]:
    """Register the decorated function as documentation rule `code` (see
    `kodevakt.rules.registry.rule` for `fixable` and `aliases`)."""
    return DOCUMENT_RULES.registering(
        DocumentRule,
        code,
        name,
        severity,
        title=title,
        source=source,
        years=years,
        status=status,
        fixable=fixable,
        aliases=aliases,
    )


def document_rules() -> list[DocumentRule]:
    """Every registered documentation rule, in catalogue order."""
    from kodevakt.documentation import rules  # noqa: F401  (importing registers the rules)

    return DOCUMENT_RULES.listed()
