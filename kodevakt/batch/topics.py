"""Feedback for learning: every rule under a topic of the coding guide, and a unit's error
profile by topic.

A coding lead plans teaching by topic (main condition, dagger and asterisk, sepsis, cancer,
diabetes, pregnancy, procedures …), not by rule code. Each topic names the sections of the
Norwegian coding guide (Kodeveiledningen) that teach it, so a profile can send the clinic
to the right pages. Every rule of the catalogue belongs to exactly one topic (a test holds
the table to that).

The profile counts, per department and topic, the episodes with at least one finding of the
topic's rules. Findings a coder accepted (the coding was right after all) are left out;
fixed ones stay in, since an error corrected later was still made. A department whose share
lies above the 95 % (or 99.8 %) funnel limit around the share of all departments together
has more of that error than chance explains, and is marked (`batch.funnel`); a department
needs `MIN_DENOMINATOR` episodes to be judged, and `MIN_FLAGGED` episodes with the error to
be marked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kodevakt.batch.compare import MIN_DENOMINATOR
from kodevakt.batch.funnel import proportion_limits

MIN_FLAGGED = 3  # one or two episodes of a rare error are never "more than expected"


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    title: str
    guide: str  # the sections of the coding guide that teach it
    rules: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic(
        "hovedtilstand",
        "Hovedtilstand",
        "Kodeveiledning 2018 §2.2 (s. 12–13), §2.4 (s. 15–16), §4.3 (s. 37–40)",
        ("T01", "T04", "T05", "T11", "T12", "T13", "T24", "T32", "T34"),
    ),
    Topic(
        "sverd-stjerne",
        "Sverd og stjerne",
        "Kodeveiledning 2018 §4.2 (s. 29–30), §9.6 (s. 82)",
        ("T02", "T03"),
    ),
    Topic(
        "multippel-koding",
        "Multippel koding og tilleggskoder",
        "Kodeveiledning 2018 §4.2 (s. 29–35); regelendringene 2023/2024",
        ("T10", "T29", "T30"),
    ),
    Topic(
        "sepsis-infeksjon",
        "Sepsis, infeksjoner og mikrober",
        "Kodeveiledning 2018 §4.2 (s. 30–31), §12.2–12.3 (s. 95–96)",
        ("T17", "T18", "T19", "T20", "T21", "T36"),
    ),
    Topic(
        "kreft",
        "Kreft og svulster",
        "Kodeveiledning 2018 kap. 9 (§9.1–9.7, s. 75–83)",
        ("T22", "T23", "T25", "T33", "T35", "T39"),
    ),
    Topic("diabetes", "Diabetes", "Kodeveiledning 2018 §10.2 (s. 86–87)", ("T14",)),
    Topic(
        "svangerskap",
        "Svangerskap og fødsel",
        "Kodeveiledning 2018 §3.3 (s. 24), §4.2 (s. 34–35), kap. 16 (Z37)",
        ("T15", "T16"),
    ),
    Topic(
        "hjerte",
        "Hjerteinfarkt",
        "Kodeveiledning 2018 §11.2–11.3 (s. 88–90)",
        ("T26", "T27", "T37", "T38"),
    ),
    Topic(
        "komplikasjoner",
        "Komplikasjoner og ytre årsak",
        "Kodeveiledning 2018 §4.2 (s. 31–33), §11.3 (s. 90)",
        ("T28",),
    ),
    Topic(
        "pasient",
        "Kjønn, alder og perinatale koder",
        "Kodeveiledning 2018 §3.3 (s. 24–25), §4.3 (s. 39), §7.2 (s. 53)",
        ("T07", "T08", "T09", "E02", "E03"),
    ),
    Topic("rehabilitering", "Rehabilitering", "Kodeveiledning 2018 §6.7 (s. 50–51)", ("T31",)),
    Topic(
        "kodeverk",
        "Gyldige koder og kodeverk",
        "Kodeveiledning 2018 §1.2, §3.2 (s. 21), §4.1, §5.4 (s. 42), §11.2 (s. 89)",
        ("K01", "K02", "K03", "K04", "K05", "K06", "K07", "T06"),
    ),
    Topic(
        "prosedyrer",
        "Prosedyrer",
        "Kodeveiledning 2018 kap. 5–8 (§5.6 s. 43, §6.5 s. 47, §7.2–7.3 s. 53–58, §8.3–8.4 "
        "s. 64–68)",
        ("P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08", "P09", "P10", "P11"),
    ),
    Topic(
        "episodedata",
        "Datoer, omsorgsnivå og episodedata",
        "NPR: krav til episodedata; Kodeveiledning 2018 §2.4 (s. 15–16)",
        ("E01", "E04", "E05"),
    ),
    Topic(
        "dokumentasjon",
        "Dokumentasjon i epikrisen",
        "Kodeveiledning 2018 §2.1–2.2 (s. 11–13), §5.4 (s. 42), §9.7 (s. 83)",
        ("D01", "D02", "D03", "D04", "D05", "D06", "D07"),
    ),
    Topic(
        "opphold",
        "Opphold, overføringer og kodepraksis",
        "Avregningsutvalgets kontrolltemaer og årsrapporter; Kodeveiledning 2018 §2.4",
        ("M01", "M02", "M03", "M04", "M05", "M06", "M07"),
    ),
)
TOPIC_OF_RULE: dict[str, Topic] = {rule: topic for topic in TOPICS for rule in topic.rules}


def topic_of(rule: str) -> Topic | None:
    """The topic of a rule code (None for a code no topic lists)."""
    return TOPIC_OF_RULE.get(rule)


@dataclass(frozen=True, slots=True)
class TopicCell:
    """One department's episodes with a finding of one topic, and how that compares."""

    episodes: int
    share: float
    outside: str = ""  # "", "95" or "99.8": above the limit around all departments' share


