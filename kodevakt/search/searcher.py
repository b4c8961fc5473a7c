"""The search service: a query in, ranked hits with explanations out.

A query shaped like a code ("J12.8", "j128", "JKA20", "J12", "J1") goes straight to the code:
the code itself first, then everything under it (a heading lists its children); a fragment that
is no code lists the codes it starts. Anything else is a text search (`query.py` plans it,
`scoring.py` ranks it). Filters narrow hits to one code system or one chapter.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.model import System
from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.search.index import Doc, Index, source_lists
from kodevakt.search.persist import load_or_build
from kodevakt.search.query import plan, procedure_intent
from kodevakt.search.scoring import explain, rank
from kodevakt.search.situations import (
    LABEL,
    Reading,
    names_situation,
    read_situation,
    situation_codes,
)

MAX_LIMIT = 1000
MAX_QUERY = 300  # characters looked at
SITUATION_POOL = 50  # hits of the disease words a situation's codes are looked for among
SITUATION_BOOST = 3.0  # a hit that names the situation, against the acute disease
# The situation's code for the best disease hit comes first, unless a hit that names the
# situation matches the words about as well: "tidligere strålebehandling" is Z92.3 «Tidligere
# strålebehandling», not the history code of M96.2 «Kyfose etter strålebehandling».
MAPPED = SITUATION_BOOST * 0.9
NAMED_ENOUGH = 0.75
NEXT_MAPPED = 0.01  # each further code for the situation (Z03.4, then Z71.1) a little lower

SYSTEMS = {"icd10": System.ICD10, "ncsp": System.NCSP, "ncmp": System.NCMP, "ncrp": System.NCRP}

_ROMAN = re.compile(r"X{0,2}(?:IX|IV|V?I{0,3})")
_CODE_SHAPED = re.compile(
    r"[A-Za-z][0-9][0-9A-Za-z]?(?:[.,]?[0-9A-Za-z]{1,3})?[*+†]?"  # ICD-10 and fragments
    r"|[A-Za-z]{3,4}[0-9][0-9A-Za-z]{0,2}"  # procedure codes and fragments
    r"|[A-Za-z][0-9]{2}-[A-Za-z][0-9]{2}"  # ICD-10 blocks
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result; `matched` says in Norwegian why it was found."""

    code: str
    text: str
    system: str
    score: float
    matched: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "system": self.system,
            "score": self.score,
            "matched": self.matched,
        }


