"""T rules for dagger/asterisk (sverd/stjerne) pairs: T02 and T03.

An asterisk code names a manifestation of a disease coded by the dagger code before it in the
same condition group (Kodeveiledning 2018 §4.2 pp. 29–30). Asterisk codes are recognised by
the code feature `ASTERISK`, filled from the code list's `Stjernekode` column or the curated
attribute table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import describes_condition, is_icd10, matches


def _is_asterisk(ref: CodeRef) -> bool:
    return bool(ref.flags & F.ASTERISK)


def _dagger_before(group: list[CodeRef], asterisk: CodeRef) -> list[CodeRef]:
    """Codes before `asterisk` in its group that can be its dagger (a code that describes a
    condition by itself: not another asterisk, not an additional-only code)."""
    return [ref for ref in group[: asterisk.position] if describes_condition(ref)]


@dataclass(frozen=True, slots=True)
class DaggerRange:
    """Where the dagger of an asterisk code must come from, and why.

    `daggers` are the ranges the dagger must lie in (empty: any disease may be the dagger).
    `diabetes` is the fourth character a diabetes dagger (`E10`–`E14`) must have for this
    manifestation, when it has one: the diabetes codes name the kind of complication in their
    fourth character (Kodeveiledning 2018 §10.1 p. 84), so `E11.9` (without complications)
    before `H36.0*` contradicts the retinopathy that `E11.3` names (§4.2 p. 30).
    """

    asterisk: str
    daggers: tuple[str, ...]
    what: str
    source: str
    diabetes: str = ""


_DIABETES = ("E10-E14",)
_DIABETES_SOURCE = (
    "Kodeveiledning 2018 §4.2 s. 30 (E10.3 som sverdkode for H36.0*), §10.1 s. 84 (fjerde "
    "tegn angir komplikasjonen); WHO ICD-10 2019 bd. 1, E10–E14 fjerde tegn"
)
#: What each fourth character of E10–E14 names, for messages (WHO ICD-10 2019, E10–E14).
DIABETES_COMPLICATION = {
    "2": "nyrekomplikasjoner",
    "3": "øyekomplikasjoner",
    "4": "nevrologiske komplikasjoner",
    "5": "perifere sirkulasjonsforstyrrelser",
    "6": "andre spesifiserte komplikasjoner",
}

#: Asterisk codes whose dagger must be a particular disease. Only what the sources support.
DAGGER_RANGES: tuple[DaggerRange, ...] = (
    DaggerRange(
        "D63.0",
        ("C00-D48",),
        "en svulstkode (C00–D48)",
        "Kodeveiledning 2018 §9.6 s. 82: D63.0* med kreftsykdommen som sverdkode",
    ),
    DaggerRange(
        "M49.5",
        ("C00-D48",),
        "en svulst- eller metastasekode (C00–D48)",
        "Kodeveiledning 2018 kap. 9 s. 83 (patologisk fraktur ved kreft): svulst først, så M49.5*",
    ),
    DaggerRange(
        "M90.7",
        ("C00-D48",),
        "en svulst- eller metastasekode (C00–D48)",
        "Kodeveiledning 2018 kap. 9 s. 83 (patologisk fraktur ved kreft); kodeteksten nevner "
        "C00–D48",
    ),
    # Diabetic manifestations: the diabetes code for that complication (E1x.2–E1x.6).
    DaggerRange(
        "H36.0",
        _DIABETES,
        "en diabeteskode med øyekomplikasjoner (E10.3–E14.3)",
        _DIABETES_SOURCE,
        "3",
    ),
    DaggerRange(
        "H28.0",
        _DIABETES,
        "en diabeteskode med øyekomplikasjoner (E10.3–E14.3)",
        _DIABETES_SOURCE,
        "3",
    ),
    DaggerRange(
        "N08.3",
        _DIABETES,
        "en diabeteskode med nyrekomplikasjoner (E10.2–E14.2)",
        _DIABETES_SOURCE,
        "2",
    ),
    DaggerRange(
        "G59.0",
        _DIABETES,
        "en diabeteskode med nevrologiske komplikasjoner (E10.4–E14.4)",
        _DIABETES_SOURCE,
        "4",
    ),
    DaggerRange(
        "G63.2",
        _DIABETES,
        "en diabeteskode med nevrologiske komplikasjoner (E10.4–E14.4)",
        _DIABETES_SOURCE,
        "4",
    ),
    DaggerRange(
        "M14.2",
        _DIABETES,
        "en diabeteskode med andre spesifiserte komplikasjoner (E10.6–E14.6)",
        _DIABETES_SOURCE,
        "6",
    ),
    # Manifestations of several diseases: a diabetes dagger must still name the complication.
    DaggerRange(
        "G99.0",
        ("E00-E90",),
        "en kode for den endokrine eller metabolske sykdommen (E00–E90; ved diabetes E10.4–E14.4)",
        _DIABETES_SOURCE,
        "4",
    ),
    DaggerRange(
        "G73.0",
        ("E00-E90",),
        "en kode for den endokrine sykdommen (E00–E90; ved diabetes E10.4–E14.4)",
        _DIABETES_SOURCE,
        "4",
    ),
    DaggerRange(
        "I79.2",
        (),
        "sverdkoden for grunnsykdommen (ved diabetes E10.5–E14.5)",
        _DIABETES_SOURCE,
        "5",
    ),
    DaggerRange(
        "M14.6",
        (),
        "sverdkoden for grunnsykdommen (ved diabetes E10.6–E14.6)",
        _DIABETES_SOURCE,
        "6",
    ),
    DaggerRange(
        "M07.4",
        ("K50",),
        "en kode for Crohns sykdom (K50)",
        "Kodeveiledning 2018 §4.1 s. 28: K50 først, M07.4* etter",
    ),
    DaggerRange(
        "M07.5",
        ("K51",),
        "en kode for ulcerøs kolitt (K51)",
        "kodeteksten (leddlidelse ved ulcerøs kolitt); WHO ICD-10 2019 bd. 1 (K51.-†)",
    ),
    DaggerRange(
        "I32.0",
        ("A00-B99",),
        "en kode for bakteriesykdommen (kapittel I, f.eks. A39.5)",
        "Kodeveiledning 2018 §4.2 s. 30: A39.5 som sverdkode for I32.0*",
    ),
    DaggerRange(
        "K77.0",
        ("A00-B99",),
        "en kode for infeksjonssykdommen (kapittel I, f.eks. B25.1)",
        "Kodeveiledning 2018 §4.2 s. 30: B25.1 som sverdkode for K77.0*",
    ),
)


def dagger_range(ref: CodeRef) -> DaggerRange | None:
    """The table entry for an asterisk code, if it has one."""
    for entry in DAGGER_RANGES:
        if ref.code.startswith(entry.asterisk):
            return entry
    return None


def _is_diabetes(ref: CodeRef) -> bool:
    return is_icd10(ref) and bool(ref.flags & F.DIABETES)


def fits(entry: DaggerRange, dagger: CodeRef) -> bool:
    """Whether `dagger` is the disease `entry` asks for, down to the diabetes complication."""
    if entry.daggers and not matches(dagger, entry.daggers):
        return False
    return not (entry.diabetes and _is_diabetes(dagger) and dagger.code[4:5] != entry.diabetes)


def _with_complication(diabetes: str, char: str) -> str:
    """The diabetes code of the same type for the complication `char` (`E11.9` → `E11.3`)."""
    return f"{diabetes[:4]}{char}"


def _fitting_elsewhere(view: EpisodeView, asterisk: CodeRef) -> CodeRef | None:
    """A code elsewhere in the episode that could be this asterisk's dagger."""
    entry = dagger_range(asterisk)
    candidates = [
        ref
        for ref in view.condition_codes()
        if ref is not asterisk and describes_condition(ref) and ref.group != asterisk.group
    ]
    if entry is not None:
        candidates = [ref for ref in candidates if fits(entry, ref)]
        if not entry.daggers:  # any disease may be the dagger: only a flagged one is certain
            candidates = [ref for ref in candidates if ref.flags & F.DAGGER]
    else:
        candidates = [ref for ref in candidates if ref.flags & F.DAGGER]
    return candidates[0] if candidates else None