@dataclass(frozen=True, slots=True)
class UnitProfile:
    unit: str
    episodes: int
    cells: dict[str, TopicCell]  # by topic key; topics without findings left out

    @property
    def judged(self) -> bool:
        return self.episodes >= MIN_DENOMINATOR


@dataclass(frozen=True, slots=True)
class LearningProfile:
    """The error profile of a period's departments by topic."""

    topics: tuple[Topic, ...]  # those with findings, in `TOPICS` order
    totals: dict[str, TopicCell]  # all departments together
    units: tuple[UnitProfile, ...]  # largest first
    episodes: int


@dataclass(slots=True)
class ProfileCounter:
    """Collects findings (unit, episode, rule) and makes the profile."""

    places: dict[tuple[str, str], set[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(set)
    )

    def add(self, unit: str, place: tuple[str, str], rule: str) -> None:
        topic = topic_of(rule)
        if topic is not None:
            self.places[(unit, topic.key)].add(place)

    def profile(self, episodes: Mapping[str, int]) -> LearningProfile:
        """The profile, given the episodes of each unit in the period."""
        whole = sum(episodes.values())
        shown = tuple(t for t in TOPICS if any(key == t.key for _, key in self.places))
        totals = {}
        for topic in shown:
            count = sum(len(p) for (_, key), p in self.places.items() if key == topic.key)
            totals[topic.key] = TopicCell(count, count / whole if whole else 0.0)
        units = []
        for unit, size in sorted(episodes.items(), key=lambda item: (-item[1], item[0])):
            cells = {}
            for topic in shown:
                count = len(self.places.get((unit, topic.key), ()))
                if not count or not size:
                    continue
                share = count / size
                outside = ""
                if size >= MIN_DENOMINATOR and count >= MIN_FLAGGED:
                    limits = proportion_limits(totals[topic.key].share, size)
                    if share > limits.upper998:
                        outside = "99.8"
                    elif share > limits.upper95:
                        outside = "95"
                cells[topic.key] = TopicCell(count, share, outside)
            units.append(UnitProfile(unit, size, cells))
        return LearningProfile(shown, totals, tuple(units), whole)


def profile_of(
    findings: Iterable[tuple[str, tuple[str, str], str]], episodes: Mapping[str, int]
) -> LearningProfile:
    """The profile of (unit, place, rule) findings over units with `episodes` each."""
    counter = ProfileCounter()
    for unit, place, rule in findings:
        counter.add(unit, place, rule)
    return counter.profile(episodes)
