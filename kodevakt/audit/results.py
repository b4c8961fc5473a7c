"""What a reviewed sample says about the whole period: the data of `kodevakt audit report`.

From one auditor's reviews (the primary auditor: the one who reviewed most episodes unless
named) it estimates for the period, weighing each episode by its stratum (`estimates`):

- the share of episodes with an error of each kind (`review.Reason`) and with any error;
- the share whose main condition is right, against a standard (95 % by default, as the NHS
  clinical coding audit sets for the primary diagnosis): met when the whole interval lies at
  or above it, not met when it lies below, otherwise not decided by this sample;
- with DRG tables, how many episodes the auditor's coding moves to another DRG and the sum
  of the weight changes (after minus before), for the period with intervals;
- with a second auditor, Cohen's kappa on their verdicts over the episodes both reviewed;
- kodevakt's own calibration: per rule family, of the episodes it flagged how many the
  auditor corrected (precision), and of those the auditor corrected how many it had flagged
  (recall).

Episodes that could not be assessed are left out of every estimate and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from kodevakt.audit.estimates import (
    Agreement,
    Interval,
    Observation,
    Rate,
    Total,
    agreement,
    rate,
    total,
)
from kodevakt.audit.review import Coding, Reason, Review, Verdict, error_kinds, main_right
from kodevakt.audit.samples import describe
from kodevakt.audit.worksheet import coded
from kodevakt.drg.grouper import Definitions, DrgTables
from kodevakt.drg.input import episode_input
from kodevakt.errors import KodevaktError
from kodevakt.report.effect import DrgSources
from kodevakt.rules.finding import Fix
from kodevakt.storage import Store
from kodevakt.storage import audits as stored
from kodevakt.storage.audits import SampleEpisode, StoredReview, StoredSample
from kodevakt.storage.content import episode_from_content

STANDARD = 0.95
FAMILIES = {
    "K": "Koder (K)",
    "T": "Tilstander (T)",
    "P": "Prosedyrer (P)",
    "E": "Episodedata (E)",
    "M": "Mønstre (M)",
}
ANY_RULE = ""  # the row for any finding at all
DRG_EXAMPLES = 20


class ReportError(KodevaktError):
    """The report cannot be made (no reviews, unknown auditor)."""


@dataclass(frozen=True, slots=True)
class KindRate:
    kind: Reason | None  # None: any error
    label: str
    rate: Rate


@dataclass(frozen=True, slots=True)
class Standard:
    """The share with the main condition right, against the standard."""

    rate: Rate
    standard: float

    @property
    def verdict(self) -> str:
        """`met`, `not-met` or `undecided` (the interval holds the standard)."""
        if self.rate.low is None or self.rate.high is None:
            return "undecided"
        if self.rate.low >= self.standard:
            return "met"
        if self.rate.high < self.standard:
            return "not-met"
        return "undecided"


@dataclass(frozen=True, slots=True)
class DrgMove:
    """One reviewed episode whose DRG the auditor's coding changes."""

    position: int
    episode_id: str
    department: str
    year: int
    drg_before: str
    drg_after: str
    weight_before: float | None
    weight_after: float | None

    @property
    def weight_change(self) -> float | None:
        if self.weight_before is None or self.weight_after is None:
            return None
        return round(self.weight_after - self.weight_before, 6)


@dataclass(frozen=True, slots=True)
class DrgEstimate:
    """The DRG changes of the auditor's coding, for the sample and the period."""

    available: bool
    problem: str = ""
    grouped: int = 0
    not_grouped: int = 0
    changed: Rate | None = None  # share of episodes with another DRG
    changed_total: Total | None = None  # episodes with another DRG in the period
    weight: Total | None = None  # sum of weight changes in the period (DRG points)
    weight_in_sample: float | None = None
    moves: tuple[DrgMove, ...] = ()


@dataclass(frozen=True, slots=True)
class AgreementRow:
    label: str
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class Calibration:
    """How kodevakt's findings of one rule family predicted the auditor's corrections."""

    family: str
    label: str
    flagged: int  # reviewed episodes with a finding of the family
    true_positive: int
    precision: Rate
    recall: Rate


@dataclass(frozen=True, slots=True)
class StratumRow:
    stratum: str
    population: int
    drawn: int
    reviewed: int
    with_errors: int