def _diabetes_elsewhere(view: EpisodeView, asterisk: CodeRef) -> CodeRef | None:
    """A diabetes code elsewhere whose type a diabetic manifestation's dagger can take."""
    return next(
        (
            ref
            for ref in view.condition_codes()
            if ref.group != asterisk.group and ref.position == 0 and _is_diabetes(ref)
        ),
        None,
    )


def _asterisks_of(group: list[CodeRef], dagger: CodeRef) -> list[CodeRef]:
    """The asterisk codes after `dagger` in its group."""
    return [ref for ref in group[dagger.position + 1 :] if _is_asterisk(ref)]


def _recoded_pair(
    view: EpisodeView, asterisk: CodeRef, diabetes: CodeRef, char: str
) -> tuple[Fix, str]:
    """The asterisk with a diabetes dagger for its complication, of `diabetes`'s type.

    `diabetes`'s own code is changed when no other asterisk depends on its fourth character
    (`E11.9; H36.0` → `E11.3+H36.0`); otherwise the asterisk gets a diabetes code of its own,
    as the rulebook codes several complications each for itself (§10.1 p. 84:
    `E11.4+G63.2+H36.0` → `E11.4+G63.2; E11.3+H36.0`).
    """
    code = _with_complication(diabetes.code, char)
    found = fixes.cells(view)
    group = view.conditions[diabetes.group]
    others = [
        ref
        for ref in _asterisks_of(group, diabetes)
        if ref is not asterisk and (e := dagger_range(ref)) is not None and e.diabetes != char
    ]
    found[asterisk.group][asterisk.position] = None
    if not others:
        found[diabetes.group][diabetes.position] = code
        at = diabetes.position + 1
        found[diabetes.group].insert(at, asterisk.facts.raw)
    else:
        found.append([code, asterisk.facts.raw])
    return fixes.from_cells(found), f"{code}+{asterisk.code}"


