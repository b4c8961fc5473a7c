"""Reading a discharge summary: text in, conditions and procedures with their certainty,
section and evidence out, and a proposed main condition.

The steps, each in its own module: tokens and sentences (`words`), sections (`sections`),
phrases and compounds (`matcher` over the `lexicon`, with the code search for compounds),
certainty (`context`), per-code results and what the reader would code (here), and the main
condition (`main_condition`). `Reader` holds what is loaded once (lexicon, code base, code
search, rule checker); `Reader.read` does no input or output and logs nothing, so the text
never leaves the caller.

What the reader would code for the stay (`CodeFound.proposed`):

- a condition the text affirms in a part about this stay (not only under previous illness,
  family history, medication or the plan);
- a standing condition ("kjent KOLS", hypertension, diabetes) only when the diagnosis list
  names it, or anywhere in the stay's text when there is no diagnosis list: the list is where
  the doctor says which known conditions mattered (KV2018 §2.2 p. 13, "Kjente tilstander");
- a symptom only when no other condition of the stay explains it (§2.2 p. 12);
- an unspecified sepsis code gives way to the infection it started from, with `R65.1` (or
  `R57.2` in septic shock) added to that infection (§12.3 p. 96: known focus);
- a procedure the text says was done in this stay (not one planned, or done before).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.documentation import main_condition
from kodevakt.documentation.context import Category, Certainty, certainty_of, find_triggers
from kodevakt.documentation.lexicon import (
    FAMILY,
    ONGOING,
    Entry,
    Lexicon,
    domain_of,
    in_group,
    is_procedure_code,
    lexicon,
)
from kodevakt.documentation.matcher import Match, match_sentence
from kodevakt.documentation.mentions import CodeFound, Kind, Mention, Span, deciding, gather
from kodevakt.documentation.sections import Part, Section, find_sections, section_at
from kodevakt.documentation.words import Token, sentences, tokenize, word_key
from kodevakt.episodes.model import Episode
from kodevakt.rules.engine import Checker
from kodevakt.rules.registry import select
from kodevakt.search import Searcher

#: Sections about something other than this stay's conditions.
NOT_THE_STAY = frozenset(
    {Section.PREVIOUS, Section.FAMILY, Section.MEDICATION, Section.PLAN, Section.SOCIAL}
)
DIAGNOSIS_LISTS = frozenset({Section.MAIN_CONDITION, Section.OTHER_CONDITIONS, Section.DIAGNOSES})

#: Infections that can be the known focus of a sepsis (KV2018 §12.3 p. 96).
SEPSIS_FOCUS = (
    "J12-J18",
    "J44.0",
    "J85-J86",
    "N10",
    "N30",
    "N39.0",
    "L02-L03",
    "A46",
    "K35",
    "K65",
    "K81",
    "K83.0",
    "G00-G03",
    "I33",
    "M00",
    "T81.4",
    "T84.5",
)
UNSPECIFIED_SEPSIS = ("A40", "A41")

# Words that, shortly before a condition, say the stay was for it.
_CUES = frozenset(
    word_key(w)
    for w in (
        "innlagt",
        "innlegges",
        "innleggelse",
        "henvist",
        "behandlet",
        "behandles",
        "behandling",
        "operert",
        "opereres",
        "diagnostisert",
        "diagnostiseres",
        "grunnet",
        "pga",
        "kommer",
        "utredet",
        "konkluderes",
        "viste",
        "påvist",
        "påviste",
        "fant",
    )
)
CUE_WINDOW = 5  # words before a condition in which a cue counts

# Words that show a text is about a delivery, where "mor" is the patient.
_OBSTETRIC = frozenset(
    word_key(w)
    for w in (
        "fødsel",
        "fødselen",
        "forløst",
        "forløsning",
        "født",
        "fødte",
        "keisersnitt",
        "sectio",
        "gravid",
        "svangerskapsuke",
        "rier",
        "barseltid",
        "perinealrift",
        "vannavgang",
        "gravida",
        "para",
    )
)

MIN_SEARCH_SCORE = 2.0  # the code search's score below which a compound is left unread


@dataclass(frozen=True, slots=True)
class Reading:
    """What a discharge summary says, code by code, and its proposed main condition."""

    text: str
    parts: tuple[Part, ...]
    mentions: tuple[Mention, ...]
    codes: tuple[CodeFound, ...]
    main: CodeFound | None

    def proposed(self, kind: Kind | None = None) -> list[CodeFound]:
        """The codes the reader would code for the stay, of `kind` when given."""
        return [f for f in self.codes if f.proposed and (kind is None or f.kind is kind)]

    def support(self, code: str) -> list[Mention]:
        """The mentions that are evidence for `code`, in text order."""
        return [m for m in self.mentions if m.supports(code)]

    @property
    def has_diagnosis_list(self) -> bool:
        return any(part.section in DIAGNOSIS_LISTS for part in self.parts)

    def to_dict(self, text_id: str | None) -> dict[str, Any]:
        """The JSON shape: `{"id", "main", "codes": [...]}` (see `CodeFound.to_dict`)."""
        return {
            "id": text_id,
            "main": self.main.code if self.main is not None else None,
            "codes": [found.to_dict(self.text) for found in self.codes],
        }


class Reader:
    """Reads discharge summaries against one code base.

    `searcher` resolves compounds the phrase list does not name (none: they are left
    unread); `checker` tests each main-condition proposal (default: every stable rule).
    """

    def __init__(
        self,
        base: CodeBase,
        searcher: Searcher | None = None,
        checker: Checker | None = None,
        phrases: Lexicon | None = None,
    ) -> None:
        self.base = base
        self.searcher = searcher
        self.checker = checker or Checker(base, select())
        self.lexicon = phrases or lexicon()
        self._compounds: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]] | None] = {}

    def read(self, text: str, episode: Episode | None = None) -> Reading:
        """Read `text`; `episode` (the coded stay, when there is one) gives the patient and
        dates the main-condition proposal is checked with."""
        tokens = tokenize(text)
        parts = find_sections(text)
        obstetric = any(token.key in _OBSTETRIC for token in tokens)
        mentions: list[Mention] = []
        resolve = self._resolve if self.searcher is not None else None
        for start, end in sentences(tokens, text):
            matches = match_sentence(tokens, start, end, self.lexicon, resolve)
            matches += self._written_codes(text, tokens, start, end, matches)
            if not matches:
                continue
            covered = [False] * len(tokens)
            for match in matches:
                for i in match.words:
                    covered[i] = True
            found = find_triggers(tokens, start, end, covered, obstetric)
            for match in matches:
                chosen = _in_domain(match, tokens) if match.entry.domains else match
                if chosen is not None:
                    mentions.append(self._mention(tokens, parts, found, (start, end), chosen))
        codes = self._codes(mentions, parts)
        codes = main_condition.without_redundant_agents(codes, self.checker, episode)
        main = main_condition.propose(codes, self.base, self.checker, episode)
        return Reading(text, tuple(parts), tuple(mentions), tuple(codes), main)

    def _mention(
        self,
        tokens: Sequence[Token],
        parts: list[Part],
        found: Sequence[Any],
        sentence: tuple[int, int],
        match: Match,
    ) -> Mention:
        span = Span(tokens[match.first].start, tokens[match.end - 1].end)
        section = section_at(parts, span.start)
        in_list = section in DIAGNOSIS_LISTS
        procedure = bool(match.codes) and is_procedure_code(match.codes[0])
        relevant = [
            f
            for f in found
            if not (
                in_list
                and f.trigger.category is Category.HISTORY
                and f.trigger.phrase.startswith("kjent")
            )
            and (procedure or f.trigger.flags != "procedure-only")
        ]
        certainty = certainty_of(tokens, relevant, sentence, match.anchor)
        if certainty is not Certainty.AFFIRMED and any(
            certainty_of(tokens, relevant, sentence, part) is Certainty.AFFIRMED
            for part in match.parts_at
        ):
            certainty = Certainty.AFFIRMED
        trigger = _deciding_trigger(tokens, relevant, sentence, match.anchor, certainty)
        if section is Section.FAMILY and certainty is not Certainty.NEGATED:
            certainty = Certainty.FAMILY
        elif certainty is Certainty.AFFIRMED and (
            section is Section.PREVIOUS or ONGOING in match.entry.flags
        ):
            certainty = Certainty.HISTORY
        codes = match.codes
        mention = Mention(
            codes,
            match.group,
            span,
            certainty,
            section,
            match.entry.phrase,
            match.entry.flags,
            match.compound,
            trigger,
            _has_cue(tokens, sentence, match.first),
            _says(tokens, sentence, _INTENSIVE),
        )
        planned = section is Section.PLAN and certainty is Certainty.AFFIRMED
        if planned and mention.kind is Kind.PROCEDURE:  # done later, not in this stay
            mention = replace(mention, certainty=Certainty.UNCERTAIN)
        return mention

    def _codes(self, mentions: list[Mention], parts: list[Part]) -> list[CodeFound]:
        has_list = any(part.section in DIAGNOSIS_LISTS for part in parts)
        found: list[CodeFound] = []
        for code, own in gather(mentions).items():
            decider = deciding(own)
            proposed = decider.certainty is Certainty.AFFIRMED and _for_the_stay(own, has_list)
            title = self._title(code)
            found.append(
                CodeFound(
                    code, decider.codes, title, decider.certainty, decider, tuple(own), proposed
                )
            )
        found = _absorbed(found)
        found = _focus_of_sepsis(found)
        explaining = [
            f
            for f in found
            if f.proposed
            and f.kind is Kind.CONDITION
            and not f.evidence.symptom
            and not f.evidence.chronic
        ]
        if explaining:
            found = [
                replace(f, proposed=False) if f.proposed and _explained_symptom(f) else f
                for f in found
            ]
        return found

    def _written_codes(
        self, text: str, tokens: Sequence[Token], start: int, end: int, matches: list[Match]
    ) -> list[Match]:
        """The codes written in the sentence itself ("Pneumoni (J18.9)", "PCI (FNG05)"): an
        ICD-10 code the code list holds as reportable, or a procedure code by its shape."""
        covered = {i for match in matches for i in match.words}
        found: list[Match] = []
        begin, finish = tokens[start].start, tokens[end - 1].end
        for written in _WRITTEN_CODE.finditer(text, begin, finish):
            code = self._written_code(written.group())
            if code is None:
                continue
            words = tuple(
                i for i in range(start, end) if written.start() <= tokens[i].start < written.end()
            )
            if not words or covered & set(words):
                continue
            entry = Entry(
                written.group(), ((),), ((),), (code,), _code_group(code), frozenset(),
                "koden står i teksten", 0,
            )  # fmt: skip
            found.append(
                Match(words[0], words[-1] + 1, words[0], entry, (code,), entry.group, words)
            )
        return found

    def _written_code(self, written: str) -> str | None:
        norm = normalise(written)
        if norm.kind is CodeKind.PROCEDURE:
            return norm.code
        if norm.kind is not CodeKind.ICD10:
            return None
        known = self.base.lookup(norm.code)
        return known.code if known is not None and known.reportable else None

    def _title(self, code: str) -> str:
        known = self.base.lookup(code)
        return known.display_text if known is not None else ""

    def _resolve(self, word: str, entry: Entry) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The code of a compound word whose head is `entry` (cached per word)."""
        key = (word.lower(), entry.line)
        if key in self._compounds:
            return self._compounds[key]
        resolved = self._search(word, entry)
        self._compounds[key] = resolved
        return resolved

    def _search(self, word: str, entry: Entry) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        assert self.searcher is not None
        for hit in self.searcher.search(word, 10, system="icd10"):
            if hit.score < MIN_SEARCH_SCORE:
                break
            if in_group(hit.code, entry.group) and not hit.code.startswith(("R", "Z")):
                code = self._reportable(hit.code)
                if code is not None:
                    return (code,), entry.group
        return (entry.codes, entry.group) if entry.codes else None

    def _reportable(self, code: str) -> str | None:
        """`code`, or the unspecified (else first) code under it when it is a heading."""
        known = self.base.lookup(code)
        if known is None:
            return None
        if known.reportable:
            return known.code
        children = self.base.children(code)
        if not children:
            return None
        unspecified = [c for c in children if c.code.endswith(".9") and c.reportable]
        chosen = (
            unspecified[0] if unspecified else next((c for c in children if c.reportable), None)
        )
        return chosen.code if chosen is not None else None


