"""Scoring a query plan against the index, and explaining why a code matched.

A code's score is the sum of its concept scores, times the square of the share of the query's
concepts it covers (a code that matches every word beats one that matches the rarest word
twice as strongly), times its prior (reportable codes 1.0, headings 0.85, blocks 0.7,
chapters 0.6). A concept's score is the best of its options; an option's the mean of its
slots' scores (times the share of slots found, unless every slot is required); a slot's the
best of its alternatives; an alternative's the weight of the way it was found times the
posting weights of its keys (field, IDF and length, see `index.py`); a phrase of several keys
counts with the IDF of the phrase as a whole (the codes holding all its keys).

The alternatives of one slot are readings of one written word and share one IDF, the lowest of
theirs: a rare synonym target does not outrank the word's main sense by rarity alone.

Adjustments that only lower a score: a code in a context chapter (pregnancy, newborn, external
causes, contact reasons) when no query word belongs to that chapter (0.8); a code that says
"uten" where the query says "med", or the other way round (0.8); a code that says "med …" when
the query names no complication (0.9, so the family's plain code comes first). In a query that
asks for a procedure, procedure codes lose their lower prior and diagnoses take it instead (0.7,
or 0.85 when they match the procedure word, as "Postkolecystektomisyndrom" does).

Last, the best codes are weighed again by the share of their own words the query accounts for
(0.8 for none up to 1.0 for all): among codes that match equally, the one that is only what the
query names ("Uspesifisert demens") beats one that adds a kind ("Uspesifisert vaskulær demens").
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from kodevakt.search.index import PROCEDURE_PRIOR, Doc, Index, idf, locate
from kodevakt.search.query import Alt, Concept, Option, Slot, names_procedure

Scores = dict[int, tuple[float, float]]  # doc id → (score, share of the concept covered)

CONTEXT_PRIOR = 0.8  # codes of a context chapter (see index.CONTEXT_CHAPTERS) out of context
CONTRADICTION_PRIOR = 0.8
UNSAID_PRIOR = 0.9  # a code that says "med …" when the query names no complication
PROCEDURE_ACTED = 0.85  # a diagnosis that matches a procedure query's procedure word
RERANK = 30  # best codes weighed again by how much of their own text the query explains
COVER_BASE = 0.8  # weight of a code none of whose own words the query names
EXPENSIVE = 1500  # postings walked by a concept that is then scored on found codes only
OPTION_FLOOR = 10  # codes the rarer parts of a compound must find before a common part is narrowed
_OPPOSITES = (("med", "uten"), ("uten", "med"))
_WITH_WITHOUT = frozenset(["med", "uten"])
_OPPOSITE = dict(_OPPOSITES)


def rank(
    index: Index,
    concepts: list[Concept],
    limit: int,
    keep: Callable[[Doc], bool] | None = None,
    *,
    procedures: bool = False,
) -> list[tuple[int, float]]:
    """The best `limit` (doc id, score) pairs for `concepts`, best first. With `procedures` the
    query asks for a procedure (`query.procedure_intent`): procedure codes lose the lower prior
    that keeps them behind the diagnosis a plain disease word names."""
    if not concepts:
        return []
    pool = max(limit, RERANK)  # what can still reach the list once reweighed
    total: dict[int, float] = {}
    covered: dict[int, float] = {}
    # Concepts that point at many codes ("med", "akutt") are scored only on the codes the
    # other concepts found, when those are enough to fill the list: a code matching none of
    # the selective words cannot rank high, and the common words' postings are long.
    ordered = sorted(concepts, key=lambda c: _cost(index, c))
    restrict: set[int] | None = None
    acted: set[int] | None = None  # codes that match a word naming the procedure asked for
    linking: list[str] = []  # "med", "uten" in the query
    for concept in ordered:
        if restrict is None and len(total) >= pool and _cost(index, concept) > EXPENSIVE:
            restrict = set(total)
        scores = _concept(index, concept, restrict)
        if procedures and names_procedure(concept.written):
            acted = (acted or set()) | scores.keys()
        if concept.written in _WITH_WITHOUT and len(concepts) > 1:
            linking.append(concept.written)
            for doc_id, (score, _share) in scores.items():
                total[doc_id] = total.get(doc_id, 0.0) + score
            continue
        for doc_id, (score, share) in scores.items():
            total[doc_id] = total.get(doc_id, 0.0) + score
            covered[doc_id] = covered.get(doc_id, 0.0) + share
    # "med" and "uten" join what the query names: a code covers them unless it says the
    # opposite ("prostatakreft med spredning" is about prostatakreft and spredning; "… uten
    # hjertesvikt" does not cover "med hjertesvikt").
    for said in linking:
        opposite = index.postings.get(_OPPOSITE[said], {})
        own = index.postings.get(said, {})
        for doc_id in total:
            if doc_id not in opposite or doc_id in own:
                covered[doc_id] = covered.get(doc_id, 0.0) + 1.0
    keys = query_keys(concepts)
    outside = {
        chapter for chapter, chapter_keys in index.context_keys.items() if not keys & chapter_keys
    }
    contradicted, contradiction, unsaid = _contradicted(index, keys)
    n2 = len(concepts) ** 2
    priors = index.priors
    docs = index.docs
    if procedures:
        # A procedure query: procedure codes lose their lower prior, and a diagnosis that does
        # not match the word naming the procedure ("sår i hodebunn" for "sying av sår i
        # hodebunnen") takes it instead; one that names the procedure as its cause or history
        # ("Postkolecystektomisyndrom") comes after the procedure too.
        for d in index.procedure_ids & total.keys():
            total[d] /= PROCEDURE_PRIOR
        if acted is not None:
            for d in total.keys() - index.procedure_ids:
                total[d] *= PROCEDURE_ACTED if d in acted else PROCEDURE_PRIOR
    final = [(score * covered.get(d, 0.0) ** 2 / n2 * priors[d], -d) for d, score in total.items()]
    if keep is not None:
        final = [item for item in final if keep(docs[-item[1]])]
    if outside or contradicted:
        # Adjust only what can still reach the pool: these factors only lower a score.
        final.sort(reverse=True)
        adjusted: list[tuple[float, int]] = []
        for score, neg_id in final:
            if len(adjusted) >= pool and score <= adjusted[-1][0]:
                break
            doc_id = -neg_id
            if docs[doc_id].chapter in outside:
                score *= CONTEXT_PRIOR
            if doc_id in contradicted and (not unsaid or index.names_with(doc_id)):
                score *= contradiction
            adjusted.append((score, neg_id))
            adjusted.sort(reverse=True)
            del adjusted[pool:]
        final = adjusted
    best = heapq.nlargest(pool, final)
    best = _explained(index, best, keys)
    return [(-neg_id, score) for score, neg_id in best[:limit]]


def _explained(
    index: Index, best: list[tuple[float, int]], keys: set[str]
) -> list[tuple[float, int]]:
    """The best codes again, each weighed by the share of its own words the query accounts for.

    A query that names only the disease should find the code that is only the disease: among
    "Uspesifisert demens", "Uspesifisert vaskulær demens" and "Demens ved Alzheimers sykdom"
    the query "demens" explains all of the first and half of the others. A code reached through
    a code-shaped synonym ("DVT" → I80.2) counts as explained.
    """
    codes = [k for k in keys if k.startswith("=")]
    named = {d for k in codes for d in index.postings.get(k, {})}
    out = []
    for score, neg_id in best:
        doc_id = -neg_id
        words = index.own_words(doc_id)
        if words and doc_id not in named:
            share = sum(1 for word in words if word & keys) / len(words)
            score *= COVER_BASE + (1 - COVER_BASE) * share
        out.append((score, neg_id))
    out.sort(reverse=True)
    return out


def query_keys(concepts: list[Concept]) -> set[str]:
    """Every index key any alternative of the query looks for."""
    return {
        k
        for concept in concepts
        for option in concept.options
        for slot in option.slots
        for alt in slot.alts
        for k in alt.keys
    }


def _contradicted(index: Index, keys: set[str]) -> tuple[dict[int, float], float, bool]:
    """Codes that say "uten" where the query says "med", or the other way round, and the factor
    that lowers them. A query that says neither names no complication: codes that say "med"
    (a complication, a manifestation) then come after their family's plain code, which says
    "uten" or nothing ("lyskebrokk" is K40.9, not K40.1 "med gangren"); the last value says
    that this is the case, where "med uspesifisert …" does not count (`Index.names_with`)."""
    for said, opposite in _OPPOSITES:
        if said in keys and opposite not in keys:
            return index.postings.get(opposite, {}), CONTRADICTION_PRIOR, False
    if not keys & _WITH_WITHOUT:
        return index.postings.get("med", {}), UNSAID_PRIOR, True
    return {}, 1.0, False


def _cost(index: Index, concept: Concept) -> int:
    """How many postings scoring `concept` walks through."""
    return sum(_slot_cost(index, slot) for option in concept.options for slot in option.slots)


def _slot_cost(index: Index, slot: Slot) -> int:
    postings = index.postings
    return sum(min((len(postings.get(k, ())) for k in alt.keys), default=0) for alt in slot.alts)


def _concept(index: Index, concept: Concept, restrict: set[int] | None = None) -> Scores:
    if len(concept.options) == 1:
        return _option(index, concept.options[0], restrict)
    merged: Scores = {}
    for option in concept.options:
        for doc_id, (score, share) in _option(index, option, restrict).items():
            current = merged.get(doc_id)
            if current is None or score > current[0]:
                merged[doc_id] = (score, max(share, current[1]) if current else share)
            elif share > current[1]:
                merged[doc_id] = (current[0], share)
    return merged


def _option(index: Index, option: Option, restrict: set[int] | None) -> Scores:
    weight = option.weight
    if len(option.slots) == 1:
        return {d: (s * weight, 1.0) for d, s in _slot(index, option.slots[0], restrict).items()}
    # As in `rank`: the commoner parts ("betennelse", in every "-itt" code) are scored only on
    # the codes the rarest part found, when it found enough; a code with a common part alone
    # cannot beat one with the rare part.
    n = len(option.slots)
    found: dict[int, list[float]] = {}
    narrowed = restrict
    for slot in sorted(option.slots, key=lambda slot: _slot_cost(index, slot)):
        if narrowed is None and len(found) >= OPTION_FLOOR:
            narrowed = set(found)
        for doc_id, score in _slot(index, slot, narrowed).items():
            found.setdefault(doc_id, []).append(score)
    out: Scores = {}
    for doc_id, values in found.items():
        share = len(values) / n
        if option.strict and share < 1.0:
            continue
        out[doc_id] = (sum(values) / n * weight * (1.0 if option.strict else share), share)
    return out


def _slot(index: Index, slot: Slot, restrict: set[int] | None) -> dict[int, float]:
    """Best score per code over the slot's alternatives.

    The alternatives are readings of one written word, so they share one IDF: the lowest of
    theirs (the word is as telling as its broadest reading). Otherwise a rare target would
    outrank the main sense for no reason but its rarity ("kreft" is "ondartet svulst", in a
    thousand codes, before "neoplastisk sykdom", in fifteen).
    """
    found = [_alt(index, alt, restrict) for alt in slot.alts]
    found = [(scores, weight) for scores, weight in found if scores]
    if not found:
        return {}
    if len(found) == 1:
        return found[0][0]
    shared = min(weight for _, weight in found)
    best: dict[int, float] = {}
    for scores, weight in found:
        factor = shared / weight
        for doc_id, score in scores.items():
            score *= factor
            if score > best.get(doc_id, 0.0):
                best[doc_id] = score
    return best


def _alt(
    index: Index, alt: Alt, restrict: set[int] | None = None
) -> tuple[dict[int, float], float]:
    """Scores of the codes an alternative finds, and its IDF (of the phrase, for several keys)."""
    postings = index.postings
    total_docs = len(index.docs)
    if len(alt.keys) == 1:
        found = postings.get(alt.keys[0])
        if not found:
            return {}, 0.0
        weight = alt.weight
        rarity = idf(len(found), total_docs)
        if restrict is not None and len(restrict) < len(found):
            return {d: found[d] * weight for d in restrict if d in found}, rarity
        return {d: s * weight for d, s in found.items()}, rarity
    lists = [postings.get(k) for k in alt.keys]
    present = [p for p in lists if p]
    if len(present) < len(lists):
        return {}, 0.0
    present.sort(key=len)
    first, rest = present[0], present[1:]
    found = {}
    for doc_id, score in first.items():
        total = score
        for other in rest:
            value = other.get(doc_id)
            if value is None:
                break
            total += value
        else:
            found[doc_id] = total
    if not found:
        return {}, 0.0
    # A phrase is as telling as it is rare as a whole: weigh its keys' field and length factors
    # by the IDF of the phrase (the codes holding all its keys), not by its words' own IDFs.
    own = sum(idf(len(p), total_docs) for p in present)
    rarity = idf(len(found), total_docs)
    factor = alt.weight * rarity / own
    if restrict is not None:
        return {d: score * factor for d, score in found.items() if d in restrict}, rarity
    return {doc_id: score * factor for doc_id, score in found.items()}, rarity


def explain(index: Index, concepts: list[Concept], doc_id: int) -> str:
    """Why `doc_id` matched, concept by concept, in Norwegian."""
    parts = []
    for concept in concepts:
        label = _explain_concept(index, concept, doc_id)
        if label:
            parts.append(label)
    return "; ".join(parts)


def _explain_concept(index: Index, concept: Concept, doc_id: int) -> str | None:
    best: tuple[float, str] | None = None
    for option in concept.options:
        labels = []
        values = []
        for slot in option.slots:
            found = _best_alt(index, slot, doc_id)
            if found is not None:
                values.append(found[0])
                labels.append(_describe(found[1], index, doc_id))
        if not values:
            continue
        score = sum(values) / len(option.slots) * option.weight
        if len(option.slots) > 1:
            written = "+".join(slot.written for slot in option.slots)
            detail = [label for label in labels if label not in written.split("+")]
            label = written + (f" ({', '.join(detail)})" if detail else "")
            if len(values) < len(option.slots):
                label += " (delvis)"
        else:
            label = labels[0]
        if best is None or score > best[0]:
            best = (score, label)
    return best[1] if best else None


def _best_alt(index: Index, slot: Slot, doc_id: int) -> tuple[float, Alt] | None:
    best: tuple[float, Alt] | None = None
    for alt in slot.alts:
        values = [index.postings.get(k, {}).get(doc_id) for k in alt.keys]
        if any(v is None for v in values):
            continue
        score = sum(v for v in values if v is not None) / len(values) * alt.weight
        if best is None or score > best[0]:
            best = (score, alt)
    return best


_FIELD_NOTE = {"en": "engelsk WHO-tittel", "ctx": "overordnet kode", "full": "full tekst"}


def _describe(alt: Alt, index: Index, doc_id: int) -> str:
    """The alternative's label, with where in the code's texts a one-key match was found."""
    if len(alt.keys) != 1 or alt.keys[0].startswith("="):
        return alt.label
    where = locate(index, doc_id, alt.keys[0])
    if where is None:
        return alt.label
    field, how, word = where
    notes = []
    if how == "part":
        notes.append(f"del av «{word}»")
    elif how == "expanded":
        notes.append(f"forkortet «{word}»")
    elif how == "meaning":
        notes.append(f"betydning av «{word}»")
    if field in _FIELD_NOTE:
        notes.append(_FIELD_NOTE[field])
    return f"{alt.label} ({', '.join(notes)})" if notes else alt.label