# --- T02 -------------------------------------------------------------------------------------


@rule(
    "T02",
    "asterisk-without-dagger",
    Severity.ERROR,
    title="Stjernekode uten sverdkode foran seg i samme gruppe",
    source="Kodeveiledning 2018 §4.2 s. 29–30",
    triggers=F.ASTERISK,
    pure=True,
    fixable=True,
)
def asterisk_without_dagger(view: EpisodeView) -> Iterator[Hit]:
    """Checks: every asterisk code (`H36.0`, `D63.0`, `M07.4`, `G01` …) stands after a dagger
    code in its own condition group: not first in the group, not alone as its own condition.

    Why: an asterisk code names where or how a disease shows itself and must always be
    preceded by the dagger code for the disease (Kodeveiledning 2018 §4.2 p. 30). Dagger and
    asterisk are one condition and were grouped even in 2016–2022, when other additional codes
    stood alone (§4.2 p. 29), so the rule holds in every year. Any code before the asterisk that
    can describe a condition counts as its dagger here (the code lists do not flag most
    daggers: neoplasms before `D63.0`, `K50` before `M07.4`); whether it is the right kind of
    dagger is T03's question. A microorganism, cause or other additional code is no dagger.
    The fix puts the asterisk after its dagger; for a diabetic manifestation whose only
    diabetes code names another complication (`E11.9; H36.0`), it gives the asterisk the
    diabetes code of the same type for its own complication (`E11.3+H36.0`, §10.1 p. 84), so
    that the fix does not leave a T03 finding behind.
    """
    for group in view.conditions:
        for ref in group:
            if not _is_asterisk(ref):
                continue
            if _dagger_before(group, ref):
                continue
            later = [other for other in group[ref.position + 1 :] if describes_condition(other)]
            fix: Fix | None = None
            if later:
                dagger = later[0].code
                message = (
                    f"Stjernekoden {ref.label()} står foran sverdkoden {dagger} i samme gruppe; "
                    "sverdkoden skal stå først."
                )
                suggestion = f"Bytt rekkefølge: {dagger}+{ref.code}"
                fix = fixes.move(view, later[0], ref, before=True)
                entry = dagger_range(ref)
                if (
                    entry is not None
                    and entry.diabetes
                    and _is_diabetes(later[0])
                    and not fits(entry, later[0])
                ):
                    fix, pair = _recoded_pair(view, ref, later[0], entry.diabetes)
                    suggestion = (
                        f"Bytt rekkefølge, med diabeteskoden for "
                        f"{DIABETES_COMPLICATION[entry.diabetes]}: {pair}"
                    )
            else:
                if len(group) == 1:
                    message = (
                        f"Stjernekoden {ref.label()} står alene som egen tilstand; den må stå "
                        "etter sverdkoden for grunnsykdommen i samme gruppe."
                    )
                else:
                    message = (
                        f"Stjernekoden {ref.label()} har ingen sverdkode foran seg i gruppen; "
                        "den må stå etter sverdkoden for grunnsykdommen."
                    )
                entry = dagger_range(ref)
                elsewhere = _fitting_elsewhere(view, ref)
                diabetes = _diabetes_elsewhere(view, ref) if entry and entry.diabetes else None
                if elsewhere is not None:
                    suggestion = (
                        f"Flytt {ref.code} inn i gruppen til {elsewhere.code}: "
                        f"{elsewhere.code}+{ref.code}"
                    )
                    fix = fixes.move(view, ref, elsewhere)
                elif entry is not None and diabetes is not None:
                    fix, pair = _recoded_pair(view, ref, diabetes, entry.diabetes)
                    suggestion = (
                        f"Sett diabeteskoden for {DIABETES_COMPLICATION[entry.diabetes]} foran "
                        f"{ref.code} i samme gruppe: {pair}"
                    )
                elif entry is not None:
                    suggestion = f"Sett {entry.what} foran {ref.code} i samme gruppe"
                else:
                    suggestion = (
                        f"Sett sverdkoden for grunnsykdommen foran {ref.code} i samme gruppe"
                    )
            yield Hit(message, (ref.code,), ref.location, suggestion, fix=fix)


