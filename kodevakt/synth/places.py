"""Where synthetic episodes happen: hospital trusts, departments and their long tail.

Institutions are real hospital trusts (helseforetak) by organisation number; weights follow
their size roughly. Regional hospitals receive transfers (e.g. PCI after infarction).

Each department has a weight (share of episodes), and a long tail: a share of its episodes
whose main condition is drawn from the embedded ICD-10 list, from the category ranges that
fit the department (see `kodevakt.synth.tail`), with the department's usual ages and care
levels.
"""

from __future__ import annotations

from dataclasses import dataclass

# organisation number, weight, regional (university) hospital
INSTITUTIONS: tuple[tuple[str, float, bool], ...] = (
    ("993467049", 9.0, True),  # Oslo universitetssykehus HF
    ("983971636", 6.0, False),  # Akershus universitetssykehus HF
    ("983974724", 6.0, True),  # Helse Bergen HF
    ("883974832", 5.0, True),  # St. Olavs hospital HF
    ("983974791", 4.5, False),  # Helse Stavanger HF
    ("983971709", 5.0, False),  # Sykehuset Innlandet HF
    ("894166762", 5.0, False),  # Vestre Viken HF
    ("983974899", 3.5, True),  # Universitetssykehuset Nord-Norge HF
)


@dataclass(frozen=True, slots=True)
class Department:
    """A department's weight and its long tail of main conditions."""

    code: str
    weight: float
    tail: float  # share of the department's episodes drawn from the long tail
    ranges: tuple[tuple[str, str], ...]  # 3-character category ranges for the tail
    age: tuple[int, int, int] = (18, 60, 90)
    sex: str | None = None
    care: tuple[float, float, float] = (0.1, 0.1, 0.8)
    nights: tuple[int, int] = (1, 5)


# Infections seen in Norwegian hospitals (no plague, leprosy, tropical fevers or parasites).
_INFECTIONS = (
    ("A00", "A09"), ("A15", "A19"), ("A36", "A49"), ("B00", "B09"), ("B15", "B27"),
    ("B34", "B49"),
)  # fmt: skip

# fmt: off
DEPARTMENTS: tuple[Department, ...] = (
    Department("MED", 18, 0.2,
               (*_INFECTIONS, ("D50", "D89"), ("E00", "E90"), ("I00", "I99"), ("J00", "J99"),
                ("K20", "K93"), ("M30", "M36"), ("N00", "N39")),
               age=(30, 72, 97), care=(0.2, 0.1, 0.7), nights=(1, 8)),
    Department("KARD", 8, 0.15, (("I00", "I99"),), age=(35, 70, 95), care=(0.3, 0.1, 0.6)),
    Department("NEVRO", 6, 0.2, (("G00", "G99"),), age=(18, 55, 92), care=(0.15, 0.05, 0.8)),
    Department("PSYK", 10, 0.15, (("F04", "F18"), ("F20", "F99")), age=(16, 35, 80),
               care=(0.08, 0.0, 0.92), nights=(5, 30)),
    Department("REHAB", 2, 0.0, ()),
    Department("KIR", 10, 0.2,
               (("K00", "K93"), ("C15", "C26"), ("D12", "D13"), ("L00", "L08"),
                ("I83", "I84")),
               age=(18, 58, 92), care=(0.15, 0.15, 0.7), nights=(1, 6)),
    Department("ORT", 12, 0.2, (("M00", "M99"),), age=(16, 58, 92), care=(0.1, 0.15, 0.75)),
    Department("URO", 5, 0.2, (("N00", "N51"), ("C60", "C68")), age=(25, 65, 92),
               care=(0.15, 0.15, 0.7)),
    Department("ØNH", 6, 0.2, (("H60", "H94"), ("J30", "J39"), ("C00", "C14")),
               age=(5, 50, 90), care=(0.05, 0.15, 0.8)),
    Department("ØYE", 6, 0.2, (("H00", "H58"),), age=(10, 65, 95), care=(0.0, 0.2, 0.8)),
    Department("GYN", 6, 0.2, (("N70", "N97"), ("D25", "D28"), ("C51", "C58")),
               age=(18, 45, 85), sex="K", care=(0.1, 0.15, 0.75)),
    Department("FØD", 4, 0.1, (("O10", "O48"), ("O85", "O92"), ("O98", "O99")),
               age=(18, 31, 45), sex="K", care=(0.2, 0.0, 0.8), nights=(1, 4)),
    Department("PED", 7, 0.2,
               (*_INFECTIONS, ("H60", "H94"), ("J00", "J99"), ("K00", "K93"), ("L00", "L99")),
               age=(1, 6, 17), care=(0.15, 0.05, 0.8), nights=(1, 4)),
    Department("ONK", 6, 0.15, (("C00", "C76"), ("C81", "C96"), ("D00", "D09")),
               age=(30, 65, 92), care=(0.2, 0.3, 0.5), nights=(2, 10)),
)
# fmt: on
