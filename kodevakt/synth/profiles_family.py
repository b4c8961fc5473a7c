"""Clinical profiles for women and children, and oncology: GYN, FØD, PED, ONK.

Notation in `kodevakt.synth.profile`. Deliveries always carry the result of delivery
(`Z37.0`) as a condition of its own, the way the mother's episode is registered; O80–O84 do
not exist in the Norwegian edition, so the main condition is what complicated or shaped the
delivery (tear, post-term, preterm labour, prolonged second stage ...), and the delivery
method shows in the procedure codes (NCSP chapter M). A newborn's birth episode has `Z38.x`
first and the newborn's own conditions (P-codes) after it. Drug treatment of tumours is coded
with the tumour as the main condition (KV2018 §9.5; Z51.1 is not in the Norwegian edition) and
a WBOC procedure carrying the drugs' ATC codes. The table is kept out of the formatter.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kodevakt.synth.profile import Profile as P

PREGNANT = frozenset({"pregnancy"})
DELIVERY = frozenset({"pregnancy", "delivery"})
CANCER = frozenset({"cancer"})
CHEMO = frozenset({"cancer", "chemo"})
INF = frozenset({"infection"})

_MOTHER = (18, 31, 45)
_MOTHER_OTHER = ((1.0, "Z37.0"), (0.12, "O99.0"), (0.08, "O24.4"))


def _birth(key: str, weight: float, main: str, **changes: Any) -> P:
    """A delivery: the mother's inpatient stay, with the result of delivery and follow-up."""
    base = P(
        key, "FØD", weight, main, age=_MOTHER, sex="K", care=(1.0, 0.0, 0.0), nights=(1, 3),
        acute=1.0, other=_MOTHER_OTHER, repeat=0.0, follow="Z39.2", gap=(30, 60), tags=DELIVERY,
    )  # fmt: skip
    return replace(base, **changes)


