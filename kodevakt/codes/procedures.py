"""Structure of Norwegian procedure codes (NCSP, NCMP, NCRP), read from the code's shape.

The three procedure code systems were harmonised in 2016 so that a code's shape tells its
system (Kodeveiledning 2018 ch. 5–8, pp. 41–68):

- NCMP: four letters and two digits (`WBOC10`), chapter = first letter.
- NCSP: three letters and two digits (`JKA21`); chapter Z holds the additional codes
  (`ZXA00`). In chapters F, G, J, K, L, M (and group BC) the last digit gives the access
  (KV2018 §7.2 p. 54–55).
- NCRP: six characters ending in the imaging modality letter (KV2018 §8.2 p. 61):
  interventions as three letters, two digits, modality (`HAB16K`); examinations (chapter S),
  nuclear medicine (chapter T) and NCRP additional codes (`ZTX0EA`) as three letters, a digit
  and two letters.

The shape alone never makes a code valid; that is the code list's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kodevakt.codes.model import System

_NCMP = re.compile(r"[A-Z]{4}[0-9]{2}")
_NCSP = re.compile(r"[A-Z]{3}[0-9]{2}")
_NCRP_INTERVENTION = re.compile(r"[A-Z]{3}[0-9]{2}[A-Z]")
_NCRP_EXAMINATION = re.compile(r"[A-Z]{3}[0-9][A-Z]{2}")

NCSP_CHAPTERS = {
    "A": "Nervesystemet",
    "B": "Endokrine organer",
    "C": "Øyet og øyeregionen",
    "D": "Øre, nese, bihuler og strupehode",
    "E": "Tenner, kjeve, munn og svelg",
    "F": "Hjertet og de store intratorakale kar",
    "G": "Brystvegg, pleura, diafragma, luftrør, bronkier, lunger og mediastinum",
    "H": "Bryst (mamma)",
    "J": "Fordøyelsesorganer og milt",
    "K": "Urinorganer, mannlige kjønnsorganer og retroperitonealrommet",
    "L": "Kvinnelige kjønnsorganer",
    "M": "Fødselshjelp og prosedyrer under svangerskap",
    "N": "Bevegelsesapparatet",
    "P": "Perifere kar og lymfesystemet",
    "Q": "Hud",
    "Y": "Transplantasjon: uttak av organer og vev",
    "Z": "Tilleggskoder",
}

NCMP_CHAPTERS = {
    "I": "Psykisk helsevern og tverrfaglig spesialisert rusbehandling",
    "O": "Habilitering og rehabilitering",
    "W": "Tiltak ikke klassifisert i andre kapitler",
}

NCRP_CHAPTERS = {
    "S": "Bildediagnostiske undersøkelser",
    "T": "Nukleærmedisinske prosedyrer",
    "Z": "Tilleggskoder og radiofarmaka",
}

NCRP_MODALITIES = {
    "A": "Røntgen (RG)",
    "B": "Røntgen-arteriografi (RGA)",
    "C": "Røntgen-venografi (RGV)",
    "D": "CT",
    "G": "MR",
    "K": "Ultralyd (UL)",
    "L": "PET/CT",
    "M": "PET/MR",
    "N": "Scintigrafi (NM)",
    "P": "CT-angiografi",
    "Q": "MR-angiografi",
    "T": "Nukleærmedisinsk terapi",
    "X": "Ikke nærmere angitt",
}

# Chapters where the last NCSP digit carries the access (KV2018 §7.2 p. 54).
_ACCESS_CHAPTERS = frozenset("FGJKLM")
_ACCESS = {
    "0": "åpen eller konvensjonell tilgang",
    "3": "åpen eller konvensjonell tilgang",
    "6": "åpen eller konvensjonell tilgang",
    "1": "endoskopisk tilgang gjennom snitt eller innstikk",
    "4": "endoskopisk tilgang gjennom snitt eller innstikk",
    "7": "endoskopisk tilgang gjennom snitt eller innstikk",
    "2": "transluminal endoskopisk tilgang",
    "5": "transluminal endoskopisk tilgang",
    "8": "transluminal endoskopisk tilgang",
}


@dataclass(frozen=True, slots=True)
class ProcedureShape:
    """What the shape of a procedure code says about it."""

    code: str
    system: System
    chapter: str
    chapter_name: str | None
    additional: bool
    access: str | None = None
    modality: str | None = None
    other: bool = False
    reoperation: bool = False

    @property
    def imaging(self) -> bool:
        """NCRP diagnostic imaging examination (chapter S)."""
        return self.system is System.NCRP and self.chapter == "S"

    @property
    def nuclear_medicine(self) -> bool:
        """NCRP nuclear-medicine procedure (chapter T)."""
        return self.system is System.NCRP and self.chapter == "T"

    @property
    def image_guided(self) -> bool:
        """NCRP image-guided intervention, filed under the NCSP organ chapters."""
        return self.system is System.NCRP and self.chapter not in NCRP_CHAPTERS


def parse_procedure(code: str) -> ProcedureShape | None:
    """Read a canonical (upper-case, no spaces) procedure code; `None` if no procedure shape."""
    chapter = code[:1]
    if _NCMP.fullmatch(code):
        return ProcedureShape(
            code=code,
            system=System.NCMP,
            chapter=chapter,
            chapter_name=NCMP_CHAPTERS.get(chapter) or NCSP_CHAPTERS.get(chapter),
            additional=False,
            other=code[4:6] == "99",
        )
    if _NCSP.fullmatch(code):
        access = None
        if chapter in _ACCESS_CHAPTERS or code.startswith("BC"):
            access = _ACCESS.get(code[4])
        other = code[3:5] == "99" or (chapter in _ACCESS_CHAPTERS and code[3] == "9")
        return ProcedureShape(
            code=code,
            system=System.NCSP,
            chapter=chapter,
            chapter_name=NCSP_CHAPTERS.get(chapter),
            additional=chapter == "Z",
            access=access if chapter != "Z" else None,
            other=other and chapter != "Z",
            reoperation=code[1] == "W" and chapter not in "YZ",
        )
    if _NCRP_INTERVENTION.fullmatch(code) or _NCRP_EXAMINATION.fullmatch(code):
        return ProcedureShape(
            code=code,
            system=System.NCRP,
            chapter=chapter,
            chapter_name=NCRP_CHAPTERS.get(chapter) or NCSP_CHAPTERS.get(chapter),
            additional=chapter == "Z",
            modality=NCRP_MODALITIES.get(code[5]) if chapter != "Z" else None,
        )
    return None
