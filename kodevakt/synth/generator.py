"""`generate`: a deterministic stream of synthetic coded episodes with known injected errors.

Patients are drawn one at a time: a department and a clinical profile (or the department's
long tail), sex and age fitting the profile, a hospital trust, and the number of episodes
(about a fifth of patients have 2–5: readmissions, treatment cycles, outpatient follow-ups;
some acute stays are transferred to a regional hospital and continue there). A patient's
later episodes are held back in a small heap and released a few thousand episodes later, so
they are interleaved with other patients' episodes while memory stays constant however many
episodes are asked for.

About `error_rate` of the episodes get exactly one deliberate error (`kodevakt.synth.
injectors`); each episode dict carries `"synth": {"injected": [rule codes]}` next to the
interchange fields (readers ignore unknown keys).

Speed: everything that can be is precomputed per call (profiles compiled for the year, date
and time strings, weighted choices as cumulative tables), so an episode costs a few dozen
random numbers and small allocations.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import date
from random import Random
from typing import Any

from kodevakt.synth.holidays import next_open_days
from kodevakt.synth.injectors import Context, inject
from kodevakt.synth.places import DEPARTMENTS, INSTITUTIONS, Department
from kodevakt.synth.profile import (
    Choice,
    Compiled,
    Condition,
    Profile,
    Variants,
    compile_profile,
)
from kodevakt.synth.profiles_family import FAMILY
from kodevakt.synth.profiles_medical import MEDICAL
from kodevakt.synth.profiles_surgical import SURGICAL
from kodevakt.synth.tail import tail_codes

PROFILES: tuple[Profile, ...] = MEDICAL + SURGICAL + FAMILY
CARE_LEVELS = ("inpatient", "day", "outpatient")
MULTI_EPISODE_SHARE = 0.2  # patients with 2–5 episodes
EXTRA_EPISODES = ((1, 50.0), (2, 25.0), (3, 15.0), (4, 10.0))
MAX_DELAY = 4000  # a patient's later episodes are released within this many episodes
DAYS_PER_YEAR = 365.2425
_TIMES = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(0, 60, 5))

Episode = dict[str, Any]


def generate(n: int, seed: int, year: int = 2025, error_rate: float = 0.05) -> Iterator[Episode]:
    """Yield `n` synthetic interchange episodes for `year`, the same ones for the same seed."""
    if n < 0:
        raise ValueError("n must be zero or more")
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must lie between 0 and 1")
    return _Generator(seed, year, error_rate).episodes(n)


def tail_profile(dept: Department, sex: str) -> Profile:
    """The pseudo-profile of a department's long tail for one sex."""
    return Profile(
        key=f"{dept.code}-hale-{sex}",
        dept=dept.code,
        weight=0.0,
        main="",
        age=dept.age,
        sex=sex,
        care=dept.care,
        nights=dept.nights,
        acute=0.3,
        repeat=1.0,
        gap=(30, 120),
        tags=frozenset({"tail"}),
    )


def _slots(year: int) -> Choice[Compiled]:
    """Every compiled profile, weighted by department share, profile weight and tail share."""
    items: list[Compiled] = []
    weights: list[float] = []
    for dept in DEPARTMENTS:
        own = [p for p in PROFILES if p.dept == dept.code and p.years[0] <= year <= p.years[1]]
        total = sum(p.weight for p in own) or 1.0
        for profile in own:
            items.append(compile_profile(profile, year))
            weights.append(dept.weight * (1 - dept.tail) * profile.weight / total)
        for sex in ("K",) if dept.sex == "K" else ("M", "K"):
            pool = tail_codes(dept, sex)
            if not pool or not dept.tail:
                continue
            profile = tail_profile(dept, sex)
            conditions = [Condition(((c,),), ((c,),), c) for c in pool]
            items.append(
                Compiled(
                    profile,
                    Choice(conditions, [1.0] * len(pool)),
                    (),
                    (),
                    None,
                    (),
                    Choice([0, 1, 2], list(dept.care)),
                )
            )
            weights.append(dept.weight * dept.tail / (1 if dept.sex == "K" else 2))
    return Choice(items, weights)