#: A code as doctors write it in a discharge summary: `J18.9`, `I21.4a`, `FNG05`, `WBOC10`.
_WRITTEN_CODE = re.compile(r"(?<![\w.])(?:[A-Z]\d{2}(?:\.\d{1,2}[a-z]?)?|[A-Z]{3,4}\d{2})(?![\w])")


def _code_group(code: str) -> tuple[str, ...]:
    return (code if is_procedure_code(code) else code.replace(".", "")[:3],)


def _in_domain(match: Match, tokens: Sequence[Token]) -> Match | None:
    """A match whose code depends on what the text is about ("infarkt"), with the codes of
    the text's domain; None when the text does not show one."""
    domain = domain_of(t.key for i, t in enumerate(tokens) if t.is_word and i not in match.words)
    for name, codes in match.entry.domains:
        if name == domain:
            return replace(match, codes=codes)
    return None


def _for_the_stay(mentions: list[Mention], has_list: bool) -> bool:
    affirmed = [m for m in mentions if m.certainty is Certainty.AFFIRMED]
    in_stay = [m for m in affirmed if m.section not in NOT_THE_STAY]
    if not in_stay:
        return False
    if affirmed[0].kind is Kind.CONDITION and affirmed[0].chronic and has_list:
        return any(m.section in DIAGNOSIS_LISTS for m in in_stay)
    return True


