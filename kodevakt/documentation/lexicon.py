"""The clinical phrase list: how Norwegian clinicians write conditions and procedures, and the
code each wording points to (`clinical_phrases.tsv`, with a source per line).

Each line becomes an `Entry`: the phrase as word keys (so inflections meet), split into parts
where the phrase allows words between them ("kols … forverring"), the codes it points to, the
group of codes a mention supports when a coded episode is compared with the text, and flags.
`Lexicon` indexes the entries for the matcher: a trie of contiguous phrases and the first keys
of gapped ones, and the compound heads ("pneumoni", "brudd", "kreft") that find compounds no
line names ("aspirasjonspneumoni", "tibiafraktur").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from itertools import product

from kodevakt.codes.normalise import CodeKind, normalise
from kodevakt.documentation.words import PUNCT, tokenize, word_key
from kodevakt.errors import CodeListError

PHRASE_FILE = "clinical_phrases.tsv"
GAP = "…"

COMPOUND = "compound"  # the last word also heads unknown compounds
COMPOUND_ONLY = "compound-only"  # the phrase matches only inside compounds
CHRONIC = "chronic"  # a standing condition, seldom what a stay is for
SYMPTOM = "symptom"  # a symptom or finding, not coded beside the disease that explains it
CAPS = "caps"  # an abbreviation: matches only when written in capitals
EXACT = "exact"  # matches only the word as written in the list (no inflection)
ONGOING = "ongoing"  # a course of treatment given outside the stay ("under cellegiftbehandling")
FAMILY = "family"  # names a family of conditions generally: a specific member takes its place
FLAGS = frozenset({COMPOUND, COMPOUND_ONLY, CHRONIC, SYMPTOM, CAPS, EXACT, ONGOING, FAMILY})

# Marks a phrase may carry between its words: "kols-forverrelse", "e. coli", "type 2-diabetes".
TRANSPARENT = frozenset({"-", "–", "/", "."})

ALTERNATIVE = "|"  # in a phrase part: alternative words ("adenokarsinom|cancer … colon")
DOMAIN = "@"  # in the codes: the domain of the text each alternative code belongs to

#: Words that show what a text is about, for a word whose code depends on it ("infarkt" in a
#: text about the heart or the brain). A text word counts when its key starts with a cue's.
DOMAINS: dict[str, tuple[str, ...]] = {
    "hjerte": ("hjerte", "troponin", "ekg", "koronar", "angiograf", "pci", "angina", "stemi",
               "nstemi", "ekko", "kardiolog", "brystsmert", "lad", "rca", "stent"),
    "hjerne": ("caput", "hjerne", "cerebral", "slag", "tia", "afasi", "parese", "nevrolog",
               "trombolys", "lammelse", "dysartri", "apopleksi", "cerebell"),
    "mage": ("gastroskop", "koloskop", "melena", "hematemese", "ventrikkel", "tarm", "ulcus",
             "duoden", "abdomen"),
    "øre": ("otitt", "mellomør", "trommehinn", "hørsel", "adenotomi", "øre", "tympan"),
    "brokk": ("brokk", "hernie", "lyske", "inguinal"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the phrase list."""

    phrase: str
    parts: tuple[tuple[str, ...], ...]  # word keys, per part between gaps
    written: tuple[tuple[str, ...], ...]  # the words as listed (lower case), per part
    codes: tuple[str, ...]  # empty for a compound head, or when the domain decides
    group: tuple[str, ...]
    flags: frozenset[str]
    source: str
    line: int
    domains: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (domain, codes) alternatives

    @property
    def code(self) -> str | None:
        return self.codes[0] if self.codes else None

    @property
    def gapped(self) -> bool:
        return len(self.parts) > 1


@lru_cache(maxsize=8192)
def is_procedure_code(code: str) -> bool:
    """An NCSP/NCMP/NCRP code, by shape."""
    return normalise(code).kind is CodeKind.PROCEDURE


def in_group(code: str, group: tuple[str, ...]) -> bool:
    """Whether `code` falls in one of `group`'s ranges (`J12-J18`), categories or prefixes."""
    compact = code.replace(".", "")
    for item in group:
        low, sep, high = item.partition("-")
        if sep:
            low, high = low.replace(".", ""), high.replace(".", "")
            if low <= compact[: len(low)] <= high[: len(low)]:
                return True
        elif compact.startswith(item.replace(".", "")):
            return True
    return False