class _Generator:
    def __init__(self, seed: int, year: int, error_rate: float) -> None:
        self.rng = Random(seed)
        self.rand = self.rng.random
        self.year = year
        self.error_rate = error_rate
        self.grouped = year >= 2024  # multiple coding required from 2024
        self.voluntary = year == 2023  # voluntary in 2023, dagger/asterisk only before
        self.slots = _slots(year)
        self.institutions = Choice([i for i, _, _ in INSTITUTIONS], [w for _, w, _ in INSTITUTIONS])
        self.regional = tuple(i for i, _, regional in INSTITUTIONS if regional)
        self.extra = Choice([k for k, _ in EXTRA_EPISODES], [w for _, w in EXTRA_EPISODES])
        self.start = date(year, 1, 1).toordinal()
        self.n_days = date(year + 1, 1, 1).toordinal() - self.start
        self.days = tuple(date.fromordinal(self.start + i).isoformat() for i in range(self.n_days))
        self.open_days = next_open_days(date(year, 1, 1), self.n_days + 800)
        self.july = (
            date(year, 7, 1).toordinal() - self.start,
            date(year, 8, 1).toordinal() - self.start,
        )
        self.patients = 0

    # -- the stream ----------------------------------------------------------------------
    def episodes(self, n: int) -> Iterator[Episode]:
        heap: list[tuple[int, int, Episode]] = []
        rand = self.rand
        created = emitted = seq = 0
        while emitted < n:
            if heap and (heap[0][0] <= emitted or created >= n):
                episode = heapq.heappop(heap)[2]
            else:
                batch = self._patient()[: n - created]
                created += len(batch)
                for later in batch[1:]:
                    seq += 1
                    due = emitted + 1 + int(rand() * MAX_DELAY)
                    heapq.heappush(heap, (due, seq, later))
                episode = batch[0]
            emitted += 1
            episode["id"] = f"ep-{emitted:07d}"
            yield episode

    # -- one patient ---------------------------------------------------------------------
    def _patient(self) -> list[Episode]:
        rand = self.rand
        comp = self.slots.pick(rand)
        prof = comp.profile
        self.patients += 1
        patient_id = f"pas-{self.patients}"
        sex = prof.sex or ("M" if rand() < prof.male else "K")
        institution = self.institutions.pick(rand)
        count = 1 if rand() >= MULTI_EPISODE_SHARE else 1 + self.extra.pick(rand)
        care = comp.care.pick(rand)
        acute = rand() < prof.acute
        transfer = (
            care == 0
            and acute
            and prof.transfer > 0.0
            and institution not in self.regional
            and rand() < prof.transfer
        )
        nights = self._nights(prof) if care == 0 else 0
        if transfer:
            nights = int(rand() * 2)
        span = min(int((count - 1) * sum(prof.gap) / 2), self.n_days * 4 // 5)
        day = self._first_day(prof, nights, acute, span)
        if prof.newborn:
            age_days = 0
        else:
            low, mode, high = prof.age
            age_days = max(14, int(self.rng.triangular(low, high + 0.99, mode) * DAYS_PER_YEAR))
        birth = date.fromordinal(self.start + day - age_days).isoformat()
        person = (patient_id, sex, birth, age_days - day)  # age offset: days of age at day 0

        main = comp.main.pick(rand)
        others = [c for p, choice in comp.other if rand() < p for c in (choice.pick(rand),)]
        first = self._episode(
            comp,
            person,
            institution,
            day,
            care,
            nights,
            acute,
            main,
            others,
            () if transfer else comp.proc,
        )
        episodes = [first[0]]
        end = first[1]
        if transfer:
            regional = self.regional[int(rand() * len(self.regional))]
            nights = min(self._nights(prof), self.n_days - 1 - end)
            second, end = self._episode(
                comp,
                person,
                regional,
                end,
                0,
                nights,
                True,
                main,
                others,
                comp.proc,
                start_time=first[0]["discharge"],
            )
            first[0]["transferred_to"] = regional
            second["transferred_from"] = institution
            episodes.append(second)
        for _ in range(count - 1):
            low, high = prof.gap
            day = end + low + int(rand() * (high - low + 1))
            if rand() < prof.repeat:  # readmission, next treatment, second eye ...
                care = comp.care.pick(rand)
                nights = self._nights(prof) if care == 0 else 0
                acute = rand() < prof.acute
                day = day if acute else self._open_day(day)
                if day + nights >= self.n_days:
                    break
                episode, end = self._episode(
                    comp, person, institution, day, care, nights, acute, main, others, comp.proc
                )
            else:  # outpatient follow-up: its own code, or a control of the same condition
                day = self._open_day(day)
                if day >= self.n_days or (comp.follow is None and not prof.controls):
                    break
                follow = main if comp.follow is None else comp.follow.pick(rand)
                episode, end = self._episode(
                    comp, person, institution, day, 2, 0, False, follow, [], comp.follow_proc
                )
            episodes.append(episode)
        return episodes

    def _nights(self, prof: Profile) -> int:
        low, high = prof.nights
        r = self.rand()
        return low + int((high - low + 1) * r * r)

    def _first_day(self, prof: Profile, nights: int, acute: bool, span: int) -> int:
        """Admission day (index in the year) of a patient's first episode.

        Respiratory infections crowd the cold months; planned care thins out in the July
        holidays and keeps off weekends and public holidays; a patient with later episodes
        starts early enough for them (`span` days) to fit in the year, mostly.
        """
        rand, n_days = self.rand, self.n_days
        if prof.winter and rand() < 0.5:
            day = int(rand() * 151)  # January–March and November–December
            if day >= 90:
                day = n_days - 61 + (day - 90)
        else:
            day = int(rand() * (n_days - span))
            if not acute and self.july[0] <= day < self.july[1] and rand() < 0.6:
                day = int(rand() * (n_days - span))
        if not acute:
            day = self._open_day(day)
        return max(0, min(day, n_days - 1 - nights))

    def _open_day(self, day: int) -> int:
        """Move a planned contact off weekends and public holidays, to the next open day."""
        return self.open_days[day]

    # -- one episode ---------------------------------------------------------------------
    def _episode(
        self,
        comp: Compiled,
        person: tuple[str, str, str, int],
        institution: str,
        day: int,
        care: int,
        nights: int,
        acute: bool,
        main: Condition,
        others: list[Condition],
        procs: tuple[tuple[float, Choice[Variants]], ...],
        start_time: str | None = None,
    ) -> tuple[Episode, int]:
        rand, days = self.rand, self.days
        grouped = self.grouped or (self.voluntary and rand() < 0.5)
        conditions = [list(g) for g in (main.grouped if grouped else main.split)]
        for other in others:
            conditions.extend(list(g) for g in (other.grouped if grouped else other.split))
        out = day + nights
        if care == 0:
            if start_time is not None:
                admission = start_time
            elif acute:
                admission = f"{days[day]}T{_TIMES[int(rand() * 276)]}"
            else:
                admission = f"{days[day]}T{_TIMES[84 + int(rand() * 36)]}"
            if nights == 0:
                start = _TIMES.index(admission[11:16])
                discharge = f"{days[out]}T{_TIMES[min(287, start + 12 + int(rand() * 36))]}"
            else:
                discharge = f"{days[out]}T{_TIMES[120 + int(rand() * 60)]}"
        elif care == 1:
            start = 90 + int(rand() * 30)
            admission = f"{days[day]}T{_TIMES[start]}"
            discharge = f"{days[day]}T{_TIMES[start + 48 + int(rand() * 48)]}"
        else:
            start = 96 + int(rand() * 84)
            admission = f"{days[day]}T{_TIMES[start]}"
            discharge = f"{days[day]}T{_TIMES[start + 3 + int(rand() * 16)]}"
        procedures = []
        for p, choice in procs:
            if rand() < p:
                variants = choice.pick(rand)
                codes = variants[0] if len(variants) == 1 else variants[int(rand() * len(variants))]
                when = day + 1 if nights and acute and rand() < 0.4 else day
                procedures.append({"codes": list(codes), "date": days[when]})
        patient_id, sex, birth, age_offset = person
        episode: Episode = {
            "id": None,
            "patient": {"id": patient_id, "sex": sex, "birth_date": birth},
            "institution": institution,
            "department": comp.profile.dept,
            "care_level": CARE_LEVELS[care],
            "urgency": "acute" if acute else "elective",
            "admission": admission,
            "discharge": discharge,
            "transferred_from": None,
            "transferred_to": None,
            "conditions": conditions,
            "procedures": procedures,
            "synth": {"injected": []},
        }
        if rand() < self.error_rate:
            age = int((age_offset + day) / DAYS_PER_YEAR)
            ctx = Context(comp.profile, comp.profile.dept, sex, age, grouped, self.year, days[out])
            episode["synth"]["injected"].append(inject(episode, ctx, self.rng))
        return episode, out