def _absorbed(found: list[CodeFound]) -> list[CodeFound]:
    """The codes with the mentions of less specific ones folded into the more specific.

    A text often names one condition twice, first generally and then precisely ("Innlagt med
    hjerneslag … cerebellært hjerneinfarkt", "diabetes … diabetes type 2", "covid-19 …
    covid-19-pneumoni"). The unspecified code of a family (`I64`, `E14.9`, `J18.9`) is then
    not coded beside the specific one of the same family, nor is a code that is already an
    additional code of another; what was said about it counts for the specific code.
    """
    proposed = [f for f in found if f.proposed]
    into: dict[str, CodeFound] = {}
    generals = [f for f in proposed if f.code.endswith(".9") or FAMILY in f.evidence.flags]
    with_extras = [f for f in proposed if len(f.codes) > 1]
    for general in proposed:
        if general not in generals and not any(general.code in f.codes[1:] for f in with_extras):
            continue
        for specific in proposed:
            if specific is general or specific.kind is not general.kind:
                continue
            if general.code in specific.codes[1:] or _more_specific(specific, general):
                into[general.code] = specific
                break
    if not into:
        return found
    extra: dict[str, list[Mention]] = {}
    for code, specific in into.items():
        target, seen = specific, {code}
        while target.code in into and target.code not in seen:  # a chain: E14.9 → E11.9 → …
            seen.add(target.code)
            target = into[target.code]
        extra.setdefault(target.code, []).extend(
            m for f in found if f.code == code for m in f.mentions
        )
    carried: dict[str, list[str]] = {}
    for code, specific in into.items():
        general = next(f for f in found if f.code == code)
        carried.setdefault(specific.code, []).extend(general.codes[1:])
    result = []
    for f in found:
        if f.code in into:
            result.append(replace(f, proposed=False))
        elif f.code in extra:
            codes = tuple(dict.fromkeys((*f.codes, *carried.get(f.code, ()))))
            result.append(replace(f, codes=codes, mentions=(*f.mentions, *extra[f.code])))
        else:
            result.append(f)
    return result


