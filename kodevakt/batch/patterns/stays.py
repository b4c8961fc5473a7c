"""Stays that the settlement committee looks at: split stays (M01), transfers (M02) and short
elective stays in groups normally treated as day care (M03)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from kodevakt.batch.patterns.common import (
    duration,
    episodes_location,
    moment,
    pct,
    same_institution,
)
from kodevakt.batch.patterns.registry import Scope, pattern_rule
from kodevakt.batch.view import BatchView, PatternHit, tally
from kodevakt.episodes.model import CareLevel, Episode, Urgency
from kodevakt.rules.finding import Hit, Severity

SPLIT_WINDOW = timedelta(hours=24)
# DRG 470 (not groupable) says nothing about two stays being alike (kodevakt.drg.grouper).
_NO_DRG = frozenset({"470"})


def _related(batch: BatchView, earlier: Episode, later: Episode) -> tuple[str, tuple[str, ...]]:
    """Why two stays' main conditions are closely related ("" when they are not), and codes."""
    first, second = batch.main_code(earlier), batch.main_code(later)
    codes = tuple(c.code for c in (first, second) if c is not None)
    if first is not None and second is not None and first.category == second.category:
        return (
            f"samme hovedtilstandskategori {first.category} ({first.code} og {second.code})",
            codes,
        )
    drg_first, drg_second = batch.drg_of(earlier), batch.drg_of(later)
    if drg_first and drg_first == drg_second and drg_first not in _NO_DRG:
        return f"samme DRG {drg_first} ({' og '.join(codes) or 'uten hovedtilstand'})", codes
    return "", codes


@pattern_rule(
    "M01",
    "split-stay",
    Severity.WARNING,
    title="Mulig oppstykket opphold: ny innleggelse innen 24 timer med samme hovedtilstand",
    source="Foredrag (Avregningsutvalgets kontrolltemaer: unødig oppstykking av opphold)",
    fixable=False,
    scope=Scope.PATIENT,
)
def split_stay(batch: BatchView) -> Iterator[PatternHit]:
    """Checks: the same patient is admitted as an inpatient at the same institution again
    within 24 hours of being discharged, with the same or a closely related main condition:
    the same 3-character ICD-10 category, or the same DRG when DRG definition tables are given
    (DRG 470 does not count). The finding belongs to the later stay and names the earlier one.

    Why: one stay registered as two earns two DRG payments; the settlement committee
    (Avregningsutvalget) follows up unnecessary splitting of stays (the talk, "Unødig
    oppstykking av opphold"). Institutions and patients must be given; two episodes without an
    institution count as the same institution (a one-hospital extract).
    """
    for episodes in batch.by_patient.values():
        stays = [
            e
            for e in episodes
            if e.care_level is CareLevel.INPATIENT and e.admission and e.discharge
        ]
        for i, later in enumerate(stays):
            if not batch.is_current(later):
                continue
            for earlier in stays[:i]:
                if earlier.id == later.id or not same_institution(earlier, later):
                    continue
                assert earlier.discharge is not None and later.admission is not None
                gap = later.admission - earlier.discharge
                if not timedelta(0) <= gap <= SPLIT_WINDOW:
                    continue
                reason, codes = _related(batch, earlier, later)
                if not reason:
                    continue
                yield PatternHit(
                    later,
                    Hit(
                        f"Ny innleggelse ved samme institusjon {duration(gap)} etter utskrivning "
                        f"fra episode {earlier.id} ({moment(earlier.discharge)}), med {reason}. "
                        "Mulig oppstykking av ett opphold.",
                        codes=codes,
                        location=episodes_location([earlier]),
                        suggestion="Registrer ett sammenhengende opphold hvis pasienten ikke "
                        "egentlig var utskrevet",
                    ),
                )


_AFTERCARE = "Z42–Z48, Z50 eller Z51.5"


@pattern_rule(
    "M02",
    "transfer-pair",
    Severity.WARNING,
    title="Overføring: utskrevet og innlagt ved en annen institusjon samme dag",
    source="Foredrag (Avregningsutvalget: overføringer mellom institusjoner); "
    "Kodeveiledning 2018 §2.4 s. 15–16",
    fixable=False,
    scope=Scope.PATIENT,
)
def transfer_pair(batch: BatchView) -> Iterator[PatternHit]:
    """Checks: the same patient is discharged from one institution and admitted (inpatient or
    day care) at another institution the same day. The finding belongs to the receiving
    episode and names the sending one.

    Why: at a transfer, the receiving institution chooses its main condition by the usual
    rule (what its care was mainly for): after finished treatment of an acute condition that
    is usually an aftercare code, not the condition again (Kodeveiledning 2018 §2.4 p. 15–16).
    The settlement committee follows up transfers between institutions, where the same
    treatment can be counted twice (the talk).
    """
    for episodes in batch.by_patient.values():
        for i, later in enumerate(episodes):
            if (
                not batch.is_current(later)
                or later.admission is None
                or later.care_level is CareLevel.OUTPATIENT
                or not later.institution
            ):
                continue
            for earlier in episodes[:i]:
                if (
                    earlier.id == later.id
                    or earlier.discharge is None
                    or earlier.care_level is CareLevel.OUTPATIENT
                    or not earlier.institution
                    or earlier.institution == later.institution
                    or earlier.discharge.date() != later.admission.date()
                ):
                    continue
                yield PatternHit(later, _transfer_hit(batch, earlier, later))


