"""Clinical profiles: how one kind of episode is coded, written in a compact notation.

A profile says who the patients are (sex, age), how they are treated (care level, nights,
acute share), and how the episode is coded. Codes are written the way a coder notes them:

- weighted alternatives: `"J18.9=2 | J18.1 | J13"` (weight 1 when omitted);
- a condition group: `"N30.0/B96.2"` is a condition followed by additional codes that obey
  the year's multiple-coding rule (one group from 2024, standalone conditions before 2023,
  either way in 2023); `"E10.3+H36.0"` is a dagger/asterisk pair, always one group. The two
  joins can be mixed: `"E11.3+H36.0/Y4n"`;
- a procedure group: `"CJE20+SIDE"` is a procedure and its additional codes; `SIDE` becomes
  right or left (`ZXA00`/`ZXA05`), `XSIDE` the same for imaging (`ZTX0XA`/`ZTX0XB`, NCRP's
  own side codes). ATC codes renamed by WHO are written with today's code and
  turned into the old one for earlier years (`ATC_RENAMED`).

`compile_profile` turns the notation into tuples once per `generate` call, so that drawing an
episode is a handful of random numbers and tuple look-ups.
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

# (first year of today's code, code used before that year)
ATC_RENAMED: dict[str, tuple[int, str]] = {
    "L01FD01": (2022, "L01XC03"),  # trastuzumab
    "L01FF02": (2022, "L01XC18"),  # pembrolizumab
}
SIDES = {"SIDE": ("ZXA00", "ZXA05"), "XSIDE": ("ZTX0XA", "ZTX0XB")}

Groups = tuple[tuple[str, ...], ...]
Variants = tuple[tuple[str, ...], ...]  # a procedure group's concrete forms (one per side)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Profile:
    """One kind of episode in one department (see the module docstring for the notation)."""

    key: str
    dept: str
    weight: float
    main: str
    age: tuple[int, int, int] = (18, 60, 90)  # low, mode, high (years)
    sex: str | None = None  # "K" or "M" when the profile only fits one sex
    male: float = 0.5  # share of men when `sex` is None
    care: tuple[float, float, float] = (0.0, 0.0, 1.0)  # inpatient, day, outpatient
    nights: tuple[int, int] = (1, 5)
    acute: float = 0.0
    other: tuple[tuple[float, str], ...] = ()
    proc: tuple[tuple[float, str], ...] = ()
    follow: str | None = None  # main condition of outpatient follow-up visits
    follow_proc: tuple[tuple[float, str], ...] = ()
    repeat: float = 0.3  # share of later episodes that repeat this profile (else follow-up)
    controls: bool = True  # later episodes may be outpatient controls of the same condition
    gap: tuple[int, int] = (14, 90)  # days between a patient's episodes
    transfer: float = 0.0  # share of acute inpatient stays transferred to a regional hospital
    winter: bool = False  # more episodes in the cold months
    newborn: bool = False  # the newborn's own birth episode (age 0 days)
    years: tuple[int, int] = (1990, 2100)
    tags: frozenset[str] = field(default_factory=frozenset)


class Choice(Generic[T]):
    """A weighted choice among precompiled items."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: list[T], weights: list[float]) -> None:
        self.items = tuple(items)
        cum, total = [], 0.0
        for weight in weights:
            total += weight
            cum.append(total)
        self.cum = tuple(cum)
        self.total = total

    def pick(self, rand: Callable[[], float]) -> T:
        if len(self.items) == 1:
            return self.items[0]
        return self.items[bisect(self.cum, rand() * self.total)]


@dataclass(frozen=True, slots=True)
class Condition:
    """One written condition alternative: its groups when grouped and when split."""

    grouped: Groups
    split: Groups
    first: str


@dataclass(frozen=True, slots=True)
class Compiled:
    """A profile ready for drawing episodes in one year."""

    profile: Profile
    main: Choice[Condition]
    other: tuple[tuple[float, Choice[Condition]], ...]
    proc: tuple[tuple[float, Choice[Variants]], ...]
    follow: Choice[Condition] | None
    follow_proc: tuple[tuple[float, Choice[Variants]], ...]
    care: Choice[int]  # 0 inpatient, 1 day, 2 outpatient


def alternatives(text: str) -> list[tuple[str, float]]:
    """`"A=2 | B"` → [("A", 2.0), ("B", 1.0)]."""
    out = []
    for part in text.split("|"):
        spec, _, weight = part.strip().partition("=")
        out.append((spec.strip(), float(weight) if weight else 1.0))
    return out


def condition(spec: str) -> Condition:
    """Parse one condition alternative (`/` additional codes, `+` dagger/asterisk pair)."""
    grouped: list[str] = []
    split: list[tuple[str, ...]] = []
    for i, chunk in enumerate(spec.split("/")):
        codes = tuple(chunk.split("+"))
        grouped.extend(codes)
        if i == 0:
            split.append(codes)
        else:
            split.extend((code,) for code in codes)
    return Condition((tuple(grouped),), tuple(split), grouped[0])


def procedure(spec: str, year: int) -> Variants:
    """Parse one procedure alternative into its concrete variants (one per side)."""
    codes = [_atc_for_year(code, year) for code in spec.split("+")]
    for at, code in enumerate(codes):
        if code in SIDES:
            return tuple((*codes[:at], side, *codes[at + 1 :]) for side in SIDES[code])
    return (tuple(codes),)


def _atc_for_year(code: str, year: int) -> str:
    renamed = ATC_RENAMED.get(code)
    return renamed[1] if renamed is not None and year < renamed[0] else code


def _conditions(text: str) -> Choice[Condition]:
    pairs = alternatives(text)
    return Choice([condition(spec) for spec, _ in pairs], [w for _, w in pairs])


def _procedures(text: str, year: int) -> Choice[Variants]:
    pairs = alternatives(text)
    return Choice([procedure(spec, year) for spec, _ in pairs], [w for _, w in pairs])


def compile_profile(profile: Profile, year: int) -> Compiled:
    """Parse a profile's notation for drawing episodes in `year`."""
    return Compiled(
        profile=profile,
        main=_conditions(profile.main),
        other=tuple((p, _conditions(text)) for p, text in profile.other),
        proc=tuple((p, _procedures(text, year)) for p, text in profile.proc),
        follow=_conditions(profile.follow) if profile.follow else None,
        follow_proc=tuple((p, _procedures(text, year)) for p, text in profile.follow_proc),
        care=Choice([0, 1, 2], list(profile.care)),
    )


def written_codes(profile: Profile) -> set[str]:
    """Every code a profile can emit (for tests), before year-specific ATC renaming."""
    texts = [profile.main, *(t for _, t in profile.other), *(t for _, t in profile.proc)]
    texts += [t for _, t in profile.follow_proc]
    if profile.follow:
        texts.append(profile.follow)
    codes: set[str] = set()
    for text in texts:
        for spec, _ in alternatives(text):
            for chunk in spec.replace("/", "+").split("+"):
                codes.add(chunk)
    return codes - set(SIDES)
