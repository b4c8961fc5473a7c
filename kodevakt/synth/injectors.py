"""Deliberate coding errors, each of a kind a rule in `domain/rules.md` catches.

An injector changes one clean episode so that it carries exactly one known error and records
the rule code that should catch it. Injectors know the catalogue, never the rule
implementations: they are the independent answer key for measuring the checker's recall.

Each injector has a guard (does the error fit this episode: a sex conflict needs a patient,
a missing drug needs a drug treatment ...) and an edit. The generator picks one injector at
random among those whose guard holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

from kodevakt.synth.profile import Profile

Episode = dict[str, Any]

# Non-existent codes of valid shape (checked in the tests against the embedded list).
UNKNOWN_CODES = ("J12.7", "K35.9", "E11.99", "I21.5", "J18.3")
# Code prefixes of infections, for guards; generous, since a guard may skip too many
# episodes but never too few.
# fmt: off
_INFECTION = (
    "A", "B", "H6", "J0", "J1", "J20", "J21", "J22", "J3", "J44.0", "J85", "J86", "K35", "K57",
    "K6", "K80.0", "K81", "L0", "M00", "M01", "M86", "N10", "N30", "N39.0", "N7", "T81.4",
    "T84.5", "U07", "U8", "R65", "R57.2",
)
# fmt: on
_ADDITIONAL = ("B95", "B96", "B97", "B98", "U8", "V", "W", "X", "Y")
_PREGNANCY_Z = frozenset({"Z33", "Z34", "Z35", "Z36", "Z37", "Z39"})


@dataclass(frozen=True, slots=True)
class Context:
    """What an injector may know about the episode it edits."""

    profile: Profile | None  # a long-tail episode has a pseudo-profile tagged "tail"
    dept: str
    sex: str
    age: int
    grouped: bool  # additional codes are grouped with their condition this year
    year: int
    discharge_day: str


@dataclass(frozen=True, slots=True)
class Injector:
    code: str  # rule code in domain/rules.md
    name: str
    applies: Callable[[Episode, Context], bool]
    apply: Callable[[Episode, Context, Random], None]
    weight: float = 1.0  # errors that fit few episodes weigh more, so each is seen often


def _codes(ep: Episode) -> list[str]:
    return [code for group in ep["conditions"] for code in group]


def _infections(groups: list[list[str]]) -> bool:
    return any(code.startswith(_INFECTION) for group in groups for code in group)


def _infection_free(ep: Episode, ctx: Context) -> bool:
    """No infection in the episode (long-tail codes are not vouched for: abscesses hide in
    many chapters)."""
    if ctx.profile is None or ctx.profile.tags & {"infection", "tail"}:
        return False
    return not _infections(ep["conditions"])


def _replace_main(ep: Episode, ctx: Context, *codes: str) -> None:
    """Replace the main condition by `codes` (first code plus additional codes of the year)."""
    groups = [list(codes)] if ctx.grouped else [[code] for code in codes]
    ep["conditions"][0:1] = groups


def _append(*choices: str) -> Callable[[Episode, Context, Random], None]:
    """An edit that adds one of `choices` as a condition of its own."""

    def edit(ep: Episode, ctx: Context, rng: Random) -> None:
        ep["conditions"].append([choices[int(rng.random() * len(choices))]])

    return edit


def _is_atc(code: str) -> bool:
    return len(code) == 7 and code[0].isalpha() and code[1:3].isdigit() and code[5:].isdigit()


# --- edits --------------------------------------------------------------------------------
def _asterisk_first(ep: Episode, ctx: Context, rng: Random) -> None:
    dagger = "E10.3" if ctx.age < 30 or rng.random() < 0.3 else "E11.3"
    ep["conditions"].append(["H36.0", dagger])


def _covid_main(ep: Episode, ctx: Context, rng: Random) -> None:
    conditions = ep["conditions"]
    main = conditions[0]
    if "U07.1" in main:
        main.remove("U07.1")
        main.insert(0, "U07.1")
    elif ["U07.1"] in conditions:
        conditions.remove(["U07.1"])
        conditions.insert(0, ["U07.1"])
    else:
        conditions.insert(0, ["U07.1"])


def _additional_first(ep: Episode, ctx: Context, rng: Random) -> None:
    conditions = ep["conditions"]
    main = conditions[0]
    if len(main) > 1 and main[1].startswith(_ADDITIONAL):
        main[0], main[1] = main[1], main[0]
    elif len(conditions) > 1 and conditions[1][0].startswith(_ADDITIONAL):
        conditions[0], conditions[1] = conditions[1], conditions[0]
    else:
        main.insert(0, "W0n.0r" if main[0].startswith(("S", "T")) else "B96.2")


def _duplicate(ep: Episode, ctx: Context, rng: Random) -> None:
    ep["conditions"].append([ep["conditions"][0][0]])


def _metastasis_first(ep: Episode, ctx: Context, rng: Random) -> None:
    conditions = ep["conditions"]
    for i, group in enumerate(conditions):
        if group[0].startswith(("C77", "C78", "C79")):
            conditions.insert(0, conditions.pop(i))
            return
    conditions.insert(0, [rng.choice(("C79.5", "C78.0", "C78.7"))])


def _complication(ep: Episode, ctx: Context, rng: Random) -> None:
    ep["conditions"].append(["T84.0" if ctx.dept == "ORT" else "T81.4"])


def _heading(ep: Episode, ctx: Context, rng: Random) -> None:
    ep["conditions"].append(["E10" if ctx.age < 30 else "E11"])


def _unknown(ep: Episode, ctx: Context, rng: Random) -> None:
    ep["conditions"].append([rng.choice(UNKNOWN_CODES)])


def _nonstandard(ep: Episode, ctx: Context, rng: Random) -> None:
    main = ep["conditions"][0]
    code = main[0]
    if "." in code and rng.random() < 0.6:
        main[0] = code.replace(".", ",")
    else:
        main[0] = code.lower()


def _dates_reversed(ep: Episode, ctx: Context, rng: Random) -> None:
    ep["admission"], ep["discharge"] = ep["discharge"], ep["admission"]


def _procedure_z_first(ep: Episode, ctx: Context, rng: Random) -> None:
    for group in ep["procedures"]:
        codes = group["codes"]
        if len(codes) > 1 and codes[1].startswith("Z"):
            codes[0], codes[1] = codes[1], codes[0]
            return
    urgency = "ZXD00" if ep["urgency"] == "acute" else "ZXD10"
    ep["procedures"].append({"codes": [urgency], "date": ep["admission"][:10]})


def _drug_missing(ep: Episode, ctx: Context, rng: Random) -> None:
    for group in ep["procedures"]:
        if group["codes"][0].startswith("WBOC"):
            group["codes"] = [c for c in group["codes"] if not _is_atc(c)]
            return


def _procedure_after_discharge(ep: Episode, ctx: Context, rng: Random) -> None:
    late = date.fromisoformat(ctx.discharge_day) + timedelta(days=rng.randint(1, 3))
    rng.choice(ep["procedures"])["date"] = late.isoformat()


def _radiopharmaceutical_missing(ep: Episode, ctx: Context, rng: Random) -> None:
    for group in ep["procedures"]:
        if _nuclear(group["codes"][0]):
            group["codes"] = [c for c in group["codes"] if not c.startswith(("V09", "V10"))]
            return
    code = "TFY0AN" if ctx.dept == "KARD" else "TSY0AN"
    ep["procedures"].append({"codes": [code], "date": ep["admission"][:10]})


def _nuclear(code: str) -> bool:
    return len(code) == 6 and code[0] == "T" and code[5] == "N"


# --- guards -------------------------------------------------------------------------------
def _always(ep: Episode, ctx: Context) -> bool:
    return True


def _adult(ep: Episode, ctx: Context) -> bool:
    return ctx.age >= 18


def _has_primary(ep: Episode, ctx: Context) -> bool:
    first = ep["conditions"][0][0]
    return first[0] == "C" and not first.startswith(("C77", "C78", "C79", "C80"))


def _pregnant(ep: Episode, ctx: Context) -> bool:
    """A pregnancy episode without O24 (with O24 coded, a diabetes code may only add the type)."""
    codes = _codes(ep)
    if ctx.sex != "K" or any(c.startswith("O24") for c in codes):
        return False
    return any(c[0] == "O" or c[:3] in _PREGNANCY_Z for c in codes)


def _drug_treatment(ep: Episode, ctx: Context) -> bool:
    return any(
        g["codes"][0].startswith("WBOC") and any(_is_atc(c) for c in g["codes"])
        for g in ep["procedures"]
    )


def _nuclear_fits(ep: Episode, ctx: Context) -> bool:
    return ctx.dept in ("ONK", "KARD") or any(_nuclear(g["codes"][0]) for g in ep["procedures"])


INJECTORS: tuple[Injector, ...] = (
    Injector("T02", "asterisk-first", _adult, _asterisk_first),
    Injector(
        "T04",
        "covid-as-main",
        lambda ep, ctx: ctx.year >= 2020 and ctx.dept in ("MED", "PED", "KARD", "NEVRO"),
        _covid_main,
    ),
    Injector(
        "T04", "observation-as-main", _always, lambda ep, ctx, rng: _replace_main(ep, ctx, "Z03.8")
    ),
    Injector("T05", "additional-code-as-main", _always, _additional_first),
    Injector("T06", "who-only-code", lambda ep, ctx: ctx.age >= 40, _append("I25.0")),
    Injector(
        "T07",
        "sex-conflict",
        lambda ep, ctx: ctx.age >= 12,
        lambda ep, ctx, rng: ep["conditions"].append(["N83.2" if ctx.sex == "M" else "N40"]),
    ),
    Injector("T08", "liveborn-code-for-adult", _adult, _append("Z38.0")),
    Injector("T10", "duplicate-condition", _always, _duplicate),
    Injector(
        "T12",
        "collective-code-as-main",
        lambda ep, ctx: ctx.age >= 35,
        lambda ep, ctx, rng: _replace_main(ep, ctx, "E11.7"),
    ),
    Injector("T14", "diabetes-in-pregnancy", _pregnant, _append("E11.9", "E10.9"), 6.0),
    Injector("T17", "sirs-without-infection", _infection_free, _append("R65.1")),
    Injector(
        "T18",
        "sirs-with-sepsis-code",
        lambda ep, ctx: ctx.age >= 18 and ctx.dept in ("MED", "KIR", "URO", "ONK"),
        lambda ep, ctx, rng: _replace_main(
            ep, ctx, rng.choice(("A41.0", "A41.5", "A41.9")), "R65.1"
        ),
        2.0,
    ),
    Injector(
        "T20",
        "microbe-already-named",
        # standalone (before 2024), B95.3 could describe another infection in the episode
        lambda ep, ctx: (
            ctx.dept in ("MED", "PED") and (ctx.grouped or not _infections(ep["conditions"][1:]))
        ),
        lambda ep, ctx, rng: _replace_main(ep, ctx, "J13", "B95.3"),
        2.0,
    ),
    Injector("T21", "resistance-without-microbe", _infection_free, _append("U82.1", "U82.2")),
    Injector("T22", "metastasis-first", _has_primary, _metastasis_first, 4.0),
    Injector(
        "T28",
        "complication-without-cause",
        lambda ep, ctx: not any(c.startswith(("Y83", "Y84", "Y4", "Y5")) for c in _codes(ep)),
        _complication,
    ),
    Injector("K01", "unknown-code", _always, _unknown),
    Injector("K03", "heading-code", lambda ep, ctx: ctx.age >= 10, _heading),
    Injector("K04", "non-standard-form", _always, _nonstandard),
    Injector("E01", "discharge-before-admission", _always, _dates_reversed),
    Injector("P01", "procedure-additional-code-first", _always, _procedure_z_first),
    Injector(
        "P04", "radiopharmaceutical-missing", _nuclear_fits, _radiopharmaceutical_missing, 3.0
    ),
    Injector("P05", "drug-missing", _drug_treatment, _drug_missing, 8.0),
    Injector(
        "P09",
        "procedure-after-discharge",
        lambda ep, ctx: bool(ep["procedures"]),
        _procedure_after_discharge,
    ),
)


def inject(ep: Episode, ctx: Context, rng: Random) -> str:
    """Give `ep` one error from an injector whose guard holds; return its rule code."""
    candidates = [inj for inj in INJECTORS if inj.applies(ep, ctx)]
    point = rng.random() * sum(inj.weight for inj in candidates)
    for chosen in candidates:
        point -= chosen.weight
        if point < 0:
            break
    chosen.apply(ep, ctx, rng)
    return chosen.code
