"""K rules: code exists, is valid on the date, may be reported, and is written in standard form."""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.codes.codebase import Status
from kodevakt.codes.normalise import CodeKind
from kodevakt.codes.release import Family
from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import has_no_code_shape, is_icd10, is_known_icd10, is_procedure

_SYSTEM_NAME = {
    CodeKind.ICD10: "ICD-10 (norsk utgave)",
    CodeKind.PROCEDURE: "prosedyrekodeverkene (NCSP/NCMP/NCRP)",
    CodeKind.ATC: "ATC",
    CodeKind.SPECIAL: "særkodene",
}


def _children_hint(view: EpisodeView, ref: CodeRef, limit: int = 8) -> str | None:
    children = [c for c in view.children(ref.code) if c.reportable]
    if not children:
        return None
    shown = ", ".join(c.code for c in children[:limit])
    more = f" (og {len(children) - limit} til)" if len(children) > limit else ""
    return f"Velg en rapporterbar underkode: {shown}{more}"


@rule(
    "K01",
    "code-does-not-exist",
    Severity.ERROR,
    title="Koden finnes ikke i kodeverket",
    source="Kodeveiledning 2018 §1.2",
    triggers=F.NOT_OK | F.UNKNOWN_SHAPE,
    pure=True,
    fixable=False,
)
def code_does_not_exist(view: EpisodeView) -> Iterator[Hit]:
    """Checks: every code exists in its code system (ICD-10, NCSP, NCMP, NCRP, ATC, særkoder).

    Why: only codes from the valid code lists can be reported to NPR (Kodeveiledning 2018
    §1.2). A WHO code that the Norwegian edition leaves out (I25.0) is reported by T06 instead,
    which can name the Norwegian alternative; a well-formed procedure code that is missing
    from an incomplete loaded list is K06 (info), not an error.
    """
    for ref in view.all_codes():
        facts = ref.facts
        if has_no_code_shape(ref):
            yield Hit(
                f"«{facts.raw}» har ikke formen til noen kode i ICD-10, prosedyrekodeverkene "
                "eller ATC.",
                (facts.raw,),
                ref.location,
            )
        elif facts.status is Status.UNKNOWN:
            system = _SYSTEM_NAME.get(facts.kind, "kodeverket")
            parent = facts.code[:3] if is_icd10(ref) else None
            suggestion = _children_hint(view, ref) if parent is None else None
            if parent is not None:
                siblings = [c for c in view.children(parent) if c.reportable]
                if siblings:
                    suggestion = (
                        "Koder under " + parent + ": " + ", ".join(c.code for c in siblings[:8])
                    )
            yield Hit(
                f"{facts.code} finnes ikke i {system}.", (facts.code,), ref.location, suggestion
            )


@rule(
    "K02",
    "code-not-valid-on-date",
    Severity.ERROR,
    title="Koden er ikke gyldig på episodens dato",
    source="Kodeveiledning 2018 §5.4 s. 42",
    triggers=F.NOT_OK,
    fixable=False,
)
def code_not_valid_on_date(view: EpisodeView) -> Iterator[Hit]:
    """Checks: each code is valid (code list and NPR validity dates) on the episode's date.

    Why: an episode is coded with the codes valid when the care was given; codes change every
    1 January (Kodeveiledning 2018 §5.4 p. 42).
    """
    for ref in view.all_codes():
        info = ref.facts.info
        if ref.facts.status is Status.NOT_VALID and info is not None:
            span = (
                f"{info.valid_from or info.npr_from or '…'}–{info.valid_to or info.npr_to or '…'}"
            )
            when = view.day.isoformat() if view.day else "episodens dato"
            yield Hit(
                f"{ref.code} er ikke gyldig {when} (gyldig {span}).",
                (ref.code,),
                ref.location,
                "; ".join(info.notes) or None,
            )


@rule(
    "K03",
    "code-not-reportable",
    Severity.ERROR,
    title="Koden kan ikke rapporteres (overskrift eller ikke NPR-kode)",
    source="Kodeveiledning 2018 §3.2 s. 21, §10.1 s. 84",
    triggers=F.NOT_OK,
    pure=True,
    fixable=False,
)
def code_not_reportable(view: EpisodeView) -> Iterator[Hit]:
    """Checks: each code is a terminal code that NPR accepts, not a heading.

    Why: categories that are subdivided must be coded with their 4th (or 5th) character;
    diabetes E10–E14 always needs the 4th character (Kodeveiledning 2018 §3.2 p. 21, §10.1
    p. 84). Codes the list marks as not reported to NPR may not be registered.
    """
    for ref in view.all_codes():
        if ref.facts.status is Status.NOT_REPORTABLE:
            yield Hit(
                f"{ref.code} er en overskrift eller kode som ikke rapporteres; "
                "den må kodes mer spesifikt.",
                (ref.code,),
                ref.location,
                _children_hint(view, ref),
            )


