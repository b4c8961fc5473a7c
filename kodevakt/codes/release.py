"""A release: one year's edition of one code list, and the codes it holds.

Code lists change every 1 January, so kodevakt keeps several releases side by side and picks
the one in force for an episode's date. A release also says whether it is complete: the
embedded procedure codes are only the subset the rulebook names, so a well-formed code missing
from it is "not in the loaded list", not "invalid".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from kodevakt.codes.model import Code


class Family(StrEnum):
    """Groups of code systems published as one list (the procedure workbook holds all three)."""

    ICD10 = "icd10"
    PROCEDURE = "procedure"
    SPECIAL = "special"


@dataclass(frozen=True, slots=True)
class Release:
    """Typed descriptor of where a code list came from."""

    family: Family
    year: int
    source: str
    embedded: bool = False
    complete: bool = True


@dataclass(slots=True)
class CodeList:
    """The codes of one release, keyed by canonical code."""

    release: Release
    codes: dict[str, Code]
    _children: dict[str, list[str]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes.values())

    def get(self, code: str) -> Code | None:
        return self.codes.get(code)

    def children(self, code: str) -> list[str]:
        """Direct children of `code` in list order (built on first use)."""
        if self._children is None:
            index: dict[str, list[str]] = {}
            for item in self.codes.values():
                if item.parent is not None:
                    index.setdefault(item.parent, []).append(item.code)
            self._children = index
        return self._children.get(code, [])

    def ancestors(self, code: str) -> list[Code]:
        """Parent chain from the direct parent up to the chapter."""
        chain: list[Code] = []
        current = self.codes.get(code)
        seen = {code}
        while current is not None and current.parent and current.parent not in seen:
            seen.add(current.parent)
            current = self.codes.get(current.parent)
            if current is not None:
                chain.append(current)
        return chain

    def descendants(self, code: str) -> Iterable[str]:
        for child in self.children(code):
            yield child
            yield from self.descendants(child)
