"""`generate_wide`: episodes drawn from the whole code list, whose code combinations rarely repeat.

`generate` draws from a few hundred clinical profiles, so almost every combination of codes
repeats; a hospital's year, and a national year even more, has a long tail of combinations
that never repeat. This generator stands in for that tail: every reportable code of the loaded
lists can be drawn, with Zipf-like frequencies (the k-th code of a seeded random order has
weight 1/(k + 10), so the most common code holds about one draw in a hundred, as the most
common diagnoses do, and the rarest still come up in a large batch).

An episode has 1–8 condition groups. Its main condition is drawn first and fixes what the
patient can be: its sex limit decides the sex, its age limits the age. Later codes are drawn
again while they do not fit that patient (a man's pregnancy code is a data error the rules
report, not the long tail the generator stands for). A group starts with a code that can
describe a condition by itself, and gets an additional code where coders write one: an
asterisk after a dagger code, an external cause after an injury, a microorganism after an
infection, otherwise now and then any additional-only code; a few groups (`MISPLACED`) start
with any code of the list, as coders sometimes write them. Procedure
groups are drawn the same way from the procedure list (and from well-formed NCSP codes outside
it while the loaded list is only a subset), now and then with an additional code of the list,
dated within the stay.

No error is injected on purpose: drawing this widely makes the rules fire on their own. Used
by the checker's speed benchmark (bench/check.py) and its differential test.
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from random import Random
from typing import Any, Generic, TypeVar

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.model import Code, Level
from kodevakt.codes.procedures import parse_procedure
from kodevakt.codes.release import Family

Episode = dict[str, Any]
T = TypeVar("T")

ZIPF_OFFSET = 10  # weight of the k-th code (from 1): 1 / (k + ZIPF_OFFSET)
GROUPS = (30.0, 22.0, 16.0, 11.0, 8.0, 6.0, 4.0, 3.0)  # weights of 1..8 condition groups
PROCEDURE_GROUPS = (50.0, 25.0, 13.0, 7.0, 5.0)  # weights of 0..4 procedure groups
UNLISTED_PROCEDURES = 0.3  # share of NCSP codes outside a subset procedure list
UNLISTED_POOL = 3000  # how many such codes a hospital's year holds
DAYS_PER_YEAR = 365.25
MAX_AGE_YEARS = 99
MISPLACED = 0.02  # share of groups whose first code is drawn from every code of the list
REDRAWS = 8  # draws of a later code before giving up on one that fits the patient
_NCSP_CHAPTERS = "ABCDEFGHJKLMNPQ"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_INSTITUTIONS = ("993467049", "983971636", "983974724", "883974832", "983974791")


@dataclass(frozen=True, slots=True)
class Pool(Generic[T]):
    """Codes with Zipf-like cumulative weights over a seeded random order."""

    codes: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, codes: Sequence[T], rng: Random, key: Callable[[T], str]) -> Pool[T]:
        order = sorted(codes, key=key)
        rng.shuffle(order)
        weights = (1.0 / (k + ZIPF_OFFSET) for k in range(1, len(order) + 1))
        return cls(tuple(order), tuple(accumulate(weights)))

    def draw(self, rand: float) -> T:
        """The code at `rand` (0 ≤ rand < 1) of the cumulative weight."""
        return self.codes[bisect(self.cumulative, rand * self.cumulative[-1])]

    def __bool__(self) -> bool:
        return bool(self.codes)


def reportable_icd10(base: CodeBase, year: int) -> list[Code]:
    """Every ICD-10 code NPR accepts in `year`: the pool the wide generator draws from."""
    codes = base.code_list(Family.ICD10, year)
    day = date(year, 7, 1)
    return [
        c
        for c in codes or ()
        if c.level in (Level.CODE, Level.CATEGORY)
        and c.reportable_on(day)
        and c.valid_on(day)
        and not c.who_only
    ]


def generate_wide(
    n: int, seed: int, year: int = 2025, base: CodeBase | None = None, odd: float = 0.0
) -> Iterator[Episode]:
    """Yield `n` interchange episodes of `year` drawn widely from `base`'s code lists (the
    default code base when None); the same ones for the same seed and code lists.

    `odd`: the share of episodes given one or two of the oddities real extracts hold (see
    `ODDITIES`), for tests that must reach every branch of the rules and the engine."""
    if n < 0:
        raise ValueError("n must be zero or more")
    if not 0.0 <= odd <= 1.0:
        raise ValueError("odd must lie between 0 and 1")
    if base is None:
        from kodevakt.codes.loading import default_codebase

        base = default_codebase()
    return _Wide(base, seed, year, odd).episodes(n)


class _Wide:
    def __init__(self, base: CodeBase, seed: int, year: int, odd: float) -> None:
        self.rng = Random(seed)
        self.rand = self.rng.random
        self.year = year
        self.odd = odd
        self.seed = seed
        icd = reportable_icd10(base, year)
        if not icd:
            raise ValueError(f"no reportable ICD-10 codes loaded for {year}")
        rng = self.rng
        self.every = Pool.of(icd, rng, _code)
        self.main = Pool.of([c for c in icd if describes_condition(c)], rng, _code)
        self.asterisk = Pool.of([c for c in icd if c.asterisk], rng, _code)
        self.external = Pool.of([c for c in icd if "V00" <= c.code[:3] <= "Y98"], rng, _code)
        self.microbe = Pool.of([c for c in icd if "B95" <= c.code[:3] <= "B98"], rng, _code)
        self.additional = Pool.of([c for c in icd if c.additional_only], rng, _code)
        listed = base.code_list(Family.PROCEDURE, year)
        procedures = [c for c in listed or () if c.reportable and c.level is Level.CODE]
        additional = {c.code for c in procedures if _additional_procedure(c.code)}
        self.procedures = Pool.of([c for c in procedures if c.code not in additional], rng, _code)
        self.procedure_additions = Pool.of(
            [c for c in procedures if c.code in additional], rng, _code
        )
        self.unlisted = 0.0 if listed is None or listed.release.complete else UNLISTED_PROCEDURES
        outside: set[str] = set()
        while self.unlisted and len(outside) < UNLISTED_POOL:
            chapter = _NCSP_CHAPTERS[int(self.rand() * len(_NCSP_CHAPTERS))]
            letters = _LETTERS[int(self.rand() * 24)] + _LETTERS[int(self.rand() * 24)]
            code = f"{chapter}{letters}{int(self.rand() * 100):02d}"
            if listed is None or listed.get(code) is None:
                outside.add(code)
        self.outside = Pool.of(list(outside), rng, str)
        self.groups = tuple(accumulate(GROUPS))
        self.procedure_groups = tuple(accumulate(PROCEDURE_GROUPS))
        self.first_day = date(year, 1, 1)
        self.days = (date(year + 1, 1, 1) - self.first_day).days

    def episodes(self, n: int) -> Iterator[Episode]:
        rng, odd = self.rng, self.odd
        for i in range(1, n + 1):
            episode = self._episode(i)
            if odd and self.rand() < odd:
                for _ in range(1 + int(self.rand() < 0.3)):
                    rng.choice(ODDITIES)(episode, rng, self)
            yield episode

    def _episode(self, i: int) -> Episode:
        rand = self.rand
        main = self._first()
        sex = main.sex.value if main.sex is not None else ("K" if rand() < 0.5 else "M")
        age_days = self._age(main)
        conditions = [self._group(main, sex, age_days)]
        for _ in range(bisect(self.groups, rand() * self.groups[-1])):
            code = self._fitting(self.every if rand() < MISPLACED else self.main, sex, age_days)
            if code is not None:
                conditions.append(self._group(code, sex, age_days))
        care = rand()
        if care < 0.35:
            care_level, nights = "inpatient", 1 + int(14 * rand() * rand())
        else:
            care_level, nights = ("day" if care < 0.5 else "outpatient"), 0
        start = int(rand() * (self.days - nights))
        admission = self.first_day + timedelta(days=start)
        discharge = admission + timedelta(days=nights)
        # about two episodes per patient, drawn from the patients seen so far
        patient: dict[str, Any] = {"id": f"wp{self.seed}-{int(rand() * (i // 2 + 1))}", "sex": sex}
        if age_days < 2 * 365:
            patient["age_days"] = age_days
        else:
            patient["age"] = int(age_days / DAYS_PER_YEAR)
        hour = 7 + int(rand() * 10)
        return {
            "id": f"w{self.seed}-{i}",
            "patient": patient,
            "institution": _INSTITUTIONS[int(rand() * len(_INSTITUTIONS))],
            "care_level": care_level,
            "urgency": "acute" if rand() < 0.4 else "elective",
            "admission": f"{admission.isoformat()}T{hour:02d}:{int(rand() * 60):02d}",
            "discharge": f"{discharge.isoformat()}T{hour + 1 + int(rand() * 6):02d}:00",
            "conditions": conditions,
            "procedures": self._procedures(sex, admission, nights),
        }

    def _first(self) -> Code:
        """The main condition's first code."""
        rand = self.rand
        return (self.every if rand() < MISPLACED else self.main).draw(rand())

    def _age(self, main: Code) -> int:
        """Age in days within the main condition's limits (a realistic spread without them)."""
        low = main.age_min_days or 0
        high = (
            main.age_max_days
            if main.age_max_days is not None
            else int((MAX_AGE_YEARS + 1) * DAYS_PER_YEAR) - 1
        )
        if high < low:
            return low
        r = self.rand()
        return low + int((high - low + 1) * (r if high - low < 2 * 365 else r**0.7))

    def _fitting(self, pool: Pool[Code], sex: str, age_days: int) -> Code | None:
        """A code of `pool` that fits the patient (None when several draws did not)."""
        if not pool:
            return None
        for _ in range(REDRAWS):
            code = pool.draw(self.rand())
            if fits(code, sex, age_days):
                return code
        return None

    def _group(self, first: Code, sex: str, age_days: int) -> list[str]:
        group = [first.code]
        rand = self.rand
        category = first.code[:3]
        if first.dagger and rand() < 0.6:
            extra = self._fitting(self.asterisk, sex, age_days)
        elif "S00" <= category <= "T98" and rand() < 0.6:
            extra = self._fitting(self.external, sex, age_days)
        elif "A00" <= category <= "B89" and rand() < 0.3:
            extra = self._fitting(self.microbe, sex, age_days)
        elif rand() < 0.08:
            extra = self._fitting(self.additional, sex, age_days)
        else:
            extra = None
        if extra is not None:
            group.append(extra.code)
        return group

    def _procedures(self, sex: str, admission: date, nights: int) -> list[dict[str, Any]]:
        rand = self.rand
        groups = []
        for _ in range(bisect(self.procedure_groups, rand() * self.procedure_groups[-1])):
            codes = [self._procedure(sex)]
            if self.procedure_additions and rand() < 0.2:
                codes.append(self.procedure_additions.draw(rand()).code)
            day = admission + timedelta(days=int(rand() * (nights + 1)))
            groups.append({"codes": codes, "date": day.isoformat()})
        return groups

    def _procedure(self, sex: str) -> str:
        """A listed procedure code fitting the patient, or a well-formed NCSP code outside a
        subset list (female chapters L and M only for women)."""
        rand = self.rand
        if self.procedures and rand() >= self.unlisted:
            for _ in range(REDRAWS):
                code = self.procedures.draw(rand())
                if (code.sex is None or code.sex.value == sex) and (
                    sex == "K" or code.system.value != "NCSP" or code.code[0] not in "LM"
                ):
                    return code.code
        while True:
            unlisted = self.outside.draw(rand())
            if sex == "K" or unlisted[0] not in "LM":
                return unlisted


