"""T rules for complications of care and for myocardial infarction types and timing.

Sources: Kodeveiledning 2018 §4.2 pp. 31–34 (coding complications and adverse drug effects)
and ch. 11 pp. 88–91 (myocardial infarction and PCI).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kodevakt.episodes.model import Episode
from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import MultipleCoding, is_icd10

# How long an infarction counts as acute (KV2018 §11.2 p. 90).
ACUTE_INFARCTION_DAYS = 28


def is_cause_of_complication(ref: CodeRef) -> bool:
    """An external cause code for complications of care: `Y40–Y84` (incl. Norwegian `Y4n`),
    or `Y88` (sequelae of complications of care)."""
    return is_icd10(ref) and (F.in_range(ref.code, "Y40", "Y84") or ref.category == "Y88")


def _join(codes: tuple[str, ...]) -> str:
    """`T81.8, T82.8 og Y84.0`."""
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} og {codes[-1]}"


# --- T26 -------------------------------------------------------------------------------------


def _is_pci_infarction(ref: CodeRef) -> bool:
    return is_icd10(ref) and ref.category in ("I21", "I22") and ref.code.endswith("a")


def _describes_other_complication(view: EpisodeView, ref: CodeRef) -> bool:
    """Whether the T-code may describe a condition other than the infarction (then it is not
    the infarction's): one named in its own group; before grouping was required, when a
    complication's codes stood apart (Kodeveiledning 2018 §4.2 p. 29), one anywhere in the
    episode that is not itself a complication-type code."""
    if view.multiple_coding is MultipleCoding.REQUIRED:
        return any(_other_condition(other, ref) for other in view.conditions[ref.group])
    return any(
        _other_condition(other, ref) and not F.in_range(other.code, "T80", "T88")
        for other in view.condition_codes()
    )


def _other_condition(other: CodeRef, ref: CodeRef) -> bool:
    return other is not ref and is_icd10(other) and not other.flags & (F.EXTERNAL | F.INFARCTION)


@rule(
    "T26",
    "pci-infarction-with-complication-codes",
    Severity.WARNING,
    title="Hjerteinfarkt type 4a (I21/I22 med femte tegn a) med T-kode og Y-kode i tillegg",
    source="Kodeveiledning 2018 §11.3 s. 90",
    years=(2015, None),
    triggers=F.INFARCTION,
    pure=True,
    fixable=False,
)
def pci_infarction_with_complication_codes(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a myocardial infarction coded with 5th character `a` (type 4a, associated with
    PCI, e.g. `I21.4a`) together with a complication code `T80–T88` and a cause code for
    complications of care (`Y40–Y84`).

    Why: since 2015 the voluntary 5th character gives the infarction type; type 4a already says
    that the infarction is a complication of the PCI, so no T-code for the complication and no
    Y-code for its cause are needed (Kodeveiledning 2018 §11.3 p. 90). Other complications of
    the PCI (stent infection, mechanical complication) still take the code for the complication
    itself with `T82.x` and `Y83.1`/`Y84.0` (p. 90); a T-code that may describe such a condition
    (one in its own group from 2024; before, when the codes stood apart, one anywhere in the
    episode) is left alone, and the finding is a warning for a person to check what the
    remaining codes describe.
    """
    infarctions = [ref for ref in view.condition_codes() if _is_pci_infarction(ref)]
    if not infarctions:
        return
    complications = [
        ref
        for ref in view.condition_codes()
        if is_icd10(ref)
        and F.in_range(ref.code, "T80", "T88")
        and not _describes_other_complication(view, ref)
    ]
    causes = [ref for ref in view.condition_codes() if is_cause_of_complication(ref)]
    if not complications or not causes:
        return
    extra = tuple(dict.fromkeys(ref.code for ref in (*complications, *causes)))
    for infarction in infarctions:
        yield Hit(
            f"{infarction.label()} sier allerede at infarktet er en komplikasjon til PCI "
            f"(type 4a); {_join(extra)} er da overflødige for infarktet.",
            (infarction.code, *extra),
            infarction.location,
            f"Fjern {_join(extra)}, med mindre de beskriver en annen komplikasjon enn "
            "infarktet (f.eks. T82.7 infeksjon med Y83.1)",
        )


# --- T27 -------------------------------------------------------------------------------------


def _has_infarction(view: EpisodeView, earlier: Episode) -> bool:
    """Whether an earlier episode's conditions hold an infarction (`I21.x` or `I22.x`)."""
    for group in earlier.conditions:
        for raw in group:
            facts = view.resolve(raw, earlier.rule_date)
            if is_icd10(facts) and facts.category in ("I21", "I22"):
                return True
    return False


def _moment(episode: Episode, *, end: bool) -> date | None:
    first, second = (
        (episode.discharge, episode.admission) if end else (episode.admission, episode.discharge)
    )
    chosen = first or second
    return chosen.date() if chosen else None


_I21_FOR_I22 = {"I22.0": "I21.0", "I22.1": "I21.1", "I22.8": "I21.2", "I22.9": "I21.9"}


@rule(
    "T27",
    "subsequent-infarction-without-recent-infarction",
    Severity.WARNING,
    title="I22 (påfølgende hjerteinfarkt) uten hjerteinfarkt de siste 28 dagene",
    source="Kodeveiledning 2018 §11.2 s. 90",
    years=(2010, None),
    triggers=F.INFARCTION,
    fixable=True,
)
def subsequent_infarction_without_recent_infarction(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `I22.x` (subsequent myocardial infarction) when neither this episode nor the
    patient's earlier episodes show an infarction (`I21.x`, or `I22.x`) in the 28 days before.
    Needs the patient's earlier episodes (`history`); without them the rule stays silent.

    Why: from 2010 `I22` is used only for a new infarction while the previous one still counts
    as acute, that is within 28 days of it; a later infarction is coded `I21` again
    (Kodeveiledning 2018 §11.2 p. 90). A previous `I22` counts as a previous infarction too.
    The onset dates are not in the episode data, so the window is measured generously: from the
    discharge of the earlier episode (the latest the earlier infarction can have happened) to
    the admission of this one; 28 days or less is within. An earlier episode with the
    infarction but no dates silences the rule.
    """
    history = view.history
    if history is None:
        return
    subsequent = [ref for ref in view.condition_codes() if is_icd10(ref) and ref.category == "I22"]
    if not subsequent:
        return
    if any(is_icd10(ref) and ref.category == "I21" for ref in view.condition_codes()):
        return
    start = _moment(view.episode, end=False)
    if start is None:
        return
    patient = view.episode.patient.id
    last_gap: int | None = None
    for earlier in history:
        if patient and earlier.patient.id and earlier.patient.id != patient:
            continue
        if not _has_infarction(view, earlier):
            continue
        began, ended = _moment(earlier, end=False), _moment(earlier, end=True)
        if began is None or ended is None:
            return  # an infarction of unknown date: cannot judge
        if began > start:
            continue  # not before this episode
        gap = (start - ended).days
        if gap <= ACUTE_INFARCTION_DAYS:
            return
        last_gap = gap if last_gap is None else min(last_gap, gap)
    before = (
        f"; forrige infarkt er registrert i en episode som sluttet {last_gap} dager før"
        if last_gap is not None
        else ""
    )
    for ref in subsequent:
        replacement = _I21_FOR_I22.get(ref.code[:5], "I21.x")
        if len(ref.code) == 6 and replacement != "I21.x":
            candidate = replacement + ref.code[5]
            if view.base.get(candidate, view.day) is not None:
                replacement = candidate
        yield Hit(
            f"{ref.label()} brukes bare når et nytt infarkt kommer innen {ACUTE_INFARCTION_DAYS} "
            f"dager etter et tidligere infarkt, men pasientens tidligere episoder viser ingen "
            f"I21/I22 de siste {ACUTE_INFARCTION_DAYS} dagene{before}.",
            (ref.code,),
            ref.location,
            f"Bruk {replacement} (akutt hjerteinfarkt) i stedet for {ref.code}, med mindre "
            "forrige infarkt er dokumentert innen 28 dager",
            fix=fixes.replace_code(view, ref, replacement) if replacement != "I21.x" else None,
        )


# --- T28 -------------------------------------------------------------------------------------

_DRUG_COMPLICATIONS = frozenset({"T88.6", "T88.7"})


@rule(
    "T28",
    "complication-without-cause-code",
    Severity.WARNING,
    title="Komplikasjonskode uten årsakskode (Y40–Y84)",
    source="Kodeveiledning 2018 §4.2 s. 31–33, §11.3 s. 90",
    triggers=F.COMPLICATION,
    pure=True,
    fixable=False,
)
def complication_without_cause_code(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a complication code (`E89`, `G97`, `H59`, `H95`, `I97`, `J95`, `K91`, `M96`,
    `N98`, `N99`, `T80–T88`) as the first code of a condition group while the episode has no
    cause code for complications of care: `Y40–Y59` / Norwegian `Y4n` (drugs in therapeutic
    use), `Y60–Y69` (misadventures), `Y70–Y82` (medical devices), `Y83`/`Y84` (procedures
    without misadventure), or `Y88` (sequelae of complications of care).

    Why: a complication of investigation or treatment is coded with the complication code
    first, codes that specify it after, and last a chapter XX cause code for the kind of event
    (Kodeveiledning 2018 §4.2 pp. 32–33, the catheter cystitis example `T83.5`, `N30.0`,
    `B96.2`, `Y84.6`); adverse drug effects take `Y4n` and the ATC code (§4.2 pp. 31, 33).
    §11.3 p. 90 names the whole block `Y4n–Y84` as the cause codes for complications, so all
    of it counts, plus `Y88` for late effects. The cause may be registered standalone (2016–2022)
    or in the group (2023 on); anywhere in the episode is accepted.
    """
    if any(is_cause_of_complication(ref) for ref in view.condition_codes()):
        return
    for group in view.conditions:
        if not group:
            continue
        first = group[0]
        if not is_icd10(first) or not first.flags & F.COMPLICATION:
            continue
        if first.code[:5] in _DRUG_COMPLICATIONS:
            suggestion = (
                "Legg til Y4n (legemiddel i terapeutisk dose som årsak) og ATC-koden for legemidlet"
            )
        else:
            suggestion = (
                "Legg til årsakskode: Y83.x (kirurgisk prosedyre), Y84.x (annen medisinsk "
                "prosedyre, f.eks. Y84.6 blærekateterisering), Y60–Y69 ved uhell under "
                "prosedyren, eller Y4n ved legemiddelbivirkning"
            )
        yield Hit(
            f"Komplikasjonskoden {first.label()} står uten årsakskode fra kapittel XX "
            "(Y40–Y84) som angir hva slags hendelse som førte til komplikasjonen.",
            (first.code,),
            first.location,
            suggestion,
        )
