"""Clinical profiles of the surgical departments: KIR, ORT, URO, ØNH, ØYE.

Notation in `kodevakt.synth.profile`. Injuries carry the Norwegian external-cause codes
(`W0n.0r` fall at home during other activity, `W0n.6r` in a nursing home, `W0n.8p` outdoors
during sport ...), which the year's multiple-coding rule groups with the injury or not.
Laterality (`SIDE`) goes on operations on paired organs. The table is kept out of the
formatter (one profile per paragraph).
"""

from __future__ import annotations

from kodevakt.synth.profile import Profile as P

INF = frozenset({"infection"})
INJURY = frozenset({"injury"})
CANCER = frozenset({"cancer"})

_HIP_OTHER = (
    (0.3, "I10"),
    (0.25, "F03"),
    (0.15, "E11.9"),
    (0.15, "M81.9"),
    (0.15, "I48.2"),
    (0.1, "F05.9"),
    (0.1, "N18.3"),
)
_ELECTIVE = ((0.3, "I10"), (0.1, "E11.9"), (0.1, "E66.9"))

# fmt: off
SURGICAL: tuple[P, ...] = (
    # --- gastrokirurgi ------------------------------------------------------------------
    P("appendisitt", "KIR", 5, "K35.8=3 | K35.3=2 | K35.2", age=(10, 28, 80),
      care=(1, 0, 0), nights=(1, 4), acute=1.0, proc=((0.97, "JEA01=6 | JEA00"),),
      repeat=0.0, follow="Z09.0", tags=INF),
    P("gallestein", "KIR", 4, "K80.2", age=(25, 52, 85), male=0.3, care=(0.4, 0.6, 0),
      nights=(1, 2), proc=((1.0, "JKA21=9 | JKA20"),), other=_ELECTIVE, follow="Z09.0",
      repeat=0.0),
    P("kolecystitt", "KIR", 3, "K80.0=2 | K81.0", age=(30, 62, 92), male=0.45,
      care=(1, 0, 0), nights=(2, 6), acute=1.0, proc=((0.6, "JKA21"),),
      other=((0.2, "E11.9"), (0.2, "I10")), tags=INF),
    P("lyskebrokk", "KIR", 4, "K40.9", age=(20, 60, 88), male=0.9, care=(0.15, 0.85, 0),
      nights=(1, 1), proc=((1.0, "JAB10+SIDE"),), other=((0.25, "I10"),), repeat=0.0),
    P("kolonkreft-hoyre", "KIR", 1.5, "C18.0 | C18.2=2", age=(50, 72, 92), care=(1, 0, 0),
      nights=(3, 10), proc=((0.95, "JFB33=3 | JFB30"),),
      other=((0.3, "I10"), (0.15, "E11.9"), (0.08, "C78.7")), follow="Z08.0",
      repeat=0.0, gap=(30, 90), tags=CANCER),
    P("kolonkreft-venstre", "KIR", 1.5, "C18.7", age=(50, 72, 92), care=(1, 0, 0),
      nights=(3, 10), proc=((0.95, "JFB63=3 | JFB60"),),
      other=((0.3, "I10"), (0.15, "E11.9"), (0.08, "C78.7")), follow="Z08.0",
      repeat=0.0, gap=(30, 90), tags=CANCER),
    P("tarmslyng", "KIR", 2, "K56.5=2 | K56.6", age=(40, 72, 95), care=(1, 0, 0),
      nights=(2, 8), acute=1.0, other=((0.2, "I10"),)),
    P("gastroskopi", "KIR", 4, "K21.0=2 | K29.5 | K25.3=0.5", age=(20, 58, 90),
      proc=((1.0, "UJD02"),), repeat=0.1),
    P("koloskopi", "KIR", 4, "K57.3=2 | D12.6=2 | K51.9 | K50.9=0.5", age=(25, 62, 90),
      proc=((1.0, "UJF32"),), repeat=0.2, gap=(90, 300)),
    P("sarinfeksjon", "KIR", 1, "T81.4/B95.6/Y83.8=2 | T81.4/Y83.8", age=(25, 62, 90),
      care=(0.6, 0, 0.4), nights=(2, 7), acute=0.9,
      tags=frozenset({"infection", "complication"})),
    # --- ortopedi -----------------------------------------------------------------------
    P("larhalsbrudd", "ORT", 5, "S72.00/W0n.0r=4 | S72.00/W0n.6r=2 | S72.00/W0n.2r",
      age=(65, 84, 100), male=0.3, care=(1, 0, 0), nights=(3, 9), acute=1.0,
      other=_HIP_OTHER, proc=((0.95, "NFB12+SIDE=4 | NFB02+SIDE"),),
      follow="Z09.0 | Z47.8", follow_proc=((0.7, "SNF0AA+XSIDE"),), repeat=0.0,
      gap=(30, 90), tags=INJURY),
    P("pertrokantaert-brudd", "ORT", 4, "S72.10/W0n.0r=4 | S72.10/W0n.6r=2",
      age=(65, 85, 100), male=0.3, care=(1, 0, 0), nights=(3, 9), acute=1.0,
      other=_HIP_OTHER, proc=((0.95, "NFJ51+SIDE"),), follow="Z09.0 | Z47.8",
      follow_proc=((0.7, "SNF0AA+XSIDE"),), repeat=0.0, gap=(30, 90), tags=INJURY),
    P("ankelbrudd", "ORT", 3, "S82.80/W0n.2r=2 | S82.80/W0n.8p", age=(18, 50, 85),
      male=0.45, care=(0.7, 0.3, 0), nights=(1, 4), acute=0.8,
      proc=((0.85, "NHJ62+SIDE"),), follow="Z09.0", repeat=0.0, gap=(10, 42),
      tags=INJURY),
    P("handleddsbrudd", "ORT", 4, "S52.50/W0n.2r=2 | S52.50/W0n.0r=2 | S52.50/W0n.3r=0.5",
      age=(8, 60, 92), male=0.3, care=(0.1, 0.3, 0.6), nights=(1, 2), acute=0.9,
      proc=((0.7, "NCJ05+SIDE=2 | NCJ65+SIDE"),), follow="Z47.8", repeat=0.0,
      gap=(7, 42), tags=INJURY),
    P("hofteartrose", "ORT", 3, "M16.1", age=(50, 70, 90), male=0.4, care=(0.9, 0.1, 0),
      nights=(1, 4), other=_ELECTIVE, proc=((1.0, "NFB40+SIDE=2 | NFB30+SIDE | NFB20+SIDE"),),
      follow="Z09.0", follow_proc=((0.6, "SNF0AA+XSIDE"),), repeat=0.0, gap=(42, 100)),
    P("kneartrose", "ORT", 3, "M17.1", age=(50, 69, 90), male=0.4, care=(0.9, 0.1, 0),
      nights=(1, 4), other=_ELECTIVE, proc=((1.0, "NGB40+SIDE=2 | NGB20+SIDE"),),
      follow="Z09.0", follow_proc=((0.5, "SNG0AA+XSIDE"),), repeat=0.0, gap=(42, 100)),
    P("skulder", "ORT", 4, "M75.1=2 | M75.4 | M75.5", age=(35, 58, 85), repeat=0.4),
    P("menisk", "ORT", 2, "M23.2", age=(20, 45, 75), male=0.6, repeat=0.2),
    P("rygg", "ORT", 3, "M54.4=2 | M54.5", age=(25, 50, 85), repeat=0.3),
    P("protesekomplikasjon", "ORT", 0.8, "T84.0/Y83.1=2 | T84.5/B95.6/Y83.1",
      age=(55, 76, 95), care=(1, 0, 0), nights=(3, 10), acute=0.6,
      proc=((0.6, "SNF0AA+XSIDE"),), tags=frozenset({"complication", "infection"})),
    # --- urologi ------------------------------------------------------------------------
    P("prostatahyperplasi", "URO", 3, "N40", age=(55, 72, 92), sex="M", care=(0.3, 0.3, 0.4),
      nights=(1, 3), proc=((0.5, "KED22"),), other=((0.3, "I10"),)),
    P("nyrestein", "URO", 3, "N20.1=2 | N20.0 | N13.2=0.5", age=(25, 50, 80), male=0.65,
      care=(0.5, 0, 0.5), nights=(1, 3), acute=0.7),
    P("blaerekreft", "URO", 2, "C67.9 | C67.2", age=(55, 74, 92), male=0.75,
      proc=((0.9, "UKC02"),), repeat=0.6, gap=(90, 180), tags=CANCER),
    P("prostatakreft-uro", "URO", 2, "C61", age=(55, 70, 90), sex="M", repeat=0.5,
      gap=(60, 180), tags=CANCER),
    P("hematuri", "URO", 2, "R31", age=(40, 65, 90), male=0.6, proc=((0.8, "UKC02"),)),
    P("hydrocele-fimose", "URO", 1, "N43.3 | N47", age=(5, 40, 80), sex="M"),
    # --- øre-nese-hals ------------------------------------------------------------------
    P("tonsillitt", "ØNH", 3, "J35.0=2 | J35.3", age=(4, 12, 45), care=(0.3, 0.7, 0),
      nights=(1, 1), proc=((1.0, "EMB10"),), repeat=0.0),
    P("dren", "ØNH", 2.5, "H65.3=2 | H65.2", age=(1, 3, 8), male=0.55, care=(0, 1, 0),
      proc=((1.0, "DCA20+ZXA10=2 | DCA20+SIDE"),), repeat=0.1),
    P("horsel", "ØNH", 3, "H91.1=2 | H90.3", age=(55, 75, 95), repeat=0.3),
    P("bihule", "ØNH", 2, "J32.9 | J32.0", age=(20, 45, 80)),
    P("svimmelhet", "ØNH", 1.5, "H81.1", age=(35, 62, 90), male=0.35),
    P("septum", "ØNH", 1.5, "J34.2", age=(18, 35, 70), male=0.65),
    P("peritonsillitt", "ØNH", 1, "J36", age=(15, 28, 60), care=(0.4, 0, 0.6),
      nights=(1, 3), acute=1.0, tags=INF),
    # --- øye ----------------------------------------------------------------------------
    P("katarakt", "ØYE", 5, "H25.1=3 | H25.9", age=(55, 75, 95), care=(0, 0.85, 0.15),
      proc=((1.0, "CJE20+SIDE"),), follow="Z09.0", repeat=0.6, gap=(14, 60)),
    P("amd", "ØYE", 4, "H35.3", age=(60, 80, 98), male=0.4,
      proc=((1.0, "CKD05+SIDE+S01LA05=2 | CKD05+SIDE+S01LA04"),), repeat=0.95, gap=(28, 56)),
    P("diabetisk-retinopati", "ØYE", 2, "E11.3+H36.0=2 | E10.3+H36.0", age=(30, 62, 90),
      proc=((0.3, "CKD05+SIDE+S01LA05"),), repeat=0.7, gap=(28, 120)),
    P("glaukom", "ØYE", 3, "H40.1", age=(50, 72, 95), repeat=0.7, gap=(90, 180)),
)
# fmt: on