def _more_specific(specific: CodeFound, general: CodeFound) -> bool:
    """Whether `specific` names what `general` names, more precisely: a member of the family
    a general phrase names ("hjerneinfarkt" for "hjerneslag", "diabetes type 2" for
    "diabetes"), or a specified code of the same category as an unspecified one."""
    same_category = _category(specific.code) == _category(general.code)
    if same_category:
        return general.code.endswith(".9") and not specific.code.endswith(".9")
    return (
        all(FAMILY in m.flags for m in general.mentions)
        and in_group(specific.code, general.evidence.group)
        and not all(FAMILY in m.flags for m in specific.mentions)
    )


def _category(code: str) -> str:
    return code.replace(".", "")[:3]


def _explained_symptom(found: CodeFound) -> bool:
    """A symptom the text does not list as a diagnosis of its own: with a disease that explains
    it, it is not coded (KV2018 §2.2 p. 12). A symptom the doctor lists is a problem in itself
    (urinary retention in prostate cancer is the guide's own example)."""
    return found.evidence.symptom and not any(
        m.section in DIAGNOSIS_LISTS and m.certainty is Certainty.AFFIRMED for m in found.mentions
    )


def _focus_of_sepsis(found: list[CodeFound]) -> list[CodeFound]:
    """An unspecified sepsis beside the infection it came from: the infection carries the
    sepsis as `R65.1` (`R57.2` in septic shock) and the sepsis code is not proposed."""
    sepsis = [f for f in found if f.proposed and f.code.startswith(UNSPECIFIED_SEPSIS)]
    focus = next(
        (
            f
            for f in found
            if f.proposed and f.kind is Kind.CONDITION and in_group(f.code, SEPSIS_FOCUS)
        ),
        None,
    )
    if not sepsis or focus is None:
        return found
    shock = any("R57.2" in f.codes for f in sepsis)
    extra = "R57.2" if shock else "R65.1"
    result = []
    for f in found:
        if f in sepsis:
            result.append(replace(f, proposed=False))
        elif f is focus and extra not in f.codes:
            result.append(replace(f, codes=(*f.codes, extra)))
        else:
            result.append(f)
    return result