def _transfer_hit(batch: BatchView, earlier: Episode, later: Episode) -> Hit:
    assert earlier.discharge is not None
    first, second = batch.main_code(earlier), batch.main_code(later)
    codes = tuple(c.code for c in (first, second) if c is not None)
    message = (
        f"Utskrevet fra {earlier.institution} {earlier.discharge:%Y-%m-%d} (episode {earlier.id}) "
        f"og innlagt ved {later.institution} samme dag. Ved overføring velges hovedtilstanden "
        "etter det oppholdet her hovedsakelig gjaldt (§2.4), og behandlingen må ikke telles "
        "to ganger."
    )
    suggestion = "Kontroller hovedtilstanden mot reglene for overføring (§2.4)"
    if first is not None and second is not None and first.category == second.category:
        message += f" Begge oppholdene har {first.category} som hovedtilstand."
        suggestion = (
            f"Hvis behandlingen av {second.code} ble avsluttet ved {earlier.institution}, "
            f"vurder etterbehandling ({_AFTERCARE}) som hovedtilstand"
        )
    if not later.transferred_from:
        message += " Overføringen er ikke registrert (overført fra mangler)."
    return Hit(message, codes=codes, location=episodes_location([earlier]), suggestion=suggestion)


DAY_CARE_MIN_EPISODES = 10
DAY_CARE_MIN_SHARE = 0.5
SHORT_STAY_NIGHTS = 1


def _care_group(batch: BatchView, episode: Episode) -> tuple[str, str] | None:
    """The group a stay is compared in: its main procedure, else its main condition."""
    procedure = batch.main_procedure(episode)
    if procedure:
        return ("procedure", procedure)
    main = batch.main_code(episode)
    return ("condition", main.code) if main is not None else None


DAY_CARE = "M03/day-care"
_ALL, _SAME_DAY = "all", "same-day"


@tally(DAY_CARE)
def _day_care(batch: BatchView, episode: Episode) -> Iterator[tuple[str, str, str]]:
    """M03's count per care group of non-acute episodes (`all`), and of those given as day
    care or outpatient contacts (`same-day`)."""
    if episode.urgency is Urgency.ACUTE:
        return
    group = _care_group(batch, episode)
    if group is None:
        return
    yield (_ALL, *group)
    if episode.care_level in (CareLevel.DAY, CareLevel.OUTPATIENT):
        yield (_SAME_DAY, *group)


def _nights(episode: Episode) -> int | None:
    if episode.admission is None or episode.discharge is None:
        return None
    return (episode.discharge.date() - episode.admission.date()).days


@pattern_rule(
    "M03",
    "short-stay-usually-day-care",
    Severity.INFO,
    title="Kort planlagt døgnopphold i en gruppe som vanligvis behandles som dagbehandling",
    source="Foredrag (Avregningsutvalget: unødvendig liggetid, overnatting i stedet for "
    "utskrivning samme dag)",
    fixable=False,
    scope=Scope.INSTITUTION,
)
def short_stay_usually_day_care(batch: BatchView) -> Iterator[PatternHit]:
    """Checks: an elective (not acute) inpatient stay of one night or less whose group is
    normally treated as day care in the batch. The group is the main procedure (first
    procedure code), else the main condition's code; a group is "normally day care" when at
    least 10 non-acute episodes in the batch have it and at least half of them are day care
    or outpatient contacts.

    Why: the settlement committee follows up unnecessary overnight stays, where patients stay
    the night instead of being discharged the same day (the talk); an inpatient stay earns
    more than day care for the same treatment.
    """
    counts = batch.count(DAY_CARE)
    for episode in batch.episodes:
        if episode.urgency is Urgency.ACUTE or episode.care_level is not CareLevel.INPATIENT:
            continue
        group = _care_group(batch, episode)
        if group is None:
            continue
        nights = _nights(episode)
        if nights is None or not 0 <= nights <= SHORT_STAY_NIGHTS:
            continue
        count, same_day = counts[(_ALL, *group)], counts[(_SAME_DAY, *group)]
        share = same_day / count
        if count < DAY_CARE_MIN_EPISODES or share < DAY_CARE_MIN_SHARE:
            continue
        what, code = group
        noun = "hovedprosedyre" if what == "procedure" else "hovedtilstand"
        stay = "uten overnatting" if nights == 0 else "med én overnatting"
        yield PatternHit(
            episode,
            Hit(
                f"Planlagt døgnopphold {stay} ({noun} {code}); i partiet ble "
                f"{same_day} av {count} planlagte episoder med samme {noun} gitt som "
                f"dagbehandling eller poliklinisk ({pct(share)}). Mulig unødvendig overnatting.",
                codes=(code,),
                location=f"group[{what}={code}]",
                suggestion="Registrer dagbehandling hvis pasienten kunne reist hjem samme dag; "
                "ellers skal journalen vise hvorfor overnatting var nødvendig",
            ),
        )
