"""What kodevakt knows about one code: text, place in the hierarchy, validity and rule flags.

One `Code` is one row of one release of one code system. Rules read the flags (asterisk,
additional-only, sex, age limits, unspecific) from here and never from hard-coded lists, so a
loaded official code list changes rule behaviour by changing these fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from operator import attrgetter


class System(StrEnum):
    """Code systems kodevakt recognises."""

    ICD10 = "ICD-10"
    NCSP = "NCSP"
    NCMP = "NCMP"
    NCRP = "NCRP"
    ATC = "ATC"
    SPECIAL = "særkode"


class Level(StrEnum):
    """Where a code sits in its hierarchy."""

    CHAPTER = "kapittel"
    BLOCK = "blokk"
    CATEGORY = "kategori"
    SUBCATEGORY = "underkategori"
    CODE = "kode"


class ChangeKind(StrEnum):
    """What happened to a code in one year of its code list's history."""

    INTRODUCED = "introduced"
    RETIRED = "retired"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class CodeChange:
    """One line of a code's history: from 1 January of `year` the code was introduced, was
    retired (`detail`: its last text) or got a new text (`detail`: the text before)."""

    year: int
    kind: ChangeKind
    detail: str
    source: str


class Sex(StrEnum):
    """Sex restriction of a code, as NPR writes it (M man, K woman)."""

    MALE = "M"
    FEMALE = "K"


@dataclass(frozen=True, slots=True)
class Code:
    """One code of one release. Dates are inclusive; `None` means unbounded or unknown."""

    code: str
    system: System
    text: str | None
    level: Level = Level.CODE
    parent: str | None = None
    full_text: str | None = None
    text_en: str | None = None
    reportable: bool = True
    valid_from: date | None = None
    valid_to: date | None = None
    npr_from: date | None = None
    npr_to: date | None = None
    asterisk: bool = False
    dagger: bool = False
    additional_only: bool = False
    sex: Sex | None = None
    age_min_days: int | None = None
    age_max_days: int | None = None
    unspecific: bool = False
    who_only: bool = False
    synthetic: bool = False
    notes: tuple[str, ...] = field(default=())
    # kodevakt's own Norwegian title for a heading the list gives no Norwegian text (marked as
    # such wherever shown; a list's own `text` always comes first)
    own_title: str | None = None
    history: tuple[CodeChange, ...] = field(default=())

    @property
    def display_text(self) -> str:
        """Norwegian text from the list, else kodevakt's own Norwegian title, else the WHO
        English title, else an empty string."""
        return self.text or self.own_title or self.text_en or ""

    def valid_on(self, day: date) -> bool:
        """Whether the code list says the code exists on `day`."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def reportable_on(self, day: date) -> bool:
        """Whether NPR accepts the code for care given on `day`."""
        if not self.reportable:
            return False
        return (self.npr_from is None or self.npr_from <= day) and (
            self.npr_to is None or day <= self.npr_to
        )

    def with_changes(self, **changes: object) -> Code:
        """A copy with `changes`; builds by position, several times faster than `replace`
        (the code history makes thousands of copies per load)."""
        values = list(_all_fields(self))
        for name, value in changes.items():
            values[_FIELD_POSITION[name]] = value
        return Code(*values)


_FIELD_NAMES = tuple(f.name for f in fields(Code))
_FIELD_POSITION = {name: i for i, name in enumerate(_FIELD_NAMES)}
_all_fields = attrgetter(*_FIELD_NAMES)