# Words of intensive care (the guide's example of the aspiration pneumonia that needed four
# days on a ventilator, §2.3 p. 14).
_INTENSIVE = tuple(
    word_key(w)
    for w in ("respirator", "intensiv", "pressor", "vasopressor", "noradrenalin", "intubert")
)


def _says(tokens: Sequence[Token], sentence: tuple[int, int], words: tuple[str, ...]) -> bool:
    """Whether a word of the sentence starts with one of the keys `words`."""
    return any(tokens[i].is_word and tokens[i].key.startswith(words) for i in range(*sentence))


def _has_cue(tokens: Sequence[Token], sentence: tuple[int, int], first: int) -> bool:
    words = 0
    i = first - 1
    while i >= sentence[0] and words < CUE_WINDOW:
        token = tokens[i]
        if token.is_word:
            if token.key in _CUES:
                return True
            words += 1
        i -= 1
    return False


def _deciding_trigger(
    tokens: Sequence[Token],
    found: Sequence[Any],
    sentence: tuple[int, int],
    anchor: int,
    certainty: Certainty,
) -> Span | None:
    """The span of the nearest trigger of `certainty` that reaches the anchor."""
    if certainty is Certainty.AFFIRMED:
        return None
    terminators = [f for f in found if f.trigger.category is Category.TERMINATE]
    best = None
    for item in found:
        if item.trigger.category.certainty is not certainty:
            continue
        if certainty_of(tokens, [item, *terminators], sentence, anchor) is not certainty:
            continue
        distance = abs(item.start - anchor)
        if best is None or distance < best[0]:
            best = (distance, Span(tokens[item.start].start, tokens[item.end - 1].end))
    return best[1] if best else None
