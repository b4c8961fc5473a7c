"""E rules: is the episode itself consistent (dates, age, sex, care level, id)?"""

from __future__ import annotations

from collections.abc import Iterator

from kodevakt.episodes.model import CareLevel, Urgency
from kodevakt.episodes.values import UNKNOWN_SEX
from kodevakt.rules import code_facts as F
from kodevakt.rules.finding import Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import EpisodeView

MAX_AGE_YEARS = 125


@rule(
    "E01",
    "dates-missing-or-reversed",
    Severity.ERROR,
    title="Utskrivning før innskrivning, eller datoer mangler",
    source="NPR-rapportering (krav til episodedata)",
    triggers=F.EP_DATES_MISSING | F.EP_DATES_REVERSED,
    fixable=False,
)
def dates_missing_or_reversed(view: EpisodeView) -> Iterator[Hit]:
    """Checks: admission and discharge dates are present and in order.

    Why: NPR rejects episodes without dates or with discharge before admission; the date also
    decides which code lists and rules apply.
    """
    episode = view.episode
    if episode.admission is None or episode.discharge is None:
        missing = [
            name
            for name, value in (
                ("innskrivning", episode.admission),
                ("utskrivning", episode.discharge),
            )
            if value is None
        ]
        yield Hit(f"Episoden mangler dato for {' og '.join(missing)}.", location="episode")
    elif episode.discharge < episode.admission:
        yield Hit(
            f"Utskrivning ({episode.discharge:%Y-%m-%d %H:%M}) er før innskrivning "
            f"({episode.admission:%Y-%m-%d %H:%M}).",
            location="episode",
            suggestion="Rett datoene",
        )


@rule(
    "E02",
    "impossible-age",
    Severity.ERROR,
    title="Umulig alder (født etter innskrivning eller over 125 år)",
    source="NPR-rapportering (krav til episodedata)",
    triggers=F.EP_AGE_UNUSUAL,
    fixable=False,
)
def impossible_age(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the patient is born before admission and is at most 125 years old.

    Why: an impossible age points to a wrong birth date or admission date, and age-dependent
    rules (newborn, obstetric, perinatal codes) then judge wrongly.
    """
    days = view.age_days
    if days is None:
        return
    if days < 0:
        yield Hit("Pasienten er født etter innskrivningsdatoen.", location="patient")
    elif days > MAX_AGE_YEARS * 365 and (view.age_years or 0) > MAX_AGE_YEARS:
        yield Hit(
            f"Pasienten er {view.age_years} år ved innskrivning; det er ikke mulig.",
            location="patient",
        )


@rule(
    "E03",
    "sex-missing-or-invalid",
    Severity.ERROR,
    title="Kjønn mangler eller har ugyldig verdi",
    source="NPR-rapportering (krav til episodedata)",
    triggers=F.EP_SEX_NOT_GIVEN,
    fixable=False,
)
def sex_missing_or_invalid(view: EpisodeView) -> Iterator[Hit]:
    """Checks: the patient's sex is given as M/K (or NPR's 1/2, or 0/9 for unknown).

    Why: NPR requires sex; sex-restricted codes (T07, P08) cannot be checked without it.
    """
    patient = view.episode.patient
    if patient.sex is not None:
        return
    raw = patient.sex_raw
    if raw is None:
        yield Hit("Pasientens kjønn mangler.", location="patient.sex")
    elif raw.lower() not in UNKNOWN_SEX:
        yield Hit(
            f"Kjønn «{raw}» er ikke en gyldig verdi (M, K, 1, 2, 0 eller 9).",
            location="patient.sex",
        )


@rule(
    "E04",
    "care-level-does-not-fit-stay",
    Severity.WARNING,
    title="Omsorgsnivået passer ikke med oppholdets lengde",
    source="Foredrag (Avregningsutvalgets kontrolltemaer)",
    triggers=F.EP_DAY_CARE_OVERNIGHT | F.EP_INPATIENT_SAME_DAY,
    fixable=False,
)
def care_level_does_not_fit_stay(view: EpisodeView) -> Iterator[Hit]:
    """Checks: day care and outpatient contacts end on the day they start; an inpatient stay
    without a night is acute.

    Why: the settlement committee (Avregningsutvalget) controls stays registered at a care
    level that does not fit their length (the talk); a planned inpatient stay without a night
    is usually day care (see also M03).
    """
    episode = view.episode
    if episode.admission is None or episode.discharge is None:
        return
    nights = (episode.discharge.date() - episode.admission.date()).days
    if nights < 0:
        return
    level = episode.care_level
    if level in (CareLevel.DAY, CareLevel.OUTPATIENT) and nights > 0:
        name = "dagbehandling" if level is CareLevel.DAY else "poliklinisk kontakt"
        yield Hit(
            f"Registrert som {name}, men varer over {nights} natt{'er' if nights > 1 else ''}.",
            location="episode",
            suggestion="Vurder døgnopphold eller rett datoene",
        )
    elif level is CareLevel.INPATIENT and nights == 0 and episode.urgency is not Urgency.ACUTE:
        yield Hit(
            "Døgnopphold uten overnatting og uten øyeblikkelig hjelp.",
            location="episode",
            suggestion="Vurder om kontakten skulle vært dagbehandling",
        )


@rule(
    "E05",
    "duplicate-episode-id",
    Severity.ERROR,
    title="Episode-id brukt flere ganger i samme parti",
    source="NPR-rapportering (krav til episodedata)",
    triggers=F.EP_DUPLICATE_ID,
    fixable=False,
)
def duplicate_episode_id(view: EpisodeView) -> Iterator[Hit]:
    """Checks: each episode id occurs once in a batch.

    Why: NPR identifies episodes by id; a repeated id overwrites or double-counts activity.
    """
    if view.duplicate_id:
        yield Hit(f"Episode-id «{view.episode.id}» er brukt før i dette partiet.", location="id")
