"""Several outpatient contacts for one patient at one institution on one day (M06)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kodevakt.batch.patterns.common import episodes_location, ids
from kodevakt.batch.patterns.registry import Scope, pattern_rule
from kodevakt.batch.view import BatchView, PatternHit
from kodevakt.episodes.model import CareLevel, Episode
from kodevakt.rules.finding import Hit, Severity


def _distinct(contacts: list[Episode]) -> list[Episode]:
    """The contacts with a repeated episode id (E05) left out."""
    seen: set[str] = set()
    result = []
    for contact in contacts:
        if contact.id not in seen:
            seen.add(contact.id)
            result.append(contact)
    return result


@pattern_rule(
    "M06",
    "several-outpatient-contacts-same-day",
    Severity.WARNING,
    title="Flere polikliniske kontakter for samme pasient ved samme institusjon samme dag",
    source="Avregningsutvalgets årsrapporter (tema flere polikliniske kontakter samme dag; "
    "2021: −2,0 mill. kr)",
    fixable=False,
    scope=Scope.PATIENT,
)
def several_outpatient_contacts_same_day(batch: BatchView) -> Iterator[PatternHit]:
    """Checks: two or more outpatient contacts for the same patient at the same institution
    on the same day (any department). Every contact after the first of the day gets a finding
    that names the others; two contacts without an institution count as the same institution.

    Why: the settlement committee (Avregningsutvalget) counts only the highest-weighted contact
    of such a day and claws back the rest (2021: −2.0 MNOK for this theme); contacts that were
    one visit must be registered as one.
    """
    for episodes in batch.by_patient.values():
        days: dict[tuple[str | None, date], list[Episode]] = {}
        for episode in episodes:
            if episode.care_level is CareLevel.OUTPATIENT and episode.admission is not None:
                key = (episode.institution or None, episode.admission.date())
                days.setdefault(key, []).append(episode)
        for (institution, day), contacts in days.items():
            unique = _distinct(contacts)
            if len(unique) < 2:
                continue
            departments = sorted({c.department for c in unique if c.department})
            where = institution or "samme institusjon"
            if len(departments) > 1:
                where += f" (avdeling {', '.join(departments)})"
            for contact in unique[1:]:
                if not batch.is_current(contact):
                    continue
                others = [c for c in unique if c is not contact]
                yield PatternHit(
                    contact,
                    Hit(
                        f"{len(unique)} polikliniske kontakter for samme pasient ved {where} "
                        f"{day:%Y-%m-%d}; de andre er {ids(others)}. Avregningsutvalget teller "
                        "bare den høyest vektede kontakten den dagen.",
                        location=episodes_location(others),
                        suggestion="Slå sammen til én kontakt hvis det var ett besøk",
                    ),
                )
