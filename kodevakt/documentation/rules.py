"""The documentation rules D01–D07: does the discharge summary support the codes?

Each rule compares what the episode codes with what the reader found in its text, and quotes
the words it found (at most `mentions.MAX_QUOTE` characters: the phrase, with the trigger
that negates or doubts it), so that the coder can check the reading against the text. They
run only for an episode that carries a text. The reading is lexical (see docs/text.md for
what it cannot do), so every finding is a warning or advice for a person to judge, never an
error.

| rule | checks |
| --- | --- |
| D01 | the coded main condition is not in the text, or not the one the text names main |
| D02 | a condition the text states as a diagnosis is not coded |
| D03 | a coded condition is one the text negates |
| D04 | a coded condition is one the text only suspects |
| D05 | a symptom is coded as main condition while the text gives its cause |
| D06 | a procedure the text says was done is not coded |
| D07 | a coded procedure is not in the text |
"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.documentation.context import Certainty
from kodevakt.documentation.lexicon import lexicon
from kodevakt.documentation.mentions import CodeFound, Kind, Mention
from kodevakt.documentation.reading import DIAGNOSIS_LISTS
from kodevakt.documentation.registry import DocumentView, document_rule
from kodevakt.documentation.sections import Section
from kodevakt.rules import code_facts as F
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.view import CodeRef

_HISTORY_WORDS = {
    Certainty.HISTORY: "som tidligere sykdom",
    Certainty.FAMILY: "om et familiemedlem",
}


def _quote(view: DocumentView, mention: Mention) -> str:
    return f"«{mention.context_span().quote(view.text)}»"


def _label(found: CodeFound) -> str:
    return f"{found.code} {found.title}".strip()


# --- D01 -------------------------------------------------------------------------------------


@document_rule(
    "D01",
    "main-condition-unsupported",
    Severity.WARNING,
    title="Hovedtilstanden støttes ikke av epikrisen",
    source="Kodeveiledning 2018 §2.2 s. 12–13 (definisjonen av hovedtilstand og kravet til "
    "dokumentasjon)",
    fixable=False,
)
def main_condition_unsupported(view: DocumentView) -> Iterator[Hit]:
    """Checks: the coded main condition (the first code of the first group) is named in the
    discharge summary, as affirmed or at least suspected (a mention only as a past illness or
    a relative's counts as not named); and when the summary itself says which condition is
    the main one (under "Hovedtilstand", or first in its diagnosis list), the coded main
    condition is that one. When the text only negates the coded condition, D03 says so
    instead; when it only suspects it, D04.

    Why: the main condition is what the care was mainly given for, and everything coded must
    be documented in the record (Kodeveiledning 2018 §2.2 pp. 12–13); the settlement
    committee's audits ask exactly this, and the national audit found the wrong main
    condition in 41 % of audited pneumonia stays. To keep false alarms down the rule speaks
    only when the reader can tell what the text is about: it proposes another main
    condition, or the phrase list knows words for the coded one, and the code's own text is
    not in the summary either.
    """
    if not view.view.conditions or not view.view.conditions[0]:
        return
    ref = view.view.conditions[0][0]
    if ref not in view.condition_refs:
        return
    proposal = view.reading.main
    if proposal is not None and any(m.supports(ref.code) for m in proposal.mentions):
        return
    mentions = view.support(ref.code)
    kinds = {m.certainty for m in mentions}
    if Certainty.AFFIRMED in kinds:
        designated = _designated(view, proposal)
        if designated is not None and proposal is not None:
            yield Hit(
                f"Epikrisen setter {_quote(view, designated)} ({_label(proposal)}) som "
                f"hovedtilstand, men {ref.label()} er kodet som hovedtilstand.",
                (ref.code, proposal.code),
                ref.location,
                f"Sett {proposal.code} som hovedtilstand og {ref.code} som annen tilstand, "
                "eller få epikrisen rettet",
            )
        return
    if Certainty.UNCERTAIN in kinds or kinds == {Certainty.NEGATED}:
        return
    if (proposal is None and not lexicon().knows(ref.code)) or view.named(ref):
        return
    past = [m for m in mentions if m.certainty in _HISTORY_WORDS]
    if past:
        said = (
            f"Hovedtilstanden {ref.label()} nevnes i epikrisen bare "
            f"{_HISTORY_WORDS[past[0].certainty]}: {_quote(view, past[0])}."
        )
    else:
        said = f"Hovedtilstanden {ref.label()} står ikke i epikrisen."
    codes: tuple[str, ...] = (ref.code,)
    if proposal is not None:
        said += f" Teksten peker på {_label(proposal)}: {_quote(view, proposal.evidence)}."
        codes = (ref.code, proposal.code)
        suggestion = (
            f"Sett {proposal.code} som hovedtilstand hvis epikrisen beskriver oppholdet riktig; "
            "ellers må dokumentasjonen rettes"
        )
    else:
        suggestion = "Kontroller at epikrisen dokumenterer hovedtilstanden, eller rett kodingen"
    yield Hit(said, codes, ref.location, suggestion)


def _designated(view: DocumentView, proposal: CodeFound | None) -> Mention | None:
    """The mention by which the text itself names `proposal` the main condition: under
    "Hovedtilstand", or as the first condition of a diagnosis list."""
    if proposal is None:
        return None
    for mention in proposal.mentions:
        if mention.certainty is not Certainty.AFFIRMED:
            continue
        if mention.section is Section.MAIN_CONDITION:
            return mention
        if mention.section is Section.DIAGNOSES and mention is _first_listed(view):
            return mention
    return None


def _first_listed(view: DocumentView) -> Mention | None:
    listed = [
        m
        for m in view.reading.mentions
        if m.section is Section.DIAGNOSES
        and m.kind is Kind.CONDITION
        and m.certainty is Certainty.AFFIRMED
    ]
    return min(listed, key=lambda m: m.span.start) if listed else None


# --- D02 -------------------------------------------------------------------------------------


@document_rule(
    "D02",
    "diagnosis-not-coded",
    Severity.WARNING,
    title="Diagnose i epikrisen er ikke kodet",
    source="Kodeveiledning 2018 §2.1 s. 11, §2.2 s. 12 (andre tilstander)",
    fixable=False,
)
def diagnosis_not_coded(view: DocumentView) -> Iterator[Hit]:
    """Checks: every condition the discharge summary states as a diagnosis of the stay (an
    affirmed condition in its diagnosis list, or the condition the reader proposes as the
    main condition) has a coded code for it (the same category, or one its phrase supports:
    a coded `J13` for "lungebetennelse").

    Why: a condition that was treated, examined, assessed or mattered for the care is coded,
    the main condition first and the others after it (Kodeveiledning 2018 §2.1 p. 11, §2.2
    p. 12); the diagnosis list is where the doctor says which. A symptom in the list is not
    asked for when a disease is coded (§2.2 p. 12: an expected symptom of a known disease is
    not coded).
    """
    disease_coded = any(not ref.flags & F.SYMPTOM for ref in view.condition_refs)
    main = view.reading.main
    for found in view.reading.proposed(Kind.CONDITION):
        listed = [
            m
            for m in found.mentions
            if m.section in DIAGNOSIS_LISTS and m.certainty is Certainty.AFFIRMED
        ]
        if not listed and found is not main:
            continue
        if view.covered(found) or (found.evidence.symptom and disease_coded):
            continue
        evidence = listed[0] if listed else found.evidence
        where = "som diagnose" if listed else "som det oppholdet handlet om"
        yield Hit(
            f"Epikrisen oppgir {_quote(view, evidence)} {where} ({_label(found)}), men ingen "
            "kode for tilstanden er registrert.",
            (found.code,),
            "conditions",
            f"Registrer {found.code} hvis tilstanden hadde betydning for oppholdet",
        )


# --- D03 -------------------------------------------------------------------------------------


@document_rule(
    "D03",
    "coded-condition-negated",
    Severity.WARNING,
    title="Kodet tilstand er avkreftet i epikrisen",
    source="Kodeveiledning 2018 §2.2 s. 13 (dokumentasjonskrav); foredrag, lysbilde Z03/Z71.1",
    fixable=False,
)
def coded_condition_negated(view: DocumentView) -> Iterator[Hit]:
    """Checks: no coded condition is one the discharge summary only negates ("ingen tegn til
    pneumoni", "lungeemboli ble avkreftet"): every mention of it is negated.

    Why: only what is documented as present may be coded (Kodeveiledning 2018 §2.2 p. 13). A
    suspicion that was ruled out is coded by the symptom or finding that led to the work-up,
    with `Z03.x` after it (never first in Norway), or `Z71.1` when no diagnosis is made (the
    coder's talk, slide on Z03 and Z71.1).
    """
    for ref in view.condition_refs:
        mentions = view.support(ref.code)
        if mentions and all(m.certainty is Certainty.NEGATED for m in mentions):
            yield Hit(
                f"{ref.label()} er kodet, men epikrisen avkrefter tilstanden: "
                f"{_quote(view, mentions[0])}.",
                (ref.code,),
                ref.location,
                f"Fjern {ref.code} hvis tilstanden ble avkreftet; kod symptomet eller funnet "
                "som ble utredet (Z03 kan stå etter det, ikke først), eller Z71.1 når ingen "
                "diagnose ble stilt",
            )


# --- D04 -------------------------------------------------------------------------------------


@document_rule(
    "D04",
    "suspected-coded-as-confirmed",
    Severity.WARNING,
    title="Mistenkt tilstand kodet som sikker",
    source="Kodeveiledning 2018 kap. 1 s. 8, §9.7 s. 83; foredrag, lysbilde Z03/Z71.1",
    fixable=False,
)
def suspected_coded_as_confirmed(view: DocumentView) -> Iterator[Hit]:
    """Checks: no coded condition is one the discharge summary only suspects ("mistanke om
    lungeemboli", "?pneumoni", "kan ikke utelukkes"): it has uncertain mentions and no
    affirmed one. A probable diagnosis ("sannsynlig", "forenlig med") counts as affirmed.

    Why: a diagnosis can be coded once a certain or probable cause is found (Kodeveiledning
    2018 chapter 1 p. 8; §9.7 p. 83: code what one believes it is and correct it when more is
    known). A mere suspicion is not a diagnosis: the symptom or finding is coded, and a
    suspicion ruled out is shown with `Z03.x` after the symptom, or `Z71.1` when no diagnosis
    is made (the coder's talk, slide on Z03 and Z71.1).
    """
    for ref in view.condition_refs:
        mentions = view.support(ref.code)
        kinds = {m.certainty for m in mentions}
        if Certainty.UNCERTAIN in kinds and Certainty.AFFIRMED not in kinds:
            doubt = next(m for m in mentions if m.certainty is Certainty.UNCERTAIN)
            yield Hit(
                f"{ref.label()} er kodet som sikker diagnose, men epikrisen omtaler den bare som "
                f"mulig: {_quote(view, doubt)}.",
                (ref.code,),
                ref.location,
                "Kod symptomet eller funnet som ble utredet til diagnosen er sikker eller "
                "sannsynlig; ble mistanken avkreftet, Z03 etter symptomet eller Z71.1",
            )


# --- D05 -------------------------------------------------------------------------------------


@document_rule(
    "D05",
    "symptom-main-with-cause-in-text",
    Severity.WARNING,
    title="Symptom som hovedtilstand mens epikrisen oppgir årsaken",
    source="Kodeveiledning 2018 §2.2 s. 12–13 (symptomer og bakenforliggende tilstand)",
    fixable=False,
)
def symptom_main_with_cause(view: DocumentView) -> Iterator[Hit]:
    """Checks: the coded main condition is a symptom (`R00–R99`) while the discharge summary
    affirms a disease that explains it and that disease is not coded. What explains what is
    rule T11's table (the organ chapter a symptom block points to, an infection for fever).

    Why: when the care was given for the symptom and also for its cause, the cause is the
    main condition (Kodeveiledning 2018 §2.2 p. 13, the rule from 2016); an expected symptom
    of a known disease is not coded at all (§2.2 p. 12). The symptom stays the main condition
    when nothing was done for a known cause (the guide's example of a catheter change), which
    the text may not show: a person judges.
    """
    if not view.view.conditions or not view.view.conditions[0]:
        return
    ref = view.view.conditions[0][0]
    if ref not in view.condition_refs or not ref.flags & F.SYMPTOM:
        return
    for found in view.explaining(ref):
        if view.covered(found):
            continue
        yield Hit(
            f"Hovedtilstanden {ref.label()} er et symptom, og epikrisen oppgir årsaken: "
            f"{_quote(view, found.evidence)} ({_label(found)}).",
            (ref.code, found.code),
            ref.location,
            f"Sett {found.code} som hovedtilstand og {ref.code} som annen tilstand hvis "
            "symptomet var et eget problem, med mindre det ikke ble gitt helsehjelp for "
            "årsaken",
        )
        return


# --- D06 -------------------------------------------------------------------------------------


@document_rule(
    "D06",
    "procedure-not-coded",
    Severity.WARNING,
    title="Prosedyre i epikrisen er ikke kodet",
    source="Kodeveiledning 2018 §5.4 s. 42 (en prosedyre registreres når den er utført)",
    fixable=False,
)
def procedure_not_coded(view: DocumentView) -> Iterator[Hit]:
    """Checks: every procedure the discharge summary says was done during the stay (not one
    planned, recommended or done before) has a coded procedure of the same group (the first
    three characters: `FNG` for PCI, `NFB` for a hip prosthesis).

    Why: a procedure is registered when it has been performed (Kodeveiledning 2018 §5.4
    p. 42); an uncoded operation is missing from the activity data and usually from the DRG.
    """
    coded = [ref.code for ref in view.procedure_refs]
    for found in view.reading.proposed(Kind.PROCEDURE):
        if any(m.supports(code) for m in found.mentions for code in coded):
            continue
        yield Hit(
            f"Epikrisen sier at {_quote(view, found.evidence)} ble utført ({found.code}), men "
            f"ingen prosedyrekode i gruppen {found.code[:3]} er registrert.",
            (found.code,),
            "procedures",
            f"Registrer prosedyrekoden for inngrepet (for eksempel {found.code})",
        )


# --- D07 -------------------------------------------------------------------------------------


@document_rule(
    "D07",
    "coded-procedure-not-in-text",
    Severity.INFO,
    title="Kodet prosedyre står ikke i epikrisen",
    source="Kodeveiledning 2018 §5.4 s. 42 (en prosedyre registreres når den er utført)",
    fixable=False,
)
def coded_procedure_not_in_text(view: DocumentView) -> Iterator[Hit]:
    """Checks: every coded procedure of a group the phrase list knows words for is named in
    the discharge summary as done. One the text says was not done ("ikke PCI") is a warning;
    one it names only as planned or earlier, or not at all, is advice.

    Why: a procedure is registered when it is performed, not when it is requested or planned
    (Kodeveiledning 2018 §5.4 p. 42). A discharge summary need not name every procedure, so
    a procedure it is silent about is only advice, and groups the phrase list has no words for
    are not judged at all.
    """
    for ref in view.procedure_refs:
        if not lexicon().knows(ref.code) or view.named(ref):
            continue
        mentions = view.support(ref.code)
        kinds = {m.certainty for m in mentions}
        if Certainty.AFFIRMED in kinds:
            continue
        yield _procedure_hit(view, ref, mentions, kinds)


def _procedure_hit(
    view: DocumentView, ref: CodeRef, mentions: list[Mention], kinds: set[Certainty]
) -> Hit:
    suggestion = "Kontroller at prosedyren ble utført under oppholdet"
    if Certainty.NEGATED in kinds:
        negated = next(m for m in mentions if m.certainty is Certainty.NEGATED)
        return Hit(
            f"{ref.label()} er kodet, men epikrisen sier at den ikke ble utført: "
            f"{_quote(view, negated)}.",
            (ref.code,),
            ref.location,
            suggestion,
            Severity.WARNING,
        )
    if mentions:
        said = "bare som planlagt eller tidligere utført"
        return Hit(
            f"{ref.label()} er kodet, men epikrisen nevner den {said}: "
            f"{_quote(view, mentions[0])}.",
            (ref.code,),
            ref.location,
            suggestion,
        )
    return Hit(
        f"{ref.label()} er kodet, men epikrisen nevner ikke inngrepet.",
        (ref.code,),
        ref.location,
        suggestion,
    )