@rule(
    "K04",
    "code-written-non-standard",
    Severity.WARNING,
    title="Koden er skrevet på en ikke-standard måte",
    source="Kodeveiledning 2018 §3.2",
    triggers=F.NONSTANDARD,
    pure=True,
    fixable=True,
)
def code_written_non_standard(view: EpisodeView) -> Iterator[Hit]:
    """Checks: codes are written in the list's form (a missing dot is NPR's own form and fine).

    Why: codes are registered exactly as the code list writes them (Kodeveiledning 2018 §3.2);
    spaces, commas or wrong case break matching in other systems. A dagger or asterisk mark
    only repeats what the code list says, so it is reported as info, not as a warning.
    """
    for ref in view.all_codes():
        changes = ref.facts.changes
        if not changes:
            continue
        marks_only = all("merke" in change for change in changes)
        yield Hit(
            f"«{ref.facts.raw}» er lest som {ref.code} ({'; '.join(changes)}).",
            (ref.code,),
            ref.location,
            f"Skriv {ref.code}",
            Severity.INFO if marks_only else None,
            fix=fixes.replace_written(view, ref.facts.raw, ref.code),
        )


@rule(
    "K05",
    "code-of-wrong-kind",
    Severity.ERROR,
    title="Kode av feil type på sin plass",
    source="Kodeveiledning 2018 §4.1",
    triggers=F.in_conditions(F.PROCEDURE) | F.in_procedures(F.ICD),
    pure=True,
    fixable=False,
)
def code_of_wrong_kind(view: EpisodeView) -> Iterator[Hit]:
    """Checks: conditions hold ICD-10 codes (with ATC or særkoder as additional codes) and
    procedures hold procedure codes (with ATC or særkoder for drugs).

    Why: conditions are coded with ICD-10 and procedures with NCSP/NCMP/NCRP (Kodeveiledning
    2018 §4.1); a code in the wrong list is lost for statistics and DRG grouping.
    """
    for ref in view.condition_codes():
        if is_procedure(ref):
            yield Hit(
                f"{ref.code} er en prosedyrekode, men står blant tilstandene.",
                (ref.code,),
                ref.location,
                f"Flytt {ref.code} til prosedyrene",
            )
    for ref in view.procedure_codes():
        if is_known_icd10(ref):
            yield Hit(
                f"{ref.code} er en ICD-10-kode, men står blant prosedyrene.",
                (ref.code,),
                ref.location,
                f"Flytt {ref.code} til tilstandene",
            )


@rule(
    "K06",
    "procedure-not-in-loaded-list",
    Severity.INFO,
    title="Prosedyrekoden finnes ikke i den innlastede (ufullstendige) listen",
    source="Kodeveiledning 2018 §5.1",
    triggers=F.in_procedures(F.UNLISTED),
    pure=True,
    fixable=False,
)
def procedure_not_in_loaded_list(view: EpisodeView) -> Iterator[Hit]:
    """Checks: well-formed procedure codes missing from a loaded list that is only a subset.

    Why: the embedded procedure codes are only those the rulebook names; without the official
    procedure list a missing code cannot be judged valid or invalid, so the user is told
    rather than warned (the official list is loaded with KODEVAKT_CODE_FILES).
    """
    missing = [
        ref for ref in view.procedure_codes() if ref.facts.status is Status.NOT_IN_LOADED_LIST
    ]
    if missing:
        codes = tuple(dict.fromkeys(ref.code for ref in missing))
        yield Hit(
            f"{', '.join(codes)} finnes ikke i den innlastede prosedyrekodelisten (bare et "
            "utvalg er innebygd) og er bare formkontrollert.",
            codes,
            missing[0].location,
            "Last inn den offisielle prosedyrekodelisten for året",
        )


@rule(
    "K07",
    "code-list-of-year-missing",
    Severity.INFO,
    title="Kodelisten for episodens år mangler; kodene er kontrollert mot nærmeste liste",
    source="Kodeveiledning 2018 §5.4 s. 42",
    triggers=F.YEAR_LIST_MISSING,
    pure=True,
    once=True,
    fixable=False,
)
def code_list_of_year_missing(view: EpisodeView) -> Iterator[Hit]:
    """Checks: an ICD-10 list of the episode's own year is loaded (the embedded lists cover the
    years of kodevakt's code history; an official list covers its year). When none is, the
    codes are checked against the nearest year's list with the changes the history knows,
    and a code that no list holds is not reported as unknown (K01): it may have been valid
    that year. Said once per run, on the first such episode, naming those codes.

    Why: an episode is coded with the code list valid when the care was given (Kodeveiledning
    2018 §5.4 p. 42); a code retired before the oldest list kodevakt has would otherwise get
    a false "does not exist", and the user should know which years were checked in full.
    """
    day = view.day
    if day is None or view.base.covers(Family.ICD10, day.year):
        return
    nearest = view.base.code_list(Family.ICD10, day)
    if nearest is None:
        return
    unchecked = tuple(
        dict.fromkeys(
            ref.code for ref in view.all_codes() if ref.facts.status is Status.NOT_COVERED
        )
    )
    year, used = day.year, nearest.release.year
    message = (
        f"kodevakt har ingen ICD-10-liste for {year}: episoder fra {year} er kontrollert mot "
        f"{used}-listen og de endringene kodehistorikken kjenner."
    )
    if unchecked:
        message += (
            f" {', '.join(unchecked)} finnes ikke i noen liste kodevakt har, og kan ha vært "
            f"gyldig i {year}; ikke kontrollert."
        )
    message += " (Sies én gang per kjøring.)"
    yield Hit(
        message,
        unchecked,
        "",
        f"Last inn den offisielle ICD-10-listen for {year} (KODEVAKT_CODE_FILES)",
    )