# fmt: off
FAMILY: tuple[P, ...] = (
    # --- gynekologi ---------------------------------------------------------------------
    P("hysterektomi", "GYN", 2, "D25.9=2 | N92.0=2 | N92.4", age=(35, 46, 56), sex="K",
      care=(0.8, 0.2, 0), nights=(1, 3), proc=((1.0, "LCD01=2 | LCD00"),), follow="Z09.0",
      repeat=0.0, gap=(28, 60)),
    P("blodningsforstyrrelse", "GYN", 3, "N92.0=2 | N92.4 | N95.0", age=(25, 47, 70),
      sex="K", repeat=0.3),
    P("ovarialcyste", "GYN", 2.5, "N83.2", age=(18, 35, 70), sex="K", repeat=0.3),
    P("celleforandringer", "GYN", 2.5, "N87.1=2 | N87.2", age=(23, 32, 50), sex="K",
      care=(0, 0.6, 0.4), proc=((0.6, "LDC10"),), repeat=0.4, gap=(90, 180)),
    P("prolaps", "GYN", 2, "N81.1=2 | N81.2", age=(45, 65, 88), sex="K"),
    P("spontanabort", "GYN", 2, "O02.1=2 | O03.9", age=_MOTHER, sex="K", care=(0, 0.4, 0.6),
      acute=0.7, tags=PREGNANT),
    P("endometriekreft", "GYN", 1, "C54.1", age=(50, 66, 85), sex="K", care=(1, 0, 0),
      nights=(1, 4), proc=((0.9, "LCD01"),), follow="Z08.0", repeat=0.0, gap=(28, 90),
      tags=CANCER),
    P("infertilitet", "GYN", 1.5, "N97.9", age=(25, 33, 42), sex="K", repeat=0.5),
    # --- fødsel og svangerskap ----------------------------------------------------------
    _birth("fodsel-rift", 5, "O70.0=3 | O70.1=2"),
    _birth("fodsel-overtid", 2, "O48", other=(*_MOTHER_OTHER, (0.2, "O70.0"))),
    _birth("fodsel-vannavgang", 2, "O42.0=2 | O42.1"),
    _birth("fodsel-prematur", 1, "O60.1", nights=(2, 6)),
    _birth("fodsel-vakuum", 1.5, "O63.1=2 | O68.0 | O62.2", proc=((1.0, "MAE00"),)),
    _birth("keisersnitt", 2.5, "O34.2=3 | O32.1=2 | O64.0 | O68.0 | O14.1=0.5",
           proc=((1.0, "MCA10"),), nights=(2, 5)),
    P("svangerskapskvalme", "FØD", 1, "O21.0", age=_MOTHER, sex="K", care=(0.4, 0, 0.6),
      nights=(1, 4), acute=0.8, tags=PREGNANT),
    P("preeklampsi", "FØD", 1, "O14.1 | O13=2", age=_MOTHER, sex="K", care=(0.4, 0, 0.6),
      nights=(1, 5), acute=0.7, repeat=0.6, gap=(7, 21), tags=PREGNANT),
    P("truende-prematur", "FØD", 1, "O47.0", age=_MOTHER, sex="K", care=(0.5, 0, 0.5),
      nights=(1, 3), acute=1.0, tags=PREGNANT),
    P("svangerskapsdiabetes", "FØD", 1.5, "O24.4", age=_MOTHER, sex="K", repeat=0.8,
      gap=(14, 28), tags=PREGNANT),
    P("risikosvangerskap", "FØD", 2, "Z35.8", age=_MOTHER, sex="K", repeat=0.8,
      gap=(14, 42), tags=PREGNANT),
    # --- barn ---------------------------------------------------------------------------
    P("nyfodt-frisk", "PED", 2, "Z38.0=30 | Z38.3", newborn=True, care=(1, 0, 0),
      nights=(1, 3), acute=1.0, repeat=0.0, controls=False),
    P("nyfodt-syk", "PED", 2.5, "Z38.0=9 | Z38.3", newborn=True, care=(1, 0, 0),
      nights=(2, 14), acute=1.0, repeat=0.0, controls=False,
      other=((1.0, "P07.3=2 | P59.9=2 | P22.1=2 | P70.0 | P05.1 | P92.0=0.5"),
             (0.1, "P28.4"))),
    P("bronkiolitt", "PED", 3, "J21.0=3 | J21.9", age=(0, 0, 1), care=(0.8, 0, 0.2),
      nights=(1, 5), acute=1.0, winter=True, repeat=0.1, tags=INF),
    P("gastroenteritt", "PED", 2.5, "A08.0=2 | A08.4 | A09.0", age=(0, 2, 10),
      care=(0.5, 0, 0.5), nights=(1, 3), acute=1.0, other=((0.4, "E86"),), winter=True,
      tags=INF),
    P("astma", "PED", 2.5, "J45.0 | J45.9", age=(2, 7, 17), care=(0.3, 0, 0.7),
      nights=(1, 3), acute=0.6, repeat=0.6, gap=(30, 120)),
    P("diabetes-barn", "PED", 2, "E10.9=4 | E10.1", age=(3, 11, 17), care=(0.1, 0, 0.9),
      nights=(1, 4), repeat=0.9, gap=(60, 120)),
    P("otitt", "PED", 2, "H66.0", age=(0, 2, 8), acute=0.9, tags=INF),
    P("feberkramper", "PED", 1.5, "R56.0", age=(0, 1, 5), care=(0.7, 0, 0.3), nights=(1, 2),
      acute=1.0, other=((0.4, "J06.9"),)),
    P("epilepsi-barn", "PED", 1.5, "G40.3 | G40.2", age=(2, 9, 17), repeat=0.7,
      gap=(60, 180)),
    # --- kreftbehandling ----------------------------------------------------------------
    P("brystkreft-kur", "ONK", 6, "C50.4=3 | C50.8=2 | C50.2 | C50.9", age=(30, 56, 82),
      sex="K", care=(0, 0.6, 0.4),
      proc=((1.0, "WBOC10+L01DB03+L01AA01=3 | WBOC10+L01CD02=2 | WBOC10+L01CD01=2"
                  " | WBOC10+L01FD01=2"),),
      other=((0.2, "C77.3"), (0.05, "C79.5")), follow="Z08.2 | Z08.7", repeat=0.9,
      gap=(14, 28), tags=CHEMO),
    P("lungekreft-kur", "ONK", 4, "C34.1=3 | C34.3=2 | C34.8", age=(50, 70, 88),
      care=(0.1, 0.6, 0.3), nights=(1, 4),
      proc=((1.0, "WBOC10+L01XA02+L01BA04=3 | WBOC10+L01FF02=2 | WBOC10+L01XA01+L01CB01"),),
      other=((0.25, "C79.5"), (0.15, "C78.7"), (0.3, "J44.9"), (0.2, "F17.2")),
      repeat=0.9, gap=(14, 28), tags=CHEMO),
    P("tarmkreft-kur", "ONK", 3, "C18.7=2 | C18.2 | C20=2", age=(45, 68, 88),
      care=(0, 0.7, 0.3), proc=((1.0, "WBOC10+L01XA03+L01BC02=3 | WBOC10+L01BC06"),),
      other=((0.2, "C78.7"),), follow="Z08.7", repeat=0.9, gap=(14, 21), tags=CHEMO),
    P("prostatakreft-kur", "ONK", 2.5, "C61", age=(55, 74, 92), sex="M",
      proc=((0.8, "WBOC10+L02AE02"), (0.15, "TSY0AN+V09BA02")),
      other=((0.2, "C79.5"), (0.4, "I10")), repeat=0.8, gap=(28, 90),
      tags=frozenset({"cancer", "chemo", "nuclear"})),
    P("noytropeni", "ONK", 1, "D70/Y4n/L01DB03", age=(30, 56, 82), sex="K",
      care=(1, 0, 0), nights=(2, 7), acute=1.0, other=((1.0, "C50.4=2 | C50.8"),),
      repeat=0.0),
    P("kreft-innleggelse", "ONK", 2, "C34.1=2 | C25.9 | C18.7 | C16.9", age=(50, 75, 95),
      care=(1, 0, 0), nights=(3, 14), acute=0.7,
      other=((0.5, "C78.7 | C79.5 | C78.0"), (0.3, "I10")), repeat=0.3, tags=CANCER),
    P("kreft-kontroll", "ONK", 4, "Z08.0 | Z08.2 | Z08.7=2", age=(40, 65, 88),
      other=((0.3, "I10"),), repeat=0.5, gap=(90, 180)),
)
# fmt: on