def _code(code: Code) -> str:
    return code.code


def _additional_procedure(code: str) -> bool:
    shape = parse_procedure(code)
    return shape is None or shape.additional


def describes_condition(code: Code) -> bool:
    """Whether coders write `code` first in a group: not an asterisk or additional-only code,
    an external cause (V01–Y98), a microorganism (B95–B98), resistance (U82–U85), SIRS (R65),
    septic shock (R57.2) or a result of delivery (Z37)."""
    category = code.code[:3]
    return not (
        code.asterisk
        or code.additional_only
        or "V00" <= category <= "Y98"
        or "B95" <= category <= "B98"
        or "U82" <= category <= "U85"
        or category in ("R65", "Z37")
        or code.code == "R57.2"
    )


def fits(code: Code, sex: str, age_days: int) -> bool:
    """Whether `code`'s sex and age limits allow a patient of `sex` aged `age_days`."""
    if code.sex is not None and code.sex.value != sex:
        return False
    if code.age_min_days is not None and age_days < code.age_min_days:
        return False
    return code.age_max_days is None or age_days <= code.age_max_days


# -- oddities ---------------------------------------------------------------------------------

Oddity = Callable[[Episode, Random, _Wide], None]
_ODD_CODES = ("XX1", "J18.99", "Ø12", "ZZZ99", "12.3", "JK A2", "Y99.9", "B0007", "C07AB02")
_SPELLINGS: tuple[Callable[[str], str], ...] = (
    str.lower,
    lambda code: code.replace(".", ""),
    lambda code: f" {code} ",
    lambda code: code.lower().replace(".", ""),
)