class Searcher:
    """Search over one index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        # The index is a few million long-lived objects that never form garbage cycles; moved
        # out of the cyclic collector's reach, they no longer make a full collection (several
        # milliseconds) land in the middle of a query.
        gc.freeze()

    @classmethod
    def for_codebase(cls, base: CodeBase, *, use_cache: bool = True) -> Searcher:
        """A searcher over the newest ICD-10 and procedure lists of `base` (cached on disk)."""
        return cls(load_or_build(source_lists(base), use_cache=use_cache))

    def search(
        self,
        query: str,
        limit: int = 10,
        *,
        system: str | System | None = None,
        chapter: str | None = None,
    ) -> list[Hit]:
        """The best `limit` codes for `query`; an empty list when nothing matches."""
        limit = max(0, min(limit, MAX_LIMIT))
        text = query.strip()[:MAX_QUERY]
        if not text or limit == 0:
            return []
        keep = self._filter(system, chapter)
        if _CODE_SHAPED.fullmatch(text):
            hits = self._code_hits(text, limit, keep)
            if hits:
                return hits
        reading = read_situation(text)
        if reading is not None:
            return self._situation_hits(reading, limit, keep)
        concepts = plan(self.index, text)
        ranked = rank(self.index, concepts, limit, keep, procedures=procedure_intent(text))
        docs = self.index.docs
        return [
            Hit(
                docs[doc_id].code,
                docs[doc_id].text,
                docs[doc_id].system,
                round(score, 3),
                explain(self.index, concepts, doc_id),
            )
            for doc_id, score in ranked
        ]

    def _situation_hits(
        self, reading: Reading, limit: int, keep: Callable[[Doc], bool] | None
    ) -> list[Hit]:
        """Hits for a query that puts its condition in a situation (`situations.py`): the
        situation's code for the best disease hit first, then the hits that name the situation,
        then the rest."""
        index = self.index
        docs = index.docs
        situation = reading.situation
        concepts = plan(index, reading.rest)
        pool = rank(
            index, concepts, max(limit, SITUATION_POOL), procedures=procedure_intent(reading.rest)
        )
        label = LABEL[situation]
        named = max((s for d, s in pool if names_situation(situation, docs[d].code)), default=0.0)
        first: list[tuple[int, float, str]] = []
        for doc_id, score in pool:
            doc = docs[doc_id]
            if doc.system != System.ICD10.value or names_situation(situation, doc.code):
                continue
            if named >= score * NAMED_ENOUGH:
                break  # a code that names the situation matches the words about as well
            codes = [c for c in situation_codes(situation, doc.code) if c in index.code_ids]
            matched = f"«{reading.marker}» + {doc.code} {doc.text} → {label}"
            first = [
                (index.code_ids[c], score * MAPPED * (1 - NEXT_MAPPED * i), matched)
                for i, c in enumerate(codes)
            ]
            break
        found = list(first)
        for doc_id, score in pool:
            named = names_situation(situation, docs[doc_id].code)
            found.append((doc_id, score * (SITUATION_BOOST if named else 1.0), ""))
        found.sort(key=lambda item: -item[1])
        seen: set[int] = set()
        hits = []
        for doc_id, score, matched in found:
            if doc_id in seen:
                continue
            seen.add(doc_id)
            doc = docs[doc_id]
            if keep is not None and not keep(doc):
                continue
            if not matched:
                matched = explain(index, concepts, doc_id)
                if names_situation(situation, doc.code):
                    matched = f"«{reading.marker}» → {label}; {matched}"
            hits.append(Hit(doc.code, doc.text, doc.system, round(score, 3), matched))
            if len(hits) >= limit:
                break
        return hits

    def _code_hits(self, text: str, limit: int, keep: Callable[[Doc], bool] | None) -> list[Hit]:
        index = self.index
        norm = normalise(text)
        code = norm.code if norm.kind is not CodeKind.UNKNOWN else text.upper()
        found: list[tuple[int, float, str]] = []
        doc_id = index.code_ids.get(code)
        if doc_id is not None:
            found.append((doc_id, 1.0, "kode"))
            for child in index.descendants(code):
                found.append((index.code_ids[child], 0.9, f"under {code}"))
                if len(found) >= limit * 4:
                    break
        else:
            compact = text.replace(".", "").replace(",", "").rstrip("*+†").upper()
            found = [
                (d, 0.8, f"kode som begynner på {compact}") for d in index.code_prefix(compact)
            ]
        hits = []
        for doc_id, score, matched in found:
            doc = index.docs[doc_id]
            if keep is None or keep(doc):
                hits.append(Hit(doc.code, doc.text, doc.system, score, matched))
            if len(hits) >= limit:
                break
        return hits

    def _filter(
        self, system: str | System | None, chapter: str | None
    ) -> Callable[[Doc], bool] | None:
        checks: list[Callable[[Doc], bool]] = []
        if system is not None:
            wanted = _system(system).value
            checks.append(lambda doc: doc.system == wanted)
        if chapter:
            checks.append(self._chapter_check(chapter.strip()))
        if not checks:
            return None
        return lambda doc: all(check(doc) for check in checks)

    def _chapter_check(self, chapter: str) -> Callable[[Doc], bool]:
        """Roman numeral: an ICD-10 chapter. A code: it and what is under it. Else a prefix."""
        upper = chapter.upper()
        if upper and _ROMAN.fullmatch(upper) and upper in self.index.code_ids:
            icd = System.ICD10.value
            return lambda doc: doc.system == icd and doc.chapter == upper
        code = normalise(chapter).code
        if code in self.index.code_ids:
            members = {code, *self.index.descendants(code)}
            return lambda doc: doc.code in members
        compact = upper.replace(".", "")
        return lambda doc: doc.code.replace(".", "").upper().startswith(compact)


def _system(value: str | System) -> System:
    if isinstance(value, System):
        return value
    try:
        return SYSTEMS[value.lower().replace("-", "")]
    except KeyError:
        raise ValueError(f"ukjent kodeverk «{value}» (bruk {', '.join(SYSTEMS)})") from None
