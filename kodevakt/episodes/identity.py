"""Episode ids for extracts that carry none, derived from the data so that they survive.

A coder's status on a finding is kept by episode id. An id made of file name and line changes
when the corrected extract comes back under a new name or sorted differently: everything is
stored twice and the statuses are lost. So the id is a digest of what identifies a contact:
patient, institution, department, admission date and time, and care level. It leaves out what
a correction changes (codes, discharge), and is the same whatever the file or row order.

Two rows with the same key in one file are told apart by their order (`-2`, `-3`, …). Only
such duplicates depend on row order: re-sorting an extract can swap their ids, which are
indistinguishable by their key anyway. Without a patient or admission column there is no
such key (many patients share a clinic's 08:00 slot), and a shared id would carry one
patient's statuses to another's episode; then the digest covers the whole row, which is at
least stable while the row is unchanged, and the user is warned.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from kodevakt.episodes.model import CareLevel

ID_COLUMNS = ("episodeID", "episode_id", "id", "aggrshoppID_LNr")
PATIENT_COLUMNS = ("lopenr", "pasientNr")
INSTITUTION_COLUMNS = ("institusjonID", "behandlingsstedKode")
DEPARTMENT_COLUMNS = ("fagenhetKode", "episodeFag")
ADMISSION_COLUMN = "innDato"
PREFIX = "npr-"


class DerivedIds:
    """Ids for the rows of one file; `notices` says how they were made (Norwegian)."""

    def __init__(self, columns: set[str], has_id_column: bool) -> None:
        lower = {column.lower() for column in columns}
        missing = []
        if not any(column.lower() in lower for column in PATIENT_COLUMNS):
            missing.append("pasient (lopenr/pasientNr)")
        if ADMISSION_COLUMN.lower() not in lower:
            missing.append("innskrivningsdato (innDato)")
        self.whole_row = bool(missing)
        self.notices: list[str] = []
        if missing and not has_id_column:
            self.notices.append(
                "uttrekket har ingen kolonne for episode-id og mangler kolonne for "
                + " og ".join(missing)
                + ", så episodene har ingen stabil nøkkel: de identifiseres ved innholdet i hele "
                "raden, og en ny import av et rettet uttrekk kan gi doble episoder"
            )
        elif not has_id_column:
            self.notices.append(
                "uttrekket har ingen kolonne for episode-id (" + ", ".join(ID_COLUMNS) + "): "
                "episodene identifiseres ved pasient, institusjon, avdeling, innskrivningsdato "
                "og -tid og omsorgsnivå"
            )
        # One entry per row (some 70 bytes): the price of telling duplicates apart.
        self._seen: set[int] = set()
        self._repeats: dict[int, int] = {}

    def derive(
        self,
        patient: str | None,
        institution: str | None,
        department: str | None,
        admission: datetime | None,
        care_level: CareLevel | None,
        row: list[str],
    ) -> str:
        """The id of one row; call once per accepted row, in file order."""
        if self.whole_row:
            parts = [cell.strip() for cell in row]
        else:
            moment = admission.isoformat() if admission is not None else ""
            care = care_level.value if care_level is not None else ""
            parts = [patient or "", institution or "", department or "", moment, care]
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
        key = int.from_bytes(digest[:8])
        episode_id = PREFIX + digest[:8].hex()
        if key not in self._seen:
            self._seen.add(key)
            return episode_id
        count = self._repeats.get(key, 1) + 1
        self._repeats[key] = count
        return f"{episode_id}-{count}"
