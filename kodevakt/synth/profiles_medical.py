"""Clinical profiles of the medical departments: MED, KARD, NEVRO, PSYK, REHAB.

Notation in `kodevakt.synth.profile`. Care tuples are (inpatient, day, outpatient) weights;
ages (low, mode, high) in years. Codes are checked against the embedded ICD-10 list by
`tests/test_synth.py`. The table is kept out of the formatter (one profile per paragraph).
"""

from __future__ import annotations

from kodevakt.synth.profile import Profile as P

INF = frozenset({"infection"})
NUCLEAR = frozenset({"nuclear"})
ACUTE_IN = (1.0, 0.0, 0.0)

_OLD_AGE = (55, 80, 98)
_COMORBID = (
    (0.35, "I10"),
    (0.2, "E11.9=4 | E10.9"),
    (0.12, "F03"),
    (0.1, "N18.3=2 | N18.4"),
)

# fmt: off
MEDICAL: tuple[P, ...] = (
    # --- indremedisin -------------------------------------------------------------------
    P("pneumoni", "MED", 10, "J18.9=3 | J18.1=2 | J13=2 | J15.2=0.3", age=_OLD_AGE,
      care=(0.92, 0, 0.08), nights=(2, 8), acute=0.97, winter=True, gap=(10, 120),
      other=(*_COMORBID, (0.2, "J44.9"), (0.12, "I48.2=2 | I48.0"), (0.08, "E87.1")),
      proc=((0.7, "SSC0AA"), (0.08, "SSC0AD+ZTX0EA")),
      follow="Z09.8", follow_proc=((0.9, "SSC0AA"),), repeat=0.4,
      tags=frozenset({"infection", "pneumonia"})),
    P("covid", "MED", 3, "J12.8/U07.1", age=(45, 78, 98), care=(0.9, 0, 0.1), nights=(2, 10),
      acute=0.98, winter=True, years=(2020, 2100), other=_COMORBID,
      proc=((0.6, "SSC0AA"),), repeat=0.2, tags=frozenset({"infection", "covid"})),
    P("kols", "MED", 6, "J44.1=3 | J44.0=2 | J44.0/B96.3=0.5", age=(55, 74, 92),
      care=(0.85, 0, 0.15), nights=(2, 9), acute=0.95, winter=True,
      other=((0.3, "I10"), (0.15, "E11.9"), (0.15, "J96.0"), (0.2, "F17.2")),
      proc=((0.6, "SSC0AA"),), repeat=0.5, gap=(20, 120), tags=INF),
    P("kols-kontroll", "MED", 3, "J44.8=2 | J44.9", age=(50, 70, 90), proc=((0.3, "SSC0AA"),),
      other=((0.3, "F17.2"),), repeat=0.6, gap=(90, 180)),
    P("hjertesvikt-med", "MED", 6, "I50.0=3 | I50.1", age=(60, 82, 98), care=(0.85, 0, 0.15),
      nights=(2, 10), acute=0.92,
      other=((0.45, "I48.2=2 | I48.1"), (0.35, "I10"), (0.25, "N18.3=2 | N18.4"),
             (0.2, "E11.9"), (0.15, "I25.1"), (0.08, "D50.9")),
      proc=((0.7, "SSC0AA"),), follow="I50.0=2 | I50.1", repeat=0.5),
    P("urinveisinfeksjon", "MED", 6,
      "N39.0/B96.2=4 | N10/B96.2=3 | N30.0/B96.2=1 | N39.0=2 | N10/B96.2/U82.2=0.4"
      " | N39.0/B96.2/U82.2=0.4",
      age=(20, 80, 98), male=0.3, care=(0.8, 0, 0.2), nights=(1, 6), acute=0.95,
      other=((0.2, "F03"), (0.2, "E11.9"), (0.25, "I10"), (0.08, "N18.3")), tags=INF),
    P("urosepsis", "MED", 2.5, "N10/B96.2/R65.1=3 | N39.0/B96.2/R65.1=2 | J18.9/R65.1",
      age=(55, 80, 98), care=ACUTE_IN, nights=(3, 12), acute=1.0,
      other=((0.3, "I10"), (0.25, "E11.9"), (0.15, "N17.9"), (0.15, "F03")),
      proc=((0.5, "SSC0AA"),), repeat=0.2, tags=INF),
    P("gi-blodning", "MED", 3,
      "K25.0 | K25.4=2 | K26.4 | K92.1 | K92.1/Y4n/B01AF01=0.6 | K92.2/Y4n/B01AA03=0.4",
      age=(50, 78, 95), care=(0.85, 0, 0.15), nights=(1, 6), acute=0.9,
      other=((0.3, "D62"), (0.2, "I10"), (0.15, "I48.2")), proc=((0.85, "UJD02"),)),
    P("diabetes-kontroll", "MED", 8, "E10.9=3 | E11.9=3 | E11.3+H36.0 | E10.3+H36.0 | E11.6",
      age=(18, 55, 88), male=0.55, care=(0, 0.05, 0.95), other=((0.4, "I10"), (0.3, "E78.0")),
      repeat=0.85, gap=(60, 180)),
    P("tyreoidea", "MED", 3, "E05.0=2 | E05.1 | E04.1", age=(20, 50, 85), male=0.2,
      proc=((0.3, "TBA0AN+V09FX01"),), repeat=0.6, gap=(60, 180), tags=NUCLEAR),
    P("ibd", "MED", 3, "K50.0 | K50.9 | K51.0=2 | K51.9", age=(18, 38, 80), repeat=0.8,
      gap=(60, 180)),
    P("revmatisme", "MED", 3, "M05.9 | M06.9=2", age=(30, 58, 85), male=0.3, repeat=0.8,
      gap=(60, 180)),
    P("ketoacidose", "MED", 0.8, "E10.1", age=(15, 28, 70), care=ACUTE_IN, nights=(1, 5),
      acute=1.0, repeat=0.2),
    P("brystsmerter", "MED", 3, "R07.4=2 | R07.3", age=(30, 55, 85), care=(0.15, 0, 0.85),
      nights=(1, 2), acute=0.7, other=((0.15, "E78.0"), (0.1, "E11.9")),
      proc=((0.5, "SSC0AA"),), repeat=0.1),
    P("jernmangel", "MED", 2, "D50.0=2 | D50.9", age=(30, 70, 95), male=0.35,
      care=(0, 0.2, 0.8), proc=((0.5, "UJD02"), (0.3, "UJF32"))),
    P("hyponatremi", "MED", 2, "E87.1 | E86", age=(70, 85, 99), care=(0.9, 0, 0.1),
      nights=(1, 6), acute=0.95, other=((0.3, "F03"), (0.3, "I10"), (0.1, "N18.3"))),
    P("cellulitt", "MED", 2, "L03.1=3 | L03.1/B95.0 | A46", age=(30, 65, 95),
      care=(0.7, 0, 0.3), nights=(2, 7), acute=0.95,
      other=((0.3, "E11.9"), (0.2, "I10"), (0.1, "I87.2")), tags=INF),
    # --- kardiologi ---------------------------------------------------------------------
    P("nstemi", "KARD", 5, "I21.4", age=(45, 72, 95), male=0.65, care=ACUTE_IN, nights=(2, 6),
      acute=1.0, transfer=0.15,
      other=((0.5, "I10"), (0.35, "E78.0"), (0.25, "E11.9"), (0.2, "I48.0 | I48.2"),
             (0.15, "F17.2"), (0.1, "N18.3")),
      proc=((0.75, "FNG05"),), follow="I25.1=2 | I25.2", repeat=0.1, gap=(40, 90)),
    P("stemi", "KARD", 2, "I21.0 | I21.1", age=(40, 66, 92), male=0.7, care=ACUTE_IN,
      nights=(2, 5), acute=1.0, transfer=0.3,
      other=((0.4, "I10"), (0.3, "E78.0"), (0.2, "F17.2"), (0.15, "E11.9")),
      proc=((0.95, "FNG05"),), follow="I25.2", repeat=0.05, gap=(40, 90)),
    P("ustabil-angina", "KARD", 2, "I20.0", age=(45, 70, 92), male=0.65, care=(0.9, 0.1, 0),
      nights=(1, 4), acute=0.8, other=((0.4, "I10"), (0.3, "E78.0")), proc=((0.6, "FNG05"),)),
    P("koronarsykdom", "KARD", 5, "I25.1=2 | I20.8", age=(45, 68, 90), male=0.65,
      care=(0, 0.1, 0.9), other=((0.4, "I10"), (0.35, "E78.0"), (0.2, "E11.9")),
      proc=((0.35, "TFY0AN+V09GA02 | TFY0AN+V09GA01"),), repeat=0.5, gap=(90, 200),
      tags=NUCLEAR),
    P("hjertesvikt-kard", "KARD", 4, "I50.0=2 | I50.1 | I42.0", age=(50, 75, 95),
      care=(0.3, 0, 0.7), nights=(2, 8), acute=0.6,
      other=((0.4, "I48.2"), (0.3, "I10"), (0.2, "N18.3")), repeat=0.7, gap=(30, 120)),
    P("flimmer-konvertering", "KARD", 2, "I48.0 | I48.1=2", age=(40, 66, 88), male=0.6,
      care=(0, 1, 0), other=((0.4, "I10"),), proc=((0.95, "TFP00"),), repeat=0.3),
    P("flimmer-kontroll", "KARD", 3, "I48.0=2 | I48.1 | I48.2", age=(40, 70, 92), male=0.6,
      other=((0.4, "I10"), (0.15, "E11.9")), repeat=0.6, gap=(60, 180)),
    P("aortastenose", "KARD", 1.5, "I35.0", age=(65, 80, 95), other=((0.4, "I10"),)),
    P("av-blokk", "KARD", 1, "I44.2=2 | I49.5", age=(60, 78, 95), male=0.55,
      care=(0.8, 0.2, 0), nights=(1, 3), acute=0.5, proc=((0.9, "FPE26"),)),
    # --- nevrologi ----------------------------------------------------------------------
    P("hjerneinfarkt", "NEVRO", 6, "I63.4=2 | I63.5=2 | I63.9 | I61.9=0.5", age=(50, 76, 97),
      care=ACUTE_IN, nights=(3, 12), acute=1.0,
      other=((0.5, "I10"), (0.25, "I48.2=2 | I48.0"), (0.2, "E11.9"), (0.2, "E78.0"),
             (0.15, "R47.0"), (0.1, "F17.2")),
      proc=((0.9, "SAA0AD"), (0.3, "SAA0AG")), follow="I69.3", repeat=0.05, gap=(60, 120)),
    P("tia", "NEVRO", 3, "G45.9=3 | G45.1", age=(45, 72, 95), care=(0.7, 0, 0.3),
      nights=(1, 3), acute=0.9, other=((0.4, "I10"), (0.2, "E78.0")),
      proc=((0.8, "SAA0AD"),)),
    P("epilepsi", "NEVRO", 3, "G40.3=2 | G40.2=2 | G40.9", age=(18, 40, 85),
      care=(0.2, 0, 0.8), nights=(1, 4), acute=0.5, proc=((0.3, "SAA0AG"),), repeat=0.8,
      gap=(60, 180)),
    P("ms", "NEVRO", 2, "G35", age=(20, 40, 70), male=0.3, proc=((0.4, "SAA0AG"),),
      repeat=0.9, gap=(90, 180)),
    P("migrene", "NEVRO", 2, "G43.0=2 | G43.1", age=(16, 38, 70), male=0.25, repeat=0.4),
    P("parkinson", "NEVRO", 2, "G20", age=(55, 74, 92), male=0.6, repeat=0.8, gap=(90, 180)),
    P("karpaltunnel", "NEVRO", 1.5, "G56.0", age=(30, 55, 85), male=0.35),
    P("isjias", "NEVRO", 1.5, "M54.4=2 | M54.5", age=(25, 50, 85)),
    # --- psykisk helsevern og TSB -------------------------------------------------------
    P("depresjon", "PSYK", 8, "F32.1=3 | F33.1=2 | F32.2", age=(16, 35, 80), male=0.35,
      care=(0.06, 0, 0.94), nights=(5, 40), repeat=0.95, gap=(7, 30)),
    P("angst", "PSYK", 6, "F41.1=2 | F41.0 | F43.1", age=(16, 32, 75), male=0.35,
      care=(0.03, 0, 0.97), nights=(5, 30), repeat=0.95, gap=(7, 30)),
    P("schizofreni", "PSYK", 2.5, "F20.0", age=(18, 35, 70), male=0.65, care=(0.3, 0, 0.7),
      nights=(7, 60), acute=0.6, repeat=0.9, gap=(14, 60)),
    P("bipolar", "PSYK", 2, "F31.1 | F31.3", age=(18, 40, 75), care=(0.2, 0, 0.8),
      nights=(7, 40), acute=0.6, repeat=0.9, gap=(14, 60)),
    P("personlighet", "PSYK", 2, "F60.3", age=(16, 26, 55), male=0.2, care=(0.05, 0, 0.95),
      nights=(3, 20), acute=0.7, repeat=0.95, gap=(7, 21)),
    P("adhd", "PSYK", 3, "F90.0", age=(6, 12, 40), male=0.65, repeat=0.9, gap=(14, 60)),
    P("autisme", "PSYK", 1.5, "F84.0=2 | F84.5", age=(3, 8, 17), male=0.75, repeat=0.8,
      gap=(14, 60)),
    P("anoreksi", "PSYK", 1, "F50.0", age=(13, 17, 30), male=0.08, care=(0.15, 0.1, 0.75),
      nights=(14, 60), repeat=0.95, gap=(7, 21)),
    P("alkohol", "PSYK", 2.5, "F10.2", age=(25, 48, 75), male=0.7, care=(0.3, 0, 0.7),
      nights=(5, 21), repeat=0.8, gap=(14, 60)),
    # --- rehabilitering -----------------------------------------------------------------
    P("rehabilitering", "REHAB", 1, "Z50.89=2 | Z50.80", age=(45, 70, 92), care=ACUTE_IN,
      nights=(10, 28), other=((1.0, "I69.3=3 | Z96.6=2 | G35 | T93.1"), (0.4, "I10"),
                              (0.2, "E11.9")),
      proc=((0.7, "WMAA10"),), repeat=0.1, controls=False),
)
# fmt: on