def parse_phrases(text: str, file: str = PHRASE_FILE) -> list[Entry]:
    """The phrase list's lines as entries; a malformed line is an error naming the line."""
    found: list[Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [cell.strip() for cell in raw.split("\t")]
        if cells[0] == "phrase":
            continue
        if len(cells) != 5 or not all(cells):
            raise CodeListError(
                "en linje i frasellisten må ha fem utfylte kolonner (frase, koder, gruppe, "
                "flagg, kilde) skilt med tabulator",
                file=file,
                line=number,
            )
        phrase, codes, group, flags, source = cells
        flag_set = frozenset() if flags == "-" else frozenset(flags.split(","))
        if not flag_set <= FLAGS:
            raise CodeListError(f"ukjente flagg {sorted(flag_set - FLAGS)}", file=file, line=number)
        domains = _domains(codes, file, number)
        code_list = () if codes == "-" or domains else _codes(codes)
        if not code_list and not domains and COMPOUND_ONLY not in flag_set:
            raise CodeListError(
                "bare et sammensetningsledd kan stå uten kode", file=file, line=number
            )
        all_codes = code_list or tuple(code for _, alt in domains for code in alt[:1])
        for parts, written in _expanded(phrase):
            if not parts or any(not part for part in parts):
                raise CodeListError("frasen har ingen ord", file=file, line=number)
            found.append(
                Entry(
                    phrase,
                    parts,
                    written,
                    code_list,
                    _group(group, all_codes),
                    flag_set,
                    source,
                    number,
                    domains,
                )
            )
    return found


def _codes(cell: str) -> tuple[str, ...]:
    return tuple(normalise(code).code for code in cell.split("+"))


def _domains(cell: str, file: str, line: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`I21.9@hjerte|I63.9@hjerne` → the codes of each domain."""
    if DOMAIN not in cell:
        return ()
    found = []
    for alternative in cell.split(ALTERNATIVE):
        codes, _, domain = alternative.partition(DOMAIN)
        if domain not in DOMAINS:
            raise CodeListError(f"ukjent domene «{domain}»", file=file, line=line)
        found.append((domain, _codes(codes)))
    return tuple(found)


def _expanded(
    phrase: str,
) -> Iterator[tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]]:
    """The phrase's parts as keys and as written, once per combination of alternatives."""
    options: list[list[tuple[tuple[str, ...], tuple[str, ...]]]] = []
    for part in phrase.split(GAP):
        choices = []
        for alternative in part.split(ALTERNATIVE):
            tokens = [t for t in tokenize(alternative.strip()) if t.kind != PUNCT]
            choices.append((tuple(t.key for t in tokens), tuple(t.text.lower() for t in tokens)))
        options.append(choices)
    for combination in product(*options):
        yield tuple(c[0] for c in combination), tuple(c[1] for c in combination)


@cache
def _domain_keys() -> dict[str, tuple[str, ...]]:
    return {domain: tuple(word_key(w) for w in words) for domain, words in DOMAINS.items()}


def domain_of(keys: Iterable[str]) -> str | None:
    """The domain whose cue words the text's word keys show most (None on a tie or none)."""
    cue_keys = _domain_keys()
    counts = dict.fromkeys(DOMAINS, 0)
    for key in keys:
        for domain, cues in cue_keys.items():
            if key.startswith(cues):
                counts[domain] += 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    if ranked[0][1] == 0 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0][0]


def _group(group: str, codes: tuple[str, ...]) -> tuple[str, ...]:
    if group != "-":
        return tuple(item.strip() for item in group.split(",") if item.strip())
    if not codes:
        return ()
    first = codes[0]
    return (first if is_procedure_code(first) else first.replace(".", "")[:3],)


class Lexicon:
    """The phrase list indexed for matching."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.trie: dict[str, dict[str, object]] = {}
        self.gapped: dict[str, list[Entry]] = {}
        self.heads: list[tuple[str, Entry]] = []  # compound head key, entry; longest first
        for entry in entries:
            if COMPOUND in entry.flags or COMPOUND_ONLY in entry.flags:
                self.heads.append((entry.parts[-1][-1], entry))
            if COMPOUND_ONLY in entry.flags:
                continue
            if entry.gapped:
                self.gapped.setdefault(entry.parts[0][0], []).append(entry)
                continue
            node: dict[str, object] = self.trie.setdefault(entry.parts[0][0], {})
            for key in entry.parts[0][1:]:
                child = node.setdefault(key, {})
                assert isinstance(child, dict)
                node = child
            ending = node.setdefault("", [])
            assert isinstance(ending, list)
            ending.append(entry)
        self.heads.sort(key=lambda item: -len(item[0]))
        self._heads_of: dict[str, Entry | None] = {}
        self.first_keys = frozenset(self.trie) | frozenset(self.gapped)
        #: The categories (ICD-10) and groups (procedures) some phrase names.
        self.known = frozenset(
            code.replace(".", "")[:3]
            for entry in entries
            for code in (*entry.codes, *(c for _, alt in entry.domains for c in alt))
        )

    def head_of(self, key: str, min_prefix: int) -> Entry | None:
        """The compound head the word key ends in, with at least `min_prefix` letters before
        it (the longest head wins); remembered per key."""
        memo = self._heads_of
        if key in memo:
            return memo[key]
        found = next(
            (
                entry
                for head, entry in self.heads
                if len(key) - len(head) >= min_prefix and key.endswith(head)
            ),
            None,
        )
        if len(memo) < 65_536:
            memo[key] = found
        return found

    def knows(self, code: str) -> bool:
        """Whether some phrase of the list names a code of `code`'s category or group."""
        return code.replace(".", "")[:3] in self.known

    def by_code(self, code: str) -> list[Entry]:
        """The entries pointing to `code` first."""
        return [entry for entry in self.entries if entry.code == code]


@cache
def lexicon() -> Lexicon:
    """The packaged phrase list."""
    text = (files("kodevakt.documentation") / PHRASE_FILE).read_text(encoding="utf-8")
    return Lexicon(parse_phrases(text))