def _any_group(episode: Episode, rng: Random) -> list[str]:
    groups: list[list[str]] = episode["conditions"]
    return groups[rng.randrange(len(groups))]


def _misspelled(episode: Episode, rng: Random, wide: _Wide) -> None:
    group = _any_group(episode, rng)
    at = rng.randrange(len(group))
    group[at] = rng.choice(_SPELLINGS)(group[at])


def _odd_code(episode: Episode, rng: Random, wide: _Wide) -> None:
    target = rng.choice(("conditions", "procedures", "first"))
    code = rng.choice((*_ODD_CODES, wide.every.draw(rng.random()).code))
    if target == "procedures":
        episode["procedures"].append({"codes": [code], "date": None})
    elif target == "first":
        _any_group(episode, rng).insert(0, code)
    else:
        _any_group(episode, rng).append(code)


def _procedure_among_conditions(episode: Episode, rng: Random, wide: _Wide) -> None:
    code = wide._procedure(episode["patient"]["sex"])
    episode["conditions"].insert(rng.randrange(len(episode["conditions"]) + 1), [code])


def _repeated(episode: Episode, rng: Random, wide: _Wide) -> None:
    group = _any_group(episode, rng)
    code = group[0]
    if rng.random() < 0.5:
        group.append(code)
    else:
        episode["conditions"].append([code])
    if episode["procedures"] and rng.random() < 0.5:
        first = episode["procedures"][0]
        episode["procedures"].append(dict(first))