@dataclass(frozen=True, slots=True)
class AuditResults:
    sample: StoredSample
    design: str
    auditor: str
    auditors: tuple[tuple[str, int], ...]  # every auditor and how many episodes they reviewed
    method: Interval
    reviewed: int
    not_assessable: int
    not_reviewed: int
    kinds: tuple[KindRate, ...]
    main: Standard
    drg: DrgEstimate
    second: str | None = None
    agreements: tuple[AgreementRow, ...] = ()
    calibration: tuple[Calibration, ...] = ()
    strata: tuple[StratumRow, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def audit_results(
    store: Store,
    sample_id: int,
    *,
    auditor: str | None = None,
    standard: float = STANDARD,
    method: Interval = Interval.WILSON,
    drg: DrgSources | None = None,
) -> AuditResults:
    """The report's data for stored sample `sample_id`."""
    if not 0 < standard < 1:
        raise ReportError("standarden må være en andel mellom 0 og 1, f.eks. 0,95")
    sample = stored.get_sample(store.engine, sample_id)
    episodes = stored.sample_episodes(store.engine, sample_id)
    all_reviews = stored.reviews(store.engine, sample_id)
    counts = Counter(r.auditor for r in all_reviews)
    if not counts:
        raise ReportError(
            f"utvalg {sample_id} har ingen vurderinger ennå; les inn et utfylt arbeidsark med "
            "kodevakt audit import"
        )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if auditor is None:
        auditor = ranked[0][0]
    elif auditor not in counts:
        names = ", ".join(name for name, _ in ranked)
        raise ReportError(f"revisoren «{auditor}» har ingen vurderinger i utvalget ({names})")
    others = [name for name, _ in ranked if name != auditor]
    second = others[0] if others else None
    by_position = {e.position: e for e in episodes}
    mine = {r.position: _review(r) for r in all_reviews if r.auditor == auditor}
    assessed = {p: r for p, r in mine.items() if r.verdict is not Verdict.NOT_ASSESSABLE}
    codings = {p: coded(by_position[p]) for p in assessed}
    kinds = {p: error_kinds(r, codings[p]) for p, r in assessed.items()}
    populations = sample.populations

    def observations(
        value: dict[int, float], x: dict[int, float] | None = None
    ) -> list[Observation]:
        return [
            Observation(by_position[p].stratum, value[p], 1.0 if x is None else x[p])
            for p in sorted(assessed)
        ]

    rows = [
        KindRate(
            None,
            "Minst én feil",
            rate(observations({p: float(bool(k)) for p, k in kinds.items()}), populations, method),
        )
    ]
    for reason in Reason:
        flags = {p: float(reason in k) for p, k in kinds.items()}
        rows.append(
            KindRate(reason, reason.norwegian, rate(observations(flags), populations, method))
        )
    right = {p: float(main_right(r, codings[p])) for p, r in assessed.items()}
    main = Standard(rate(observations(right), populations, method), standard)
    notes = []
    not_assessable = len(mine) - len(assessed)
    if not_assessable:
        what = "episode" if not_assessable == 1 else "episoder"
        notes.append(
            f"{not_assessable} {what} kunne ikke vurderes og er holdt utenfor anslagene; "
            "de andre episodene i samme stratum står for dem."
        )
    single = [
        name
        for name, n in sample.drawn.items()
        if n and _reviewed_in(name, assessed, by_position) == 1
    ]
    if single:
        notes.append(
            "Strata med bare én vurdert episode bidrar ikke til usikkerheten (den kan ikke "
            "anslås av én verdi): " + ", ".join(single) + "."
        )
    return AuditResults(
        sample=sample,
        design=describe(sample),
        auditor=auditor,
        auditors=tuple(ranked),
        method=method,
        reviewed=len(assessed),
        not_assessable=not_assessable,
        not_reviewed=len(episodes) - len(mine),
        kinds=tuple(rows),
        main=main,
        drg=_drg(sample, episodes, assessed, drg, method),
        second=second,
        agreements=_agreements(all_reviews, auditor, second, by_position),
        calibration=_calibration(episodes, assessed, kinds, populations, method),
        strata=tuple(
            StratumRow(
                name,
                sample.populations[name],
                sample.drawn[name],
                _reviewed_in(name, assessed, by_position),
                sum(1 for p, k in kinds.items() if k and by_position[p].stratum == name),
            )
            for name in sample.populations
        ),
        notes=tuple(notes),
    )


def _reviewed_in(
    stratum: str, assessed: dict[int, Review], by_position: dict[int, SampleEpisode]
) -> int:
    return sum(1 for p in assessed if by_position[p].stratum == stratum)


def _review(row: StoredReview) -> Review:
    coding = (
        Coding.of(row.conditions or [], row.procedures or [])
        if row.conditions is not None
        else None
    )
    return Review(
        row.auditor,
        Verdict(row.verdict),
        coding,
        frozenset(Reason(r) for r in row.reasons),
        row.comment or "",
    )


def _agreements(
    reviews: Sequence[StoredReview],
    first: str,
    second: str | None,
    by_position: dict[int, SampleEpisode],
) -> tuple[AgreementRow, ...]:
    """Kappa on what both auditors said of the episodes both could assess."""
    if second is None:
        return ()
    one = {r.position: _review(r) for r in reviews if r.auditor == first}
    two = {r.position: _review(r) for r in reviews if r.auditor == second}
    both = sorted(
        p
        for p in one.keys() & two.keys()
        if Verdict.NOT_ASSESSABLE not in (one[p].verdict, two[p].verdict)
    )
    codings = {p: coded(by_position[p]) for p in both}
    kinds = {p: (error_kinds(one[p], codings[p]), error_kinds(two[p], codings[p])) for p in both}
    rows = [
        AgreementRow("Minst én feil", agreement([(bool(a), bool(b)) for a, b in kinds.values()])),
        AgreementRow(
            "Hovedtilstand riktig",
            agreement(
                [(main_right(one[p], codings[p]), main_right(two[p], codings[p])) for p in both]
            ),
        ),
    ]
    rows += [
        AgreementRow(
            reason.norwegian, agreement([(reason in a, reason in b) for a, b in kinds.values()])
        )
        for reason in Reason
    ]
    return tuple(rows)


def _calibration(
    episodes: Sequence[SampleEpisode],
    assessed: dict[int, Review],
    kinds: dict[int, set[Reason]],
    populations: dict[str, int],
    method: Interval,
) -> tuple[Calibration, ...]:
    by_position = {e.position: e for e in episodes}
    corrected = {p: bool(k) for p, k in kinds.items()}
    rows = []
    for family, label in [(ANY_RULE, "Alle regler"), *FAMILIES.items()]:
        flagged = {
            p: any(rule.startswith(family) for rule in by_position[p].rules) for p in assessed
        }
        if family and not any(flagged.values()):
            continue
        precision = rate(
            [
                Observation(by_position[p].stratum, float(corrected[p]), float(flagged[p]))
                for p in sorted(assessed)
            ],
            populations,
            method,
        )
        recall = rate(
            [
                Observation(by_position[p].stratum, float(flagged[p]), float(corrected[p]))
                for p in sorted(assessed)
            ],
            populations,
            method,
        )
        rows.append(
            Calibration(
                family,
                label,
                sum(flagged.values()),
                sum(1 for p in assessed if flagged[p] and corrected[p]),
                precision,
                recall,
            )
        )
    return tuple(rows)


def _drg(
    sample: StoredSample,
    episodes: Sequence[SampleEpisode],
    assessed: dict[int, Review],
    sources: DrgSources | None,
    method: Interval,
) -> DrgEstimate:
    definitions = sources.definitions if sources is not None else None
    if sources is None or definitions is None or not definitions.years:
        problem = " ".join(sources.problems) if sources is not None else ""
        return DrgEstimate(False, problem or "Ingen DRG-definisjonstabeller er oppgitt.")
    weights = sources.weights
    tables: dict[int, DrgTables | None] = {}
    by_position = {e.position: e for e in episodes}
    changed: dict[int, float] = {}
    weight: dict[int, float] = {}
    moves = []
    not_grouped = 0
    weighted = True
    for position, review in sorted(assessed.items()):
        drawn = by_position[position]
        episode = episode_from_content(drawn.content, None)
        day = episode.rule_date
        year_tables = _tables(tables, definitions, day.year) if day is not None else None
        if year_tables is None or day is None:
            not_grouped += 1
            continue
        if review.verdict is not Verdict.CHANGED or review.coding is None:
            changed[position], weight[position] = 0.0, 0.0
            continue
        fixed = Fix(review.coding.conditions, review.coding.procedures).apply(episode)
        try:
            before = year_tables.group(episode_input(episode, year=day.year), explain_row=False)
            after = year_tables.group(episode_input(fixed, year=day.year), explain_row=False)
        except KodevaktError:
            not_grouped += 1
            continue
        w_before = weights.weight(before.drg, day.year) if weights is not None else None
        w_after = weights.weight(after.drg, day.year) if weights is not None else None
        changed[position] = float(before.drg != after.drg)
        if w_before is None or w_after is None:
            weighted = False
            weight[position] = 0.0
        else:
            weight[position] = w_after - w_before
        if before.drg != after.drg:
            moves.append(
                DrgMove(
                    position,
                    drawn.episode_id,
                    drawn.department or "",
                    day.year,
                    before.drg,
                    after.drg,
                    w_before,
                    w_after,
                )
            )
    if not changed:
        return DrgEstimate(True, "Ingen vurderte episoder kunne grupperes.", 0, not_grouped)
    populations = sample.populations
    share = rate(
        [Observation(by_position[p].stratum, v) for p, v in changed.items()], populations, method
    )
    count = total([Observation(by_position[p].stratum, v) for p, v in changed.items()], populations)
    points = (
        total([Observation(by_position[p].stratum, v) for p, v in weight.items()], populations)
        if weighted and weights is not None
        else None
    )
    return DrgEstimate(
        True,
        "",
        len(changed),
        not_grouped,
        share,
        count,
        points,
        sum(weight.values()) if points is not None else None,
        tuple(sorted(moves, key=lambda m: -abs(m.weight_change or 0.0))[:DRG_EXAMPLES]),
    )


def _tables(
    cache: dict[int, DrgTables | None], definitions: Definitions, year: int
) -> DrgTables | None:
    if year not in cache:
        try:
            cache[year] = definitions.tables(year)
        except KodevaktError:
            cache[year] = None
    return cache[year]