# --- T03 -------------------------------------------------------------------------------------


@rule(
    "T03",
    "asterisk-dagger-mismatch",
    Severity.WARNING,
    title="Sverdkoden passer ikke til stjernekoden",
    source="Kodeveiledning 2018 §4.2 s. 30, §9.6 s. 82, kap. 9 s. 83, §10.1 s. 84",
    triggers=F.ASTERISK,
    pure=True,
    fixable=True,
)
def asterisk_dagger_mismatch(view: EpisodeView) -> Iterator[Hit]:
    """Checks: for asterisk codes whose dagger must be a particular disease, the dagger before
    it in the group is from that range: `D63.0` (anaemia in neoplastic disease), `M49.5` and
    `M90.7` (pathological fracture in cancer) after a neoplasm `C00–D48`; a diabetic
    manifestation after the diabetes code for that complication: `H36.0` (retinopathy) and
    `H28.0` (cataract) after `E10.3–E14.3`, `N08.3` after `E1x.2`, `G59.0` and `G63.2` after
    `E1x.4`, `M14.2` after `E1x.6`, and a diabetes dagger of `G99.0`, `G73.0`, `I79.2` or
    `M14.6` with `.4`, `.4`, `.5` or `.6`; `M07.4` after Crohn's disease `K50`; `M07.5` after
    ulcerative colitis `K51`; `I32.0` and `K77.0` after an infection from chapter I.

    Why: the asterisk names a manifestation *of* the dagger's disease (Kodeveiledning 2018 §4.2
    p. 30); `D63.0` goes with the cancer as dagger (§9.6 p. 82) and a pathological fracture in
    cancer is the tumour code followed by `M49.5`/`M90.7` (ch. 9 p. 83). For diabetes the pair
    is matched at the fourth character: the diabetes codes name the complication there
    (§10.1 p. 84), the rulebook's pair is `E10.3+H36.0*` (§4.2 p. 30), so `E11.9` (without
    complications) or `E11.4` before `H36.0*` says two different things, and `E11.7` (several
    complications) is not used where each complication can be coded for itself (§10.1
    p. 84). The fix recodes the diabetes dagger to the complication of the same type, or, when
    another manifestation depends on its fourth character, gives the asterisk a diabetes code
    of its own (`E11.4+G63.2+H36.0` → `E11.4+G63.2; E11.3+H36.0`). A dagger of another kind
    makes the pair say something else than the patient had. The table in this module holds
    only pairs the sources name; asterisk codes without an entry are not checked. An asterisk
    with no dagger at all is T02, not this rule.
    """
    for group in view.conditions:
        for ref in group:
            if not _is_asterisk(ref):
                continue
            entry = dagger_range(ref)
            if entry is None:
                continue
            daggers = _dagger_before(group, ref)
            if not daggers or any(fits(entry, d) for d in daggers):
                continue
            dagger = daggers[-1]
            diabetic = next((d for d in reversed(daggers) if _is_diabetes(d)), None)
            if entry.diabetes and diabetic is not None:
                dagger = diabetic
                fix, pair = _recoded_pair(view, ref, dagger, entry.diabetes)
                wanted = DIABETES_COMPLICATION[entry.diabetes]
                yield Hit(
                    f"Stjernekoden {ref.label()} står etter {dagger.label()}, men forutsetter "
                    f"diabeteskoden for {wanted} ({entry.what}).",
                    (dagger.code, ref.code),
                    ref.location,
                    f"Bruk diabeteskoden for {wanted} som sverdkode: {pair}",
                    fix=fix,
                )
                continue
            fitting = _fitting_elsewhere(view, ref)
            suggestion = (
                f"Sett {ref.code} etter {fitting.code} i stedet: {fitting.code}+{ref.code}"
                if fitting is not None
                else f"Sett {entry.what} foran {ref.code}, eller velg en annen kode for "
                "manifestasjonen"
            )
            yield Hit(
                f"Stjernekoden {ref.label()} står etter {dagger.label()}, men forutsetter "
                f"{entry.what} som sverdkode.",
                (dagger.code, ref.code),
                ref.location,
                suggestion,
                fix=fixes.move(view, ref, fitting) if fitting is not None else None,
            )