def _patient(episode: Episode, rng: Random, wide: _Wide) -> None:
    patient = episode["patient"]
    change = rng.randrange(6)
    if change == 0:
        patient["sex"] = rng.choice((None, "9", "0", "X", "mann", "2"))
    elif change == 1:
        patient["sex"] = "M" if patient["sex"] == "K" else "K"
    elif change == 2:
        patient.pop("age", None)
        patient.pop("age_days", None)
    elif change == 3:
        patient.pop("age_days", None)
        patient["age"] = rng.choice((101, 115, 0, 1, 12, 15, 50))
    elif change == 4:
        patient.pop("age", None)
        patient.pop("age_days", None)
        admitted = episode["admission"] or f"{wide.year}-06-01"
        born = date.fromisoformat(admitted[:10]) + timedelta(days=rng.randint(-40, 9))
        patient["birth_date"] = born.isoformat()
    else:
        patient.pop("age", None)
        patient["age_days"] = rng.randint(0, 800)


def _dates(episode: Episode, rng: Random, wide: _Wide) -> None:
    change = rng.randrange(6)
    if episode["admission"] is None or episode["discharge"] is None:
        change = 2
    if change == 0:
        episode[rng.choice(("admission", "discharge"))] = None
    elif change == 1:
        episode["admission"], episode["discharge"] = episode["discharge"], episode["admission"]
        if episode["admission"] == episode["discharge"]:
            episode["admission"] = episode["admission"][:11] + "23:59"
    elif change == 2:
        episode["care_level"] = rng.choice(("inpatient", "day", "outpatient", None, "døgn", "3"))
    elif change == 3:
        for group in episode["procedures"]:
            if group["date"] is not None:
                moved = date.fromisoformat(group["date"]) + timedelta(days=rng.choice((-3, 5, 20)))
                group["date"] = moved.isoformat()
    elif change == 4:
        episode["admission"] = episode["admission"][:10]
        episode["discharge"] = episode["discharge"][:10]
    else:  # discharged before admitted on the same day, whatever the care level
        day = episode["admission"][:10]
        episode["admission"], episode["discharge"] = f"{day}T19:00", f"{day}T08:30"
        episode["care_level"] = rng.choice(("inpatient", "day", "outpatient"))


def _episode_fields(episode: Episode, rng: Random, wide: _Wide) -> None:
    change = rng.randrange(4)
    if change == 0:
        episode["transferred_from"] = "974557746"
    elif change == 1:
        episode["grouping_inferred"] = True
    elif change == 2:
        episode["urgency"] = rng.choice((None, "akutt", "4", "5"))
    else:
        episode["id"] = f"w{wide.seed}-1"  # an id used before in the stream


def _regrouped(episode: Episode, rng: Random, wide: _Wide) -> None:
    """Groups split or joined, as in the years before multiple coding was required."""
    conditions = episode["conditions"]
    if rng.random() < 0.5:
        episode["conditions"] = [[code] for group in conditions for code in group]
    else:
        episode["conditions"] = [[code for group in conditions for code in group]]
    if episode["procedures"] and rng.random() < 0.5:
        codes = [code for group in episode["procedures"] for code in group["codes"]]
        rng.shuffle(codes)
        episode["procedures"] = [{"codes": codes, "date": episode["procedures"][0]["date"]}]


ODDITIES: tuple[Oddity, ...] = (
    _misspelled,
    _odd_code,
    _procedure_among_conditions,
    _repeated,
    _patient,
    _dates,
    _episode_fields,
    _regrouped,
)
