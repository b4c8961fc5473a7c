"""Structure of Norwegian procedure codes (NCSP, NCMP, NCRP), read from the code's shape.

The three procedure code systems were harmonised in 2016 so that a code's shape tells its
system (Kodeveiledning 2018, KV2018, ch. 5–8, pp. 41–69; §5.3 p. 42):

- NCMP: four letters and two digits (`WBOC10`), chapter = first letter. NCMP-shaped codes in
  chapter Z (the ZWNM codes for planned frequency, §6.5 p. 47) are additional codes.
- NCSP: three letters and two digits (`JKA21`) in chapters A–H, J–N, P–Q, Y and Z, never with
  the letters I or O (§7.2 p. 53). Chapter Z holds the additional codes (`ZXA00`). In chapters
  F, G, J, K, L, M and group BC the last digit gives the access (§7.2 pp. 54–55): 0/3/6 open,
  1/4/7 endoscopic through an incision or puncture, 2/5/8 transluminal endoscopic, except that
  chapter F uses 2/5/8 for percutaneous transluminal procedures and group BC counts every digit
  but 1/4/7 as conventional access. "Other" codes, for procedures not yet in the
  classification, have 9 in position 4 in those chapters and 99 in positions 4–5 elsewhere; in
  chapter Y the digits are serial numbers without meaning (§7.2 p. 55). W in position 2 marks a
  reoperation code (§7.3 p. 57).
- NCRP: six characters ending in the imaging modality letter (§8.2 pp. 61–63): image-guided
  interventions as three letters, two digits and the modality (`HAB16K`), filed under the NCSP
  organ chapters A–Q, with W in position 3 for "other" interventions; examinations (chapter S)
  and nuclear medicine (chapter T) as three letters, the digit 0 and two letters (`SHA0AA`,
  `TBA0AN`); NCRP additional codes and radiopharmaceuticals in group ZT with the same shape
  (`ZTX0EA`).

A code that has a system's shape but breaks that system's structure (`SNF00A`: a chapter S
examination written with an intervention's shape) still gets a `ProcedureShape`, with
`deviation` saying in Norwegian what does not fit. The shape alone never makes a code valid;
that is the code list's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

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

# Chapters where the last NCSP digit carries the access (KV2018 §7.2 p. 54), plus group BC.
_ACCESS_CHAPTERS = frozenset("FGJKLM")
# NCSP letters: every capital except I and O (KV2018 §7.2 p. 53).
_NCSP_LETTERS = frozenset("ABCDEFGHJKLMNPQRSTUVWXYZ")
# NCSP organ chapters, where NCRP files its image-guided interventions (KV2018 §8.2 p. 61–62).
_ORGAN_CHAPTERS = frozenset(NCSP_CHAPTERS) - {"Y", "Z"}


class Access(StrEnum):
    """Access that the last digit of an NCSP code gives (KV2018 §7.2 pp. 54–55)."""

    OPEN = "åpen eller konvensjonell tilgang"
    ENDOSCOPIC = "endoskopisk tilgang gjennom snitt eller innstikk"
    TRANSLUMINAL = "transluminal endoskopisk tilgang"
    PERCUTANEOUS_TRANSLUMINAL = "perkutan transluminal tilgang"


_ACCESS = {
    **dict.fromkeys("036", Access.OPEN),
    **dict.fromkeys("147", Access.ENDOSCOPIC),
    **dict.fromkeys("258", Access.TRANSLUMINAL),
}


@dataclass(frozen=True, slots=True)
class ProcedureShape:
    """What the shape of a procedure code says about it."""

    code: str
    system: System
    chapter: str
    chapter_name: str | None
    additional: bool
    access: Access | None = None
    modality: str | None = None
    other: bool = False
    reoperation: bool = False
    deviation: str | None = None

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

    @property
    def conforms(self) -> bool:
        """Whether the code fits the structure the rulebook gives for its system."""
        return self.deviation is None


def parse_procedure(code: str) -> ProcedureShape | None:
    """Read a canonical (upper-case, no spaces) procedure code; `None` if no procedure shape."""
    if _NCMP.fullmatch(code):
        return _ncmp(code)
    if _NCSP.fullmatch(code):
        return _ncsp(code)
    if _NCRP_INTERVENTION.fullmatch(code) or _NCRP_EXAMINATION.fullmatch(code):
        return _ncrp(code)
    return None


def _ncmp(code: str) -> ProcedureShape:
    chapter = code[0]
    return ProcedureShape(
        code=code,
        system=System.NCMP,
        chapter=chapter,
        chapter_name=NCMP_CHAPTERS.get(chapter) or NCSP_CHAPTERS.get(chapter),
        additional=chapter == "Z",
        other=code[4:6] == "99",
    )


def _ncsp(code: str) -> ProcedureShape:
    chapter = code[0]
    deviation = None
    if chapter not in NCSP_CHAPTERS:
        deviation = f"kapittel {chapter} finnes ikke i NCSP"
    elif not set(code[:3]) <= _NCSP_LETTERS:
        deviation = "NCSP bruker ikke bokstavene I og O"
    if chapter in "YZ":
        # Y: organ letters moved one place right, digits are serial numbers; Z: additional codes.
        return ProcedureShape(
            code=code,
            system=System.NCSP,
            chapter=chapter,
            chapter_name=NCSP_CHAPTERS[chapter],
            additional=chapter == "Z",
            deviation=deviation,
        )
    access_digits = chapter in _ACCESS_CHAPTERS or code.startswith("BC")
    access = _access(code) if access_digits else None
    return ProcedureShape(
        code=code,
        system=System.NCSP,
        chapter=chapter,
        chapter_name=NCSP_CHAPTERS.get(chapter),
        additional=False,
        access=access,
        other=code[3] == "9" if access_digits else code[3:5] == "99",
        reoperation=code[1] == "W",
        deviation=deviation,
    )


def _access(code: str) -> Access | None:
    digit = code[4]
    if code.startswith("BC"):
        # Adrenal gland: only 1, 4 and 7 carry meaning (endoscopic); the rest are conventional.
        if digit == "9":
            return None
        return Access.ENDOSCOPIC if digit in "147" else Access.OPEN
    access = _ACCESS.get(digit)
    if code[0] == "F" and access is Access.TRANSLUMINAL:
        return Access.PERCUTANEOUS_TRANSLUMINAL
    return access


def _ncrp(code: str) -> ProcedureShape:
    chapter = code[0]
    intervention = code[4].isdigit()
    deviation = None
    if intervention and chapter not in _ORGAN_CHAPTERS:
        deviation = (
            f"koder i kapittel {chapter} har formen tre bokstaver, ett siffer og to bokstaver"
            if chapter in NCRP_CHAPTERS
            else f"kapittel {chapter} har ingen NCRP-koder"
        )
    elif not intervention and chapter not in NCRP_CHAPTERS:
        deviation = "bildeveiledede intervensjoner har to sifre i posisjon 4 og 5"
    elif chapter in "ST" and code[3] != "0":
        deviation = f"posisjon 4 er alltid 0 i NCRP-kapittel {chapter}"
    elif chapter != "Z" and code[5] not in NCRP_MODALITIES:
        deviation = f"{code[5]} er ingen modalitetsbokstav i NCRP"
    return ProcedureShape(
        code=code,
        system=System.NCRP,
        chapter=chapter,
        chapter_name=NCRP_CHAPTERS.get(chapter) or NCSP_CHAPTERS.get(chapter),
        additional=chapter == "Z",
        modality=NCRP_MODALITIES.get(code[5]) if chapter != "Z" else None,
        other=intervention and chapter in _ORGAN_CHAPTERS and code[2] == "W",
        deviation=deviation,
    )
