"""T rules for infections: SIRS and septic shock (T17–T19), microorganisms (T20), resistance (T21).

The module also holds the public code-set helper for infections, as data tables with a source
note per entry, so that other rules (T11's "infection explains the fever", T29's regrouping) ask
the same questions the same way:

- `microbe_agent(code)`: the agent a microorganism code `B95`–`B98` names.
- `infection_entry(code)` / `is_infection(code)`: is the code an infection, and which agent
  does its own text already name (`J13` pneumococci, `A41.0` Staphylococcus aureus, `A41.5`
  only "gram-negative bacteria", `N30.0` none)?
- `microbe_describes(microbe, code)`: may the microorganism code be added to this code
  (`N30.0`+`B96.2` yes, `A41.5`+`B96.5` yes because it makes the agent precise, `J13`+`B96.2`
  no)?
- `microbe_redundant_with(microbe, code)`: does the code already say what the microorganism
  code says (`J13`+`B95.3`, `A41.0`+`B95.6`, `A41.0`+`B95.8`)?
- `specific_code_for(code, microbe)`: the code that names the agent itself, when the pair
  should have been one code (`J18.9`+`B96.2` → `J15.5`, `A41.9`+`B95.6` → `A41.0`).
- `names_microbe(code)`: does the code say which microbe it is (what a resistance code needs)?

Agents form a small hierarchy (Staphylococcus aureus ⊂ staphylococci ⊂ bacteria), so "names
the same agent" and "makes the agent more precise" are set questions, not string matching.

Codes are ICD-10 codes in kodevakt's canonical form (`N30.0`, `J13`, `M00.96`). A selector in
the tables matches the code itself and every code under it (`N30.0` matches `N30.0`; `M86`
matches `M86.16`); the longest matching selector wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kodevakt.codes.normalise import CodeKind
from kodevakt.rules import facts as F
from kodevakt.rules import fixes
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView

# -- agents ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agent:
    """An infectious agent or a class of agents, with its broader classes.

    `specific` agents say which microbe it is (a species or a genus such as staphylococci);
    classes like "bacteria" or "gram-negative bacteria" do not, and a resistance code needs
    more than that (Kodeveiledning 2018 §4.2 s. 30–31).
    """

    key: str
    name: str
    parents: tuple[str, ...] = ()
    specific: bool = True


_AGENT_LIST: tuple[Agent, ...] = (
    Agent("bakterie", "bakterier", specific=False),
    Agent("virus", "virus", specific=False),
    Agent("gram-negativ", "gramnegative bakterier", ("bakterie",), specific=False),
    Agent("anaerob", "anaerobe bakterier", ("bakterie",), specific=False),
    Agent("streptokokk", "streptokokker", ("bakterie",)),
    Agent("strep-a", "streptokokker gruppe A", ("streptokokk",)),
    Agent("strep-b", "streptokokker gruppe B", ("streptokokk",)),
    Agent("strep-d", "streptokokker gruppe D/enterokokker", ("streptokokk",)),
    Agent("pneumokokk", "pneumokokker (Streptococcus pneumoniae)", ("streptokokk",)),
    Agent("strep-annen", "andre spesifiserte streptokokker", ("streptokokk",)),
    Agent("stafylokokk", "stafylokokker", ("bakterie",)),
    Agent("staph-aureus", "Staphylococcus aureus", ("stafylokokk",)),
    Agent("staph-annen", "andre spesifiserte stafylokokker", ("stafylokokk",)),
    Agent("e-coli", "E. coli", ("gram-negativ",)),
    Agent("klebsiella", "Klebsiella pneumoniae", ("gram-negativ",)),
    Agent("proteus", "Proteus", ("gram-negativ",)),
    Agent("pseudomonas", "Pseudomonas", ("gram-negativ",)),
    Agent("haemophilus", "Haemophilus influenzae", ("gram-negativ",)),
    Agent("b-fragilis", "Bacteroides fragilis", ("gram-negativ", "anaerob")),
    Agent("c-perfringens", "Clostridium perfringens", ("anaerob",)),
    Agent("mykoplasma", "Mycoplasma pneumoniae", ("bakterie",)),
    Agent("klamydia", "klamydia", ("bakterie",)),
    Agent("h-pylori", "Helicobacter pylori", ("bakterie",)),
    Agent("vibrio-vulnificus", "Vibrio vulnificus", ("bakterie",)),
    Agent("bakterie-annen", "andre spesifiserte bakterier", ("bakterie",)),
    Agent("adenovirus", "adenovirus", ("virus",)),
    Agent("enterovirus", "enterovirus", ("virus",)),
    Agent("koronavirus", "koronavirus", ("virus",)),
    Agent("sars-cov-2", "SARS-CoV-2", ("koronavirus",)),
    Agent("retrovirus", "retrovirus", ("virus",)),
    Agent("rsv", "RS-virus", ("virus",)),
    Agent("reovirus", "reovirus", ("virus",)),
    Agent("parvovirus", "parvovirus", ("virus",)),
    Agent("papovavirus", "papovavirus", ("virus",)),
    Agent("papillomavirus", "papillomavirus", ("papovavirus",)),
    Agent("influensa", "influensavirus", ("virus",)),
    Agent("parainfluensa", "parainfluensavirus", ("virus",)),
    Agent("metapneumovirus", "humant metapneumovirus", ("virus",)),
    Agent("rinovirus", "rinovirus", ("virus",)),
    Agent("virus-annet", "andre spesifiserte virus", ("virus",)),
    # What a chapter I code names when it names an agent outside B95–B98's families
    # (tuberculosis, salmonella, herpes ...): it names the microbe, but no B95–B98 code
    # refines it or repeats it.
    Agent("annet-agens", "agenset som koden selv navngir"),
)
AGENTS: dict[str, Agent] = {agent.key: agent for agent in _AGENT_LIST}


def _ancestors(key: str) -> frozenset[str]:
    found: set[str] = set()
    todo = list(AGENTS[key].parents)
    while todo:
        parent = todo.pop()
        if parent not in found:
            found.add(parent)
            todo.extend(AGENTS[parent].parents)
    return frozenset(found)


_ANCESTORS: dict[str, frozenset[str]] = {key: _ancestors(key) for key in AGENTS}


def within(agent: str, other: str) -> bool:
    """Whether `agent` is `other` or one of its kinds (`staph-aureus` within `stafylokokk`)."""
    return agent == other or other in _ANCESTORS[agent]


# -- microorganism codes B95–B98 ------------------------------------------------------------

_B_TEXT = "ICD-10 kodetekst B95–B98; KV2018 §4.2 s. 30, §12.2 s. 96"

#: Microorganism code → the agent it names (source: the code texts, see `_B_TEXT`).
MICROBE_AGENTS: dict[str, str] = {
    "B95.0": "strep-a",
    "B95.1": "strep-b",
    "B95.2": "strep-d",
    "B95.3": "pneumokokk",
    "B95.4": "strep-annen",
    "B95.5": "streptokokk",
    "B95.6": "staph-aureus",
    "B95.7": "staph-annen",
    "B95.8": "stafylokokk",
    "B96.0": "mykoplasma",
    "B96.1": "klebsiella",
    "B96.2": "e-coli",
    "B96.3": "haemophilus",
    "B96.4": "proteus",
    "B96.5": "pseudomonas",
    "B96.6": "b-fragilis",
    "B96.7": "c-perfringens",
    "B96.8": "bakterie-annen",
    "B97.0": "adenovirus",
    "B97.1": "enterovirus",
    "B97.2": "koronavirus",
    "B97.3": "retrovirus",
    "B97.4": "rsv",
    "B97.5": "reovirus",
    "B97.6": "parvovirus",
    "B97.7": "papillomavirus",
    "B97.8": "virus-annet",
    "B98.0": "h-pylori",
    "B98.1": "vibrio-vulnificus",
}


def _icd_shape(code: str) -> bool:
    """Whether `code` has the canonical ICD-10 shape (`J13`, `N30.0`), not e.g. ATC `A02BC01`."""
    return len(code) == 3 or (len(code) > 4 and code[3] == ".")


def is_microbe_code(code: str) -> bool:
    """Whether `code` is a microorganism code B95–B98 (additional code only)."""
    return code[:1] == "B" and "B95" <= code[:3] <= "B98" and _icd_shape(code)


def microbe_agent(code: str) -> Agent | None:
    """The agent a microorganism code names; `None` for other codes (or unknown B9x codes)."""
    key = MICROBE_AGENTS.get(code)
    return AGENTS[key] if key else None


# -- infection codes ------------------------------------------------------------------------

INFECTION = "infection"
FINDING = "finding"  # not an infection, but a finding a microorganism code may describe


@dataclass(frozen=True, slots=True)
class InfectionEntry:
    """What the code tables say about one selector.

    `agent`: the agent the code's own text names (`None`: none; a class such as `bakterie`:
    only the class). `kind`: `infection` (counts as an infection for SIRS and septic shock)
    or `finding` (a carrier state, a microbiological finding or a site only a named microbe
    may describe). `only`: when set, only microorganism codes within these agents describe it.
    """

    selector: str
    agent: str | None
    source: str
    kind: str = INFECTION
    only: tuple[str, ...] = ()


_SEPSIS = "KV2018 §12.2 s. 95 (koder for sepsis med kjent agens, type 3)"
_TYPE1 = "KV2018 §12.2 s. 95 (infeksjonskoder der lokalisasjon er angitt, type 1)"
_UNSPEC_SITE = "KV2018 §12.2 s. 95 (A49 og B34: infeksjon med uspesifisert lokalisasjon)"
_NAMES = "ICD-10 kodetekst (navngir agens); KV2018 §4.2 s. 30"
_PNEUMO = "KV2018 §12.2 s. 96 (J13 angir mikroben); ICD-10 kodetekst J12–J18"
_SITE = "WHO ICD-10 2019: infeksjonskategori uten angitt agens; KV2018 §4.2 s. 30"
_COMPL = "KV2018 §4.2 s. 33 (T83.5+N30.0+B96.2+Y84.6); ICD-10 kodetekst (infeksjon)"
_FIND = "WHO ICD-10 2019: mikrobiologisk funn/bærertilstand som B95–B98 kan presisere"
_HPYL = "WHO ICD-10 2019 (B98.0 til sykdommer klassifisert i andre kapitler: ulcus, gastritt)"
_HPV = "WHO ICD-10 2019 (B97.7 til sykdommer klassifisert i andre kapitler: HPV-relaterte)"
_COVID = "foredrag, lysark «U07.- og U09.9 Covid-19» (U07.1 navngir SARS-CoV-2)"

_ENTRIES: tuple[InfectionEntry, ...] = (
    # Chapter I: codes whose text names the agent (the rest of A00–B89 names one too: below).
    InfectionEntry("A04.0", "e-coli", _NAMES),
    InfectionEntry("A04.1", "e-coli", _NAMES),
    InfectionEntry("A04.2", "e-coli", _NAMES),
    InfectionEntry("A04.3", "e-coli", _NAMES),
    InfectionEntry("A04.4", "e-coli", _NAMES),
    InfectionEntry("A04.8", "bakterie", _NAMES),
    InfectionEntry("A04.9", "bakterie", _NAMES),
    InfectionEntry("A08.2", "adenovirus", _NAMES),
    InfectionEntry("A08.3", "virus", _NAMES),
    InfectionEntry("A08.4", "virus", _NAMES),
    InfectionEntry("A08.5", None, _SITE),
    InfectionEntry("A09", None, _SITE),
    InfectionEntry("A38", "strep-a", _NAMES),
    InfectionEntry("A40.0", "strep-a", _SEPSIS),
    InfectionEntry("A40.1", "strep-b", _SEPSIS),
    InfectionEntry("A40.2", "strep-d", _SEPSIS),
    InfectionEntry("A40.3", "pneumokokk", _SEPSIS),
    InfectionEntry("A40.8", "strep-annen", _SEPSIS),
    InfectionEntry("A40.9", "streptokokk", _SEPSIS),
    InfectionEntry("A41.0", "staph-aureus", _SEPSIS),
    InfectionEntry("A41.1", "staph-annen", _SEPSIS),
    InfectionEntry("A41.2", "stafylokokk", _SEPSIS),
    InfectionEntry("A41.3", "haemophilus", _SEPSIS),
    InfectionEntry("A41.4", "anaerob", _SEPSIS),
    InfectionEntry("A41.5", "gram-negativ", "KV2018 §12.4 s. 97 (A41.5 presiseres med B96.5)"),
    InfectionEntry("A41.8", None, _SEPSIS),
    InfectionEntry("A41.9", None, _SEPSIS),
    InfectionEntry("A46", "streptokokk", _NAMES),
    InfectionEntry("A48.0", "anaerob", _NAMES),
    InfectionEntry("A49.0", "stafylokokk", _UNSPEC_SITE),
    InfectionEntry("A49.1", "streptokokk", _UNSPEC_SITE),
    InfectionEntry("A49.2", "haemophilus", _UNSPEC_SITE),
    InfectionEntry("A49.3", "mykoplasma", _UNSPEC_SITE),
    InfectionEntry("A49.8", "bakterie", _UNSPEC_SITE),
    InfectionEntry("A49.9", "bakterie", _UNSPEC_SITE),
    InfectionEntry("B20", "retrovirus", _NAMES),
    InfectionEntry("B21", "retrovirus", _NAMES),
    InfectionEntry("B22", "retrovirus", _NAMES),
    InfectionEntry("B23", "retrovirus", _NAMES),
    InfectionEntry("B24", "retrovirus", _NAMES),
    InfectionEntry("B34.0", "adenovirus", _UNSPEC_SITE),
    InfectionEntry("B34.1", "enterovirus", _UNSPEC_SITE),
    InfectionEntry("B34.2", "koronavirus", _UNSPEC_SITE),
    InfectionEntry("B34.3", "parvovirus", _UNSPEC_SITE),
    InfectionEntry("B34.4", "papovavirus", _UNSPEC_SITE),
    InfectionEntry("B34.8", "virus", _UNSPEC_SITE),
    InfectionEntry("B34.9", "virus", _UNSPEC_SITE),
    InfectionEntry("B99", None, _SITE),
    # Blood, endocrine
    InfectionEntry("D73.3", None, _SITE),
    InfectionEntry("E06.0", None, _SITE),
    # Nervous system
    InfectionEntry("G00.0", "haemophilus", _NAMES),
    InfectionEntry("G00.1", "pneumokokk", "KV2018 §4.2 s. 30 (meningokokk-/pneumokokkinfeksjon)"),
    InfectionEntry("G00.2", "streptokokk", _NAMES),
    InfectionEntry("G00.3", "stafylokokk", _NAMES),
    InfectionEntry("G00.8", "bakterie", _NAMES),
    InfectionEntry("G00.9", "bakterie", _NAMES),
    InfectionEntry("G03", None, _SITE),
    InfectionEntry("G04", None, _SITE),
    InfectionEntry("G06", None, _SITE),
    # Eye and ear
    InfectionEntry("H00.0", None, _SITE),
    InfectionEntry("H04.3", None, _SITE),
    InfectionEntry("H05.0", None, _SITE),
    InfectionEntry("H10.0", None, _SITE),
    InfectionEntry("H10.3", None, _SITE),
    InfectionEntry("H16.0", None, _SITE),
    InfectionEntry("H44.0", None, _SITE),
    InfectionEntry("H60.0", None, _SITE),
    InfectionEntry("H60.1", None, _SITE),
    InfectionEntry("H60.2", None, _SITE),
    InfectionEntry("H60.3", None, _SITE),
    InfectionEntry("H66", None, _SITE),
    InfectionEntry("H70", None, _SITE),
    # Circulatory
    InfectionEntry("I30.1", None, _SITE),
    InfectionEntry("I33", None, "KV2018 §12.2 s. 95 (I33.0 som eksempel på type 1)"),
    InfectionEntry("I40.0", None, _SITE),
    InfectionEntry("I89.1", None, _SITE),
    # Respiratory
    InfectionEntry("J00", "virus", _SITE),
    InfectionEntry("J01", None, "KV2018 §4.2 s. 30 (akutt bihulebetennelse som eksempel)"),
    InfectionEntry("J02.0", "streptokokk", _NAMES),
    InfectionEntry("J02.8", None, _SITE),
    InfectionEntry("J02.9", None, _SITE),
    InfectionEntry("J03.0", "streptokokk", _NAMES),
    InfectionEntry("J03.8", None, _SITE),
    InfectionEntry("J03.9", None, _SITE),
    InfectionEntry("J04", None, _SITE),
    InfectionEntry("J05", None, _SITE),
    InfectionEntry("J06", None, _SITE),
    InfectionEntry("J09", "influensa", _NAMES),
    InfectionEntry("J10", "influensa", _NAMES),
    InfectionEntry("J11", "influensa", _NAMES),
    InfectionEntry("J12.0", "adenovirus", _PNEUMO),
    InfectionEntry("J12.1", "rsv", _PNEUMO),
    InfectionEntry("J12.2", "parainfluensa", _PNEUMO),
    InfectionEntry("J12.3", "metapneumovirus", _PNEUMO),
    InfectionEntry("J12.8", "virus", _PNEUMO),
    InfectionEntry("J12.9", "virus", _PNEUMO),
    InfectionEntry("J13", "pneumokokk", _PNEUMO),
    InfectionEntry("J14", "haemophilus", _PNEUMO),
    InfectionEntry("J15.0", "klebsiella", _PNEUMO),
    InfectionEntry("J15.1", "pseudomonas", _PNEUMO),
    InfectionEntry("J15.2", "stafylokokk", _PNEUMO),
    InfectionEntry("J15.3", "strep-b", _PNEUMO),
    InfectionEntry("J15.4", "streptokokk", _PNEUMO),
    InfectionEntry("J15.5", "e-coli", _PNEUMO),
    InfectionEntry("J15.6", "gram-negativ", _PNEUMO),
    InfectionEntry("J15.7", "mykoplasma", _PNEUMO),
    InfectionEntry("J15.8", "bakterie", _PNEUMO),
    InfectionEntry("J15.9", "bakterie", _PNEUMO),
    InfectionEntry("J16.0", "klamydia", _PNEUMO),
    InfectionEntry("J16.8", None, _PNEUMO),
    InfectionEntry("J18", None, _PNEUMO),
    InfectionEntry("J20.0", "mykoplasma", _NAMES),
    InfectionEntry("J20.1", "haemophilus", _NAMES),
    InfectionEntry("J20.2", "streptokokk", _NAMES),
    InfectionEntry("J20.3", "enterovirus", _NAMES),
    InfectionEntry("J20.4", "parainfluensa", _NAMES),
    InfectionEntry("J20.5", "rsv", _NAMES),
    InfectionEntry("J20.6", "rinovirus", _NAMES),
    InfectionEntry("J20.7", "enterovirus", _NAMES),
    InfectionEntry("J20.8", None, _SITE),
    InfectionEntry("J20.9", None, _SITE),
    InfectionEntry("J21.0", "rsv", _NAMES),
    InfectionEntry("J21.1", "metapneumovirus", _NAMES),
    InfectionEntry("J21.8", None, _SITE),
    InfectionEntry("J21.9", None, _SITE),
    InfectionEntry("J22", None, _SITE),
    InfectionEntry("J32", None, _SITE),
    InfectionEntry("J34.0", None, _SITE),
    InfectionEntry("J36", None, _SITE),
    InfectionEntry("J39.0", None, _SITE),
    InfectionEntry("J39.1", None, _SITE),
    InfectionEntry("J44.0", None, _SITE),
    InfectionEntry("J69.0", None, _SITE),
    InfectionEntry("J85", None, _SITE),
    InfectionEntry("J86", None, _SITE),
    # Digestive
    InfectionEntry("K11.3", None, _SITE),
    InfectionEntry("K12.2", None, _SITE),
    InfectionEntry("K35", None, _SITE),
    InfectionEntry("K36", None, _SITE),
    InfectionEntry("K37", None, _SITE),
    InfectionEntry("K57", None, _SITE),
    InfectionEntry("K61", None, _SITE),
    InfectionEntry("K63.0", None, _SITE),
    InfectionEntry("K65", None, _SITE),
    InfectionEntry("K75.0", None, _SITE),
    InfectionEntry("K80.0", None, _SITE),
    InfectionEntry("K80.3", None, _SITE),
    InfectionEntry("K80.4", None, _SITE),
    InfectionEntry("K81.0", None, _SITE),
    InfectionEntry("K83.0", None, _SITE),
    InfectionEntry("K25", None, _HPYL, FINDING, ("h-pylori",)),
    InfectionEntry("K26", None, _HPYL, FINDING, ("h-pylori",)),
    InfectionEntry("K27", None, _HPYL, FINDING, ("h-pylori",)),
    InfectionEntry("K28", None, _HPYL, FINDING, ("h-pylori",)),
    InfectionEntry("K29", None, _HPYL, FINDING, ("h-pylori",)),
    InfectionEntry("C16", None, _HPYL, FINDING, ("h-pylori",)),
    # Skin
    InfectionEntry("L00", "stafylokokk", _NAMES),
    InfectionEntry("L01", None, _SITE),
    InfectionEntry("L02", None, _SITE),
    InfectionEntry("L03", None, _SITE),
    InfectionEntry("L04", None, _SITE),
    InfectionEntry("L05.0", None, _SITE),
    InfectionEntry("L08.0", None, _SITE),
    InfectionEntry("L08.8", None, _SITE),
    InfectionEntry("L08.9", None, _SITE),
    InfectionEntry("L30.3", None, _SITE),
    # Musculoskeletal
    InfectionEntry("M00.0", "stafylokokk", _NAMES),
    InfectionEntry("M00.1", "pneumokokk", _NAMES),
    InfectionEntry("M00.2", "streptokokk", _NAMES),
    InfectionEntry("M00.8", "bakterie", _NAMES),
    InfectionEntry("M00.9", "bakterie", _NAMES),
    InfectionEntry("M46.2", None, _SITE),
    InfectionEntry("M46.3", None, _SITE),
    InfectionEntry("M46.4", None, _SITE),
    InfectionEntry("M46.5", None, _SITE),
    InfectionEntry("M60.0", None, _SITE),
    InfectionEntry("M65.0", None, _SITE),
    InfectionEntry("M65.1", None, _SITE),
    InfectionEntry("M71.0", None, _SITE),
    InfectionEntry("M71.1", None, _SITE),
    InfectionEntry("M72.6", None, _SITE),
    InfectionEntry("M86", None, _SITE),
    # Genitourinary (N30.1 interstitial and N30.4 radiation cystitis are not infections)
    InfectionEntry("N10", None, _SITE),
    InfectionEntry("N11", None, _SITE),
    InfectionEntry("N12", None, _SITE),
    InfectionEntry("N13.6", None, _SITE),
    InfectionEntry("N15.1", None, _SITE),
    InfectionEntry("N30.0", None, "KV2018 §12.2 s. 96 (N30.0+B96.2)"),
    InfectionEntry("N30.2", None, _TYPE1),
    InfectionEntry("N30.3", None, _TYPE1),
    InfectionEntry("N30.8", None, _TYPE1),
    InfectionEntry("N30.9", None, _TYPE1),
    InfectionEntry("N34.0", None, _SITE),
    InfectionEntry("N34.1", None, _SITE),
    InfectionEntry("N34.2", None, _SITE),
    InfectionEntry("N39.0", None, _SITE),
    InfectionEntry("N41", None, _SITE),
    InfectionEntry("N45", None, _SITE),
    InfectionEntry("N48.1", None, _SITE),
    InfectionEntry("N49", None, _SITE),
    InfectionEntry("N61", None, _SITE),
    InfectionEntry("N70", None, _SITE),
    InfectionEntry("N71", None, _SITE),
    InfectionEntry("N72", None, _SITE),
    InfectionEntry("N73", None, _SITE),
    InfectionEntry("N75.1", None, _SITE),
    InfectionEntry("N76", None, _SITE),
    InfectionEntry("N87", None, _HPV, FINDING, ("papillomavirus",)),
    InfectionEntry("D06", None, _HPV, FINDING, ("papillomavirus",)),
    InfectionEntry("C53", None, _HPV, FINDING, ("papillomavirus",)),
    # Pregnancy, childbirth, puerperium
    InfectionEntry("O08.0", None, _SITE),
    InfectionEntry("O23", None, _SITE),
    InfectionEntry("O41.1", None, _SITE),
    InfectionEntry("O75.3", None, _SITE),
    InfectionEntry("O85", None, _SITE),
    InfectionEntry("O86.0", None, _SITE),
    InfectionEntry("O86.1", None, _SITE),
    InfectionEntry("O86.2", None, _SITE),
    InfectionEntry("O86.3", None, _SITE),
    InfectionEntry("O86.8", None, _SITE),
    InfectionEntry("O91", None, _SITE),
    InfectionEntry("O98", None, _SITE),
    # Perinatal
    InfectionEntry("P23.0", "virus", _NAMES),
    InfectionEntry("P23.1", "klamydia", _NAMES),
    InfectionEntry("P23.2", "stafylokokk", _NAMES),
    InfectionEntry("P23.3", "strep-b", _NAMES),
    InfectionEntry("P23.4", "e-coli", _NAMES),
    InfectionEntry("P23.5", "pseudomonas", _NAMES),
    InfectionEntry("P23.6", "bakterie", _NAMES),
    InfectionEntry("P23.8", None, _SITE),
    InfectionEntry("P23.9", None, _SITE),
    InfectionEntry("P35", "annet-agens", _NAMES),
    InfectionEntry("P36.0", "strep-b", _NAMES),
    InfectionEntry("P36.1", "streptokokk", _NAMES),
    InfectionEntry("P36.2", "staph-aureus", _NAMES),
    InfectionEntry("P36.3", "stafylokokk", _NAMES),
    InfectionEntry("P36.4", "e-coli", _NAMES),
    InfectionEntry("P36.5", "anaerob", _NAMES),
    InfectionEntry("P36.8", "bakterie", _NAMES),
    InfectionEntry("P36.9", "bakterie", _NAMES),
    InfectionEntry("P37", None, _SITE),
    InfectionEntry("P38", None, _SITE),
    InfectionEntry("P39", None, _SITE),
    # Microbiological findings
    InfectionEntry("R82.7", None, _FIND, FINDING),
    InfectionEntry("R83.5", None, _FIND, FINDING),
    InfectionEntry("R84.5", None, _FIND, FINDING),
    InfectionEntry("R85.5", None, _FIND, FINDING),
    InfectionEntry("R86.5", None, _FIND, FINDING),
    InfectionEntry("R87.5", None, _FIND, FINDING),
    InfectionEntry("R89.5", None, _FIND, FINDING),
    # Infections as complications of care
    InfectionEntry("T79.3", None, _COMPL),
    InfectionEntry("T80.2", None, _COMPL),
    InfectionEntry("T81.4", None, _COMPL),
    InfectionEntry("T82.6", None, _COMPL),
    InfectionEntry("T82.7", None, _COMPL),
    InfectionEntry("T83.5", None, _COMPL),
    InfectionEntry("T83.6", None, _COMPL),
    InfectionEntry("T84.5", None, _COMPL),
    InfectionEntry("T84.6", None, _COMPL),
    InfectionEntry("T84.7", None, _COMPL),
    InfectionEntry("T85.7", None, _COMPL),
    InfectionEntry("T87.4", None, _COMPL),
    InfectionEntry("T88.0", None, _COMPL),
    # Carriers
    InfectionEntry("Z22.1", None, _FIND, FINDING),
    InfectionEntry("Z22.3", None, _FIND, FINDING),
    InfectionEntry("Z22.8", None, _FIND, FINDING),
    InfectionEntry("Z22.9", None, _FIND, FINDING),
    # Covid-19
    InfectionEntry("U07.1", "sars-cov-2", _COVID),
    InfectionEntry("U07.2", "sars-cov-2", _COVID),
)
INFECTION_ENTRIES: dict[str, InfectionEntry] = {entry.selector: entry for entry in _ENTRIES}

#: The rest of chapter I (A00–B89) names its agent in the code text (tuberculosis, salmonella,
#: herpes ...); B90–B94 are sequelae and B95–B98 the agents themselves.
_CHAPTER_I_DEFAULT = InfectionEntry(
    "A00-B89", "annet-agens", "ICD-10 kapittel I: kategoriene navngir agens i kodeteksten"
)


def infection_entry(code: str) -> InfectionEntry | None:
    """The table entry for an ICD-10 `code` (longest matching selector), or `None`."""
    if not _icd_shape(code):
        return None
    for length in range(len(code), 2, -1):
        found = INFECTION_ENTRIES.get(code[:length])
        if found is not None:
            return found
    if code[:1] == "A" or (code[:1] == "B" and code[:3] <= "B89"):
        return _CHAPTER_I_DEFAULT
    return None


def is_infection(code: str) -> bool:
    """Whether `code` is an infection (what SIRS R65.0/R65.1 and septic shock R57.2 follow)."""
    entry = infection_entry(code)
    return entry is not None and entry.kind == INFECTION


def agent_named_by(code: str) -> Agent | None:
    """The agent (or class of agents) a code's own text names: `J13` → pneumococci."""
    agent = microbe_agent(code)
    if agent is not None:
        return agent
    entry = infection_entry(code)
    return AGENTS[entry.agent] if entry is not None and entry.agent else None


def names_microbe(code: str) -> bool:
    """Whether `code` tells which microbe it is: a B95–B98 code or an infection code naming a
    species or genus (`J13`, `A41.0`, `A15.0`), not just a class (`A41.5` gram-negative)."""
    if is_microbe_code(code):
        return True
    agent = agent_named_by(code)
    return agent is not None and agent.specific


def microbe_describes(microbe: str, code: str) -> bool:
    """Whether the microorganism code `microbe` can be added to `code` to name its agent.

    True for an infection (or finding) that names no agent (`N30.0`, `T83.5`), and for one
    naming only a class that the microbe makes precise (`A41.5` gram-negative + `B96.5`).
    """
    entry = infection_entry(code)
    if entry is None:
        return False
    agent = MICROBE_AGENTS.get(microbe)
    if entry.only and (agent is None or not any(within(agent, a) for a in entry.only)):
        return False
    if entry.agent is None:
        return True
    return agent is not None and agent != entry.agent and within(agent, entry.agent)


def microbe_redundant_with(microbe: str, code: str) -> bool:
    """Whether `code` already names the agent of `microbe`, or a more precise one
    (`J13`+`B95.3`, `A41.0`+`B95.6`, `A41.0`+`B95.8`)."""
    agent = MICROBE_AGENTS.get(microbe)
    entry = infection_entry(code)
    if agent is None or entry is None or entry.agent is None:
        return False
    return within(entry.agent, agent)


# -- codes that name the agent themselves ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpecificCode:
    """An infection code + microorganism pair that the code list covers with one code.

    `better` may end in `{site}`: the 5th character of the written code is carried over
    (`M00.96`+`B95.6` → `M00.06`). The first matching row wins, so precise agents come first.
    """

    selectors: tuple[str, ...]
    agent: str
    better: str
    source: str


_PN_BACT = ("J18", "J16.8", "J15.8", "J15.9")
_PN_SRC = "KV2018 §12.2 s. 96 (J13 i stedet for pneumoni + B95.3); ICD-10 kodetekst J12–J18"
_SEP = ("A41.8", "A41.9")
_SEP_SRC = "KV2018 §12.2 s. 95 (type 3: sepsiskoder med kjent agens)"
_OTHER_SRC = "ICD-10 kodetekst (egen kode for agenset)"

SPECIFIC_CODES: tuple[SpecificCode, ...] = (
    # Pneumonia
    SpecificCode((*_PN_BACT, "J15.4"), "pneumokokk", "J13", _PN_SRC),
    SpecificCode((*_PN_BACT, "J15.6"), "haemophilus", "J14", _PN_SRC),
    SpecificCode((*_PN_BACT, "J15.6"), "klebsiella", "J15.0", _PN_SRC),
    SpecificCode((*_PN_BACT, "J15.6"), "pseudomonas", "J15.1", _PN_SRC),
    SpecificCode(_PN_BACT, "stafylokokk", "J15.2", _PN_SRC),
    SpecificCode((*_PN_BACT, "J15.4"), "strep-b", "J15.3", _PN_SRC),
    SpecificCode(_PN_BACT, "streptokokk", "J15.4", _PN_SRC),
    SpecificCode((*_PN_BACT, "J15.6"), "e-coli", "J15.5", _PN_SRC),
    SpecificCode(_PN_BACT, "mykoplasma", "J15.7", _PN_SRC),
    SpecificCode(_PN_BACT, "anaerob", "J15.8", _PN_SRC),
    SpecificCode(_PN_BACT, "gram-negativ", "J15.6", _PN_SRC),
    SpecificCode(_PN_BACT, "bakterie", "J15.8", _PN_SRC),
    SpecificCode(("J18", "J16.8", "J12.8", "J12.9"), "adenovirus", "J12.0", _PN_SRC),
    SpecificCode(("J18", "J16.8", "J12.8", "J12.9"), "rsv", "J12.1", _PN_SRC),
    SpecificCode(("J18", "J16.8"), "virus", "J12.8", _PN_SRC),
    # Sepsis
    SpecificCode((*_SEP, "A40.9"), "strep-a", "A40.0", _SEP_SRC),
    SpecificCode((*_SEP, "A40.9"), "strep-b", "A40.1", _SEP_SRC),
    SpecificCode((*_SEP, "A40.9"), "strep-d", "A40.2", _SEP_SRC),
    SpecificCode((*_SEP, "A40.9"), "pneumokokk", "A40.3", _SEP_SRC),
    SpecificCode((*_SEP, "A40.9"), "strep-annen", "A40.8", _SEP_SRC),
    SpecificCode(_SEP, "streptokokk", "A40.9", _SEP_SRC),
    SpecificCode((*_SEP, "A41.2"), "staph-aureus", "A41.0", _SEP_SRC),
    SpecificCode((*_SEP, "A41.2"), "staph-annen", "A41.1", _SEP_SRC),
    SpecificCode(_SEP, "stafylokokk", "A41.2", _SEP_SRC),
    SpecificCode((*_SEP, "A41.5"), "haemophilus", "A41.3", _SEP_SRC),
    SpecificCode(_SEP, "anaerob", "A41.4", _SEP_SRC),
    SpecificCode(_SEP, "gram-negativ", "A41.5", _SEP_SRC),
    # Bacterial meningitis
    SpecificCode(("G00.8", "G00.9"), "haemophilus", "G00.0", _OTHER_SRC),
    SpecificCode(("G00.8", "G00.9", "G00.2"), "pneumokokk", "G00.1", _OTHER_SRC),
    SpecificCode(("G00.8", "G00.9"), "streptokokk", "G00.2", _OTHER_SRC),
    SpecificCode(("G00.8", "G00.9"), "stafylokokk", "G00.3", _OTHER_SRC),
    # Pyogenic arthritis (5th character = site)
    SpecificCode(("M00.8", "M00.9"), "stafylokokk", "M00.0{site}", _OTHER_SRC),
    SpecificCode(("M00.8", "M00.9", "M00.2"), "pneumokokk", "M00.1{site}", _OTHER_SRC),
    SpecificCode(("M00.8", "M00.9"), "streptokokk", "M00.2{site}", _OTHER_SRC),
    # Bacterial sepsis of newborn
    SpecificCode(("P36.8", "P36.9", "P36.1"), "strep-b", "P36.0", _OTHER_SRC),
    SpecificCode(("P36.8", "P36.9"), "streptokokk", "P36.1", _OTHER_SRC),
    SpecificCode(("P36.8", "P36.9", "P36.3"), "staph-aureus", "P36.2", _OTHER_SRC),
    SpecificCode(("P36.8", "P36.9"), "stafylokokk", "P36.3", _OTHER_SRC),
    SpecificCode(("P36.8", "P36.9"), "e-coli", "P36.4", _OTHER_SRC),
    SpecificCode(("P36.8", "P36.9"), "anaerob", "P36.5", _OTHER_SRC),
    # Acute bronchitis and bronchiolitis
    SpecificCode(("J20.8", "J20.9"), "mykoplasma", "J20.0", _OTHER_SRC),
    SpecificCode(("J20.8", "J20.9"), "haemophilus", "J20.1", _OTHER_SRC),
    SpecificCode(("J20.8", "J20.9"), "streptokokk", "J20.2", _OTHER_SRC),
    SpecificCode(("J20.8", "J20.9"), "rsv", "J20.5", _OTHER_SRC),
    SpecificCode(("J21.8", "J21.9"), "rsv", "J21.0", _OTHER_SRC),
    # Infection of unspecified site
    SpecificCode(("A49.8", "A49.9"), "stafylokokk", "A49.0", _UNSPEC_SITE),
    SpecificCode(("A49.8", "A49.9"), "streptokokk", "A49.1", _UNSPEC_SITE),
    SpecificCode(("A49.8", "A49.9"), "haemophilus", "A49.2", _UNSPEC_SITE),
    SpecificCode(("A49.8", "A49.9"), "mykoplasma", "A49.3", _UNSPEC_SITE),
    SpecificCode(("B34.8", "B34.9"), "adenovirus", "B34.0", _UNSPEC_SITE),
    SpecificCode(("B34.8", "B34.9"), "enterovirus", "B34.1", _UNSPEC_SITE),
    SpecificCode(("B34.8", "B34.9"), "koronavirus", "B34.2", _UNSPEC_SITE),
    SpecificCode(("B34.8", "B34.9"), "parvovirus", "B34.3", _UNSPEC_SITE),
    SpecificCode(("B34.8", "B34.9"), "papovavirus", "B34.4", _UNSPEC_SITE),
)


def specific_code_for(code: str, microbe: str) -> str | None:
    """The code that names the agent itself, when `code`+`microbe` should be that code."""
    agent = MICROBE_AGENTS.get(microbe)
    if agent is None:
        return None
    for row in SPECIFIC_CODES:
        if within(agent, row.agent) and any(code.startswith(s) for s in row.selectors):
            better = row.better.replace("{site}", code[5:])
            return None if better == code else better
    return None


# -- sepsis codes ---------------------------------------------------------------------------

#: Codes that say sepsis with a known agent and unknown focus (Kodeveiledning 2018 §12.2 s. 95,
#: type 3); with them R65.1 says nothing more (§12.3 s. 96).
SEPSIS_CODES: tuple[str, ...] = (
    "A02.1",
    "A20.7",
    "A22.7",
    "A26.7",
    "A32.7",
    "A40",
    "A41",
    "A42.7",
    "B37.7",
)


def is_sepsis_code(code: str) -> bool:
    """Whether `code` itself says sepsis (`A40.x`, `A41.x`, `A02.1`, … `B37.7`)."""
    return code.startswith(SEPSIS_CODES)


#: SIRS of infectious origin and septic shock: additional codes after the infection.
SIRS_INFECTIOUS = ("R65.0", "R65.1", "R57.2")

_RESISTANCE_EXAMPLE = {
    "U82.0": "B95.3",
    "U82.1": "B95.6",
    "U82.2": "B96.2",
    "U83.0": "B95.2",
    "U83.1": "B95.2",
}


# -- helpers over an episode ----------------------------------------------------------------


def _icd(ref: CodeRef) -> bool:
    return ref.facts.kind is CodeKind.ICD10


def _others(view: EpisodeView, ref: CodeRef) -> Iterator[CodeRef]:
    """Every ICD-10 condition code except `ref` itself."""
    for other in view.condition_codes():
        if other is not ref and _icd(other):
            yield other


def _group_of(view: EpisodeView, ref: CodeRef) -> list[CodeRef]:
    return view.conditions[ref.group]


def _compact(codes: Iterable[str]) -> str:
    return "+".join(codes)


def _as_registered(view: EpisodeView, codes: Iterable[str]) -> str:
    """Codes as the year registers them: one group (`N39.0+B96.2`), or standalone before
    2023 (`N39.0; B96.2`), so that a suggestion never breaks T30."""
    joiner = "; " if view.multiple_coding == "dagger-only" else "+"
    return joiner.join(codes)


def _grouping_required(view: EpisodeView) -> bool:
    return view.multiple_coding == "required"


def condition_name(group: int) -> str:
    """`hovedtilstanden` or `annen tilstand nr. 2`, for messages."""
    return "hovedtilstanden" if group == 0 else f"annen tilstand nr. {group}"


def _condition_no(ref: CodeRef) -> str:
    return condition_name(ref.group)


def _example_host(microbe: str) -> str:
    """An infection code to show in "code the infection first" suggestions."""
    agent = MICROBE_AGENTS.get(microbe)
    if agent is None:
        return "N39.0"
    if within(agent, "virus"):
        return "J06.9"
    if agent == "h-pylori":
        return "K29.7"
    return "N39.0"


# -- T17 ------------------------------------------------------------------------------------


@rule(
    "T17",
    "sirs-without-infection",
    Severity.ERROR,
    title="SIRS eller septisk sjokk uten infeksjonskode foran",
    source="Kodeveiledning 2018 §12.2 s. 95, §12.3 s. 96",
    triggers=F.SIRS,
    pure=True,
)
def sirs_without_infection(view: EpisodeView) -> Iterator[Hit]:
    """Checks: SIRS of infectious origin (`R65.0`, `R65.1`) and septic shock (`R57.2`) follow
    an infection code: before them in the same condition group from 2024, anywhere among the
    conditions before 2024.

    Why: these codes are used only as additional codes to the first code of the infection
    (Kodeveiledning 2018 §12.2 p. 95); alone they say neither what the infection is nor where.
    Before 2024 additional codes were registered standalone (2016–2022) or optionally grouped
    (2023), so the order of conditions ties nothing together and any infection code in the
    episode counts (the catalogue's "before them" is read as "in the episode": the rulebook
    sets no order among other conditions). From 2024 the code must stand after the infection
    in its group. A SIRS code that stands first in its own group while the episode has an
    infection elsewhere is a grouping defect, reported by T05 (main condition) or T29 (other
    conditions) with the regrouped suggestion, not here. `R65.2`/`R65.3` (non-infectious
    SIRS) and `R65.9` are not checked. What counts as an infection is `is_infection`.

    Triggers: `R65.1` alone; 2025: `I50.9+R65.1; J18.9` (R65.1 in the heart failure's group).

    Correct: `N39.0+R65.1` (2024 on); `N39.0; R65.1` in 2019; `R65.3` for non-infectious SIRS.
    """
    required = _grouping_required(view)
    for ref in view.conditions_with(F.SIRS):
        if ref.code not in SIRS_INFECTIOUS:
            continue
        elsewhere = [o for o in _others(view, ref) if is_infection(o.code)]
        if not required:
            if elsewhere:
                continue
        else:
            before = _group_of(view, ref)[: ref.position]
            if any(_icd(o) and is_infection(o.code) for o in before):
                continue
            if ref.position == 0 and elsewhere:
                continue  # standalone while the infection is elsewhere: T05/T29
        yield _sirs_hit(view, ref, elsewhere, required)


def _sirs_hit(view: EpisodeView, ref: CodeRef, elsewhere: list[CodeRef], required: bool) -> Hit:
    code = ref.code
    first = view.conditions[ref.group][0]
    if code == "R57.2":
        what = "Septisk sjokk (R57.2)"
        alternative = "eller en annen sjokkode (R57.0, R57.1, R57.8) hvis sjokket ikke er septisk"
    else:
        what = f"SIRS av infeksiøs årsak ({code})"
        other = "R65.3" if code == "R65.1" else "R65.2"
        alternative = f"eller {other} hvis SIRS ikke skyldes infeksjon"
    if elsewhere:
        host = elsewhere[0]
        message = (
            f"{what} står i gruppen til {first.code} uten en infeksjonskode foran seg; "
            f"infeksjonen {host.code} står i {_condition_no(host)}."
        )
        target = [o.code for o in view.conditions[host.group]] + [code]
        suggestion = f"Flytt {code} til infeksjonen: {_compact(target)}"
        fix: Fix | None = fixes.move_to_group_end(view, ref, host.group)
    else:
        where = "i samme gruppe" if required else "i episoden"
        message = (
            f"{what} er en tilleggskode til infeksjonen, men det er ingen infeksjonskode {where}."
        )
        example = _as_registered(view, ["N39.0", code])
        suggestion = f"Kod infeksjonen først (f.eks. {example}), {alternative}"
        fix = None
    return Hit(message, (code,), ref.location, suggestion, fix=fix)


# -- T18 ------------------------------------------------------------------------------------


@rule(
    "T18",
    "sirs-with-sepsis-code",
    Severity.WARNING,
    title="R65.1 sammen med en kode som allerede sier sepsis",
    source="Kodeveiledning 2018 §12.3 s. 96",
    triggers=F.SIRS,
    pure=True,
)
def sirs_with_sepsis_code(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `R65.1` (SIRS with organ failure) is not added to a code that already says
    sepsis (`A40.x`, `A41.x`, `A02.1`, `A20.7`, `A22.7`, `A26.7`, `A32.7`, `A42.7`, `B37.7`).

    Why: with unknown focus the infection is coded with a sepsis code of type 3, and then R65.1
    is unnecessary because the code itself says the patient has sepsis (Kodeveiledning 2018
    §12.3 p. 96). Before 2024 any sepsis code in the episode counts; from 2024 the sepsis code
    in R65.1's own group, or anywhere when R65.1 stands alone and every infection in the
    episode is a sepsis code. With septic shock as well, T19 (error) asks for R65.1 to go,
    so this rule stays silent then.

    Triggers: `A41.0+R65.1`.

    Correct: `A41.0` (focus unknown), or `J18.9+R65.1` when the focus is known.
    """
    if any(ref.code == "R57.2" for ref in view.condition_codes()):
        return
    required = _grouping_required(view)
    found: list[tuple[CodeRef, CodeRef]] = []
    for ref in view.conditions_with(F.SIRS):
        if ref.code != "R65.1":
            continue
        if required and ref.position > 0:
            scope = [o for o in _group_of(view, ref) if o is not ref]
        elif required:
            infections = [o for o in _others(view, ref) if is_infection(o.code)]
            scope = infections if all(is_sepsis_code(o.code) for o in infections) else []
        else:
            scope = list(_others(view, ref))
        sepsis = next((o for o in scope if _icd(o) and is_sepsis_code(o.code)), None)
        if sepsis is not None:
            found.append((ref, sepsis))
    for ref, sepsis in found:
        yield Hit(
            f"R65.1 er unødvendig: {sepsis.code} sier allerede at pasienten har sepsis.",
            (sepsis.code, ref.code),
            ref.location,
            f"Slett R65.1 (behold {sepsis.code})",
            fix=fixes.drop(view, *(r for r, _ in found)),
        )


# -- T19 ------------------------------------------------------------------------------------


@rule(
    "T19",
    "sirs-with-septic-shock",
    Severity.ERROR,
    title="R65.1 og R57.2 kodet sammen",
    source="Kodeveiledning 2018 §12.3 s. 96",
    triggers=F.SIRS,
    pure=True,
)
def sirs_with_septic_shock(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `R65.1` (SIRS with organ failure) and `R57.2` (septic shock) are not both coded.

    Why: with septic shock the infection is coded as for sepsis, R57.2 is always added and
    R65.1 is not used (Kodeveiledning 2018 §12.3 p. 96). Checked over the whole episode in
    every year: a patient in septic shock has one septic state, whatever the grouping.

    Triggers: `A41.5+R65.1+R57.2`.

    Correct: `A41.5+B96.5+R57.2`.
    """
    codes = list(view.condition_codes())
    if not any(ref.code == "R57.2" for ref in codes):
        return
    sirs = [ref for ref in codes if ref.code == "R65.1"]
    for ref in sirs:
        yield Hit(
            "R65.1 og R57.2 er kodet sammen; ved septisk sjokk brukes bare R57.2.",
            ("R65.1", "R57.2"),
            ref.location,
            "Slett R65.1 (behold R57.2)",
            fix=fixes.drop(view, *sirs),
        )


# -- T20 ------------------------------------------------------------------------------------


@rule(
    "T20",
    "microbe-without-infection-or-redundant",
    Severity.WARNING,
    title="Mikroorganismekode uten infeksjon den kan beskrive, eller overflødig",
    source="Kodeveiledning 2018 §4.2 s. 30, §12.2 s. 96",
    triggers=F.MICROBE,
    pure=True,
)
def microbe_without_infection_or_redundant(view: EpisodeView) -> Iterator[Hit]:
    """Checks: each microorganism code `B95`–`B98` describes an infection code that does not
    name the agent already, and is not standing in for a code that names it.

    Why: B95–B98 mean nothing alone; they are added to an infection code that says nothing about
    the cause (`N30.0`+`B96.2`), never where the infection code already names the microbe
    (`J13` pneumococcal pneumonia, `A41.0`) (Kodeveiledning 2018 §4.2 p. 30, §12.2 p. 96). They
    may make a class precise: `A41.5` (gram-negative) + `B96.5` is the rulebook's own example
    (§12.4 p. 97). Where the code list has one code for the pair (`J18.9`+`B96.2` is `J15.5`,
    `A41.9`+`B95.6` is `A41.0`) the rule asks for that code, since the microbe is then known and
    the unspecified code is wrong. Which infection a microbe can describe, and which codes
    name which agent, comes from this module's tables (`microbe_describes`,
    `microbe_redundant_with`, `specific_code_for`).

    Scope by year: from 2024 a grouped microbe code is judged against its own group (and is
    redundant there if any code names its agent); a standalone one against the episode, and
    if an infection it can describe exists elsewhere T29 reports the grouping instead. Before
    2024 the whole episode counts, and a microbe code is only called redundant when there is
    no other infection in the episode it could describe, since standalone registration does
    not say which infection it belonged to.

    Triggers: `J13+B95.3`; `A41.0+B95.6`; `I10+B96.2` alone; `J18.9+B96.2`.

    Correct: `J13`; `A41.0`; `N30.0+B96.2`; `J15.5`; `A41.5+B96.5+R57.2`.
    """
    required = _grouping_required(view)
    for ref in view.conditions_with(F.MICROBE):
        if not _icd(ref):
            continue
        if required and ref.position > 0:
            group = [o for o in _group_of(view, ref) if o is not ref and _icd(o)]
            hit = _judge_microbe(view, ref, group, group_scope=True)
            if hit is None and not any(microbe_describes(ref.code, o.code) for o in group):
                hit = _microbe_misplaced(view, ref)
        else:
            hit = _judge_microbe(view, ref, list(_others(view, ref)), group_scope=False)
            if hit is None and not any(
                microbe_describes(ref.code, o.code) for o in _others(view, ref)
            ):
                hit = _microbe_alone(view, ref)
        if hit is not None:
            yield hit


def _judge_microbe(
    view: EpisodeView, ref: CodeRef, scope: list[CodeRef], group_scope: bool
) -> Hit | None:
    """Redundancy and "one code names it" within `scope`; `None` when neither applies."""
    microbe = ref.code
    agent = microbe_agent(microbe)
    agent_name = agent.name if agent else microbe
    hosts = [o for o in scope if microbe_describes(microbe, o.code)]
    better = [(o, specific_code_for(o.code, microbe)) for o in hosts]
    if hosts and all(b is not None for _, b in better):
        host, code = better[0]
        assert code is not None
        named = agent_named_by(code)
        full = named is not None and agent is not None and within(agent.key, named.key)
        if full:
            suggestion = f"Bruk {code} i stedet for {host.code} og {microbe}"
        else:
            suggestion = f"Registrer som {_as_registered(view, [code, microbe])}"
        return Hit(
            f"{host.code} med {microbe} ({agent_name}): kodeverket har en egen kode for dette, "
            f"{code}.",
            (host.code, microbe),
            ref.location,
            suggestion,
            fix=fixes.edit(view, [(host, code)], [ref] if full else []),
        )
    if hosts and not group_scope:
        return None
    namer = next((o for o in scope if microbe_redundant_with(microbe, o.code)), None)
    if namer is not None:
        return Hit(
            f"{microbe} er overflødig: {namer.code} sier allerede at årsaken er {agent_name}.",
            (namer.code, microbe),
            ref.location,
            f"Slett {microbe} (registrer {namer.code} uten mikroorganismekode)",
            fix=fixes.drop(view, ref),
        )
    return None


def _microbe_misplaced(view: EpisodeView, ref: CodeRef) -> Hit:
    """A grouped microbe code (2024 on) whose group holds nothing it can describe."""
    first = _group_of(view, ref)[0]
    host = next((o for o in _others(view, ref) if microbe_describes(ref.code, o.code)), None)
    if host is not None:
        target = [o.code for o in _group_of(view, host)] + [ref.code]
        return Hit(
            f"{ref.code} står i gruppen til {first.code}, som den ikke kan beskrive; "
            f"infeksjonen {host.code} står i {_condition_no(host)}.",
            (first.code, ref.code),
            ref.location,
            f"Flytt {ref.code} til infeksjonen: {_compact(target)}",
            fix=fixes.move_to_group_end(view, ref, host.group),
        )
    return _microbe_alone(view, ref, first)


def _microbe_alone(view: EpisodeView, ref: CodeRef, first: CodeRef | None = None) -> Hit:
    required = _grouping_required(view)
    agent = microbe_agent(ref.code)
    name = f" ({agent.name})" if agent else ""
    if first is not None and first is not ref:
        where = f"i gruppen til {first.code}, som ikke er en infeksjon den kan beskrive"
    else:
        where = "uten en infeksjonskode den kan beskrive" + (" i episoden" if not required else "")
    example = _as_registered(view, [_example_host(ref.code), ref.code])
    return Hit(
        f"Mikroorganismekoden {ref.code}{name} står {where}; den er bare en tilleggskode "
        "til infeksjonen.",
        (ref.code,),
        ref.location,
        f"Kod infeksjonen først (f.eks. {example}), eller slett {ref.code}",
    )


# -- T21 ------------------------------------------------------------------------------------


@rule(
    "T21",
    "resistance-without-microbe",
    Severity.ERROR,
    title="Resistenskode uten kode som angir mikroben",
    source="Kodeveiledning 2018 §4.2 s. 30–31",
    triggers=F.RESISTANCE,
    pure=True,
)
def resistance_without_microbe(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a resistance code `U82`–`U84` goes with a code that names the microbe: a
    microorganism code B95–B98 or an infection code naming the agent (`J13`, `A41.0`, `A15.0`).

    Why: the resistance codes are additional codes to an infection with a known microbe, and
    only make sense when another code says which microbe is resistant (Kodeveiledning 2018
    §4.2 p. 30–31). A class is not enough: `A41.5` (gram-negative) + `U82.2` does not say
    which microbe. `U85` (resistance to antineoplastic drugs) is in the catalogue's range but
    is about tumours, not microbes, so the rulebook's U82–U84 is followed and U85 is left out.
    From 2024 a grouped resistance code needs the naming code in its own group; a standalone
    one (or any before 2024) is judged against the whole episode, and when the microbe is
    named elsewhere T29 reports the grouping instead.

    Triggers: `N39.0+U82.2`; `J18.9; U82.1` (2019).

    Correct: `N39.0+B96.2+U82.2`; `J18.9; B95.6; U82.1` (2019).
    """
    required = _grouping_required(view)
    for ref in view.conditions_with(F.RESISTANCE):
        if not _icd(ref) or ref.category == "U85":
            continue
        others = list(_others(view, ref))
        if required and ref.position > 0:
            group = [o for o in _group_of(view, ref) if o is not ref and _icd(o)]
            if any(names_microbe(o.code) for o in group):
                continue
        elif any(names_microbe(o.code) for o in others):
            continue
        yield _resistance_hit(view, ref, others, required)


def _resistance_hit(view: EpisodeView, ref: CodeRef, others: list[CodeRef], required: bool) -> Hit:
    code = ref.code
    namer = next((o for o in others if names_microbe(o.code)), None)
    group = [o.code for o in _group_of(view, ref)] if ref.position > 0 else []
    if namer is not None:
        # Grouped (2024 on) without the microbe, which is named in another group.
        if is_microbe_code(namer.code):
            target = [c for c in group if c != code] + [namer.code, code]
            fix = fixes.move(view, namer, ref, before=True)
        else:
            target = [o.code for o in _group_of(view, namer)] + [code]
            fix = fixes.move_to_group_end(view, ref, namer.group)
        return Hit(
            f"{code} står i en gruppe uten kode som angir mikroben; {namer.code} står i "
            f"{_condition_no(namer)}.",
            (code, namer.code),
            ref.location,
            f"Registrer som {_compact(target)}",
            fix=fix,
        )
    example = _RESISTANCE_EXAMPLE.get(code)
    base = [c for c in group if c != code] or ["N39.0"]
    if example:
        suggestion = (
            f"Legg til mikroorganismekoden, f.eks. {_as_registered(view, [*base, example, code])}"
        )
    else:
        suggestion = f"Legg til en mikroorganismekode (B95–B98) foran {code}"
    where = "i gruppen" if required and ref.position > 0 else "i episoden"
    return Hit(
        f"Resistenskoden {code} sier ikke hvilken mikrobe som er resistent, og ingen kode "
        f"{where} angir mikroben.",
        (code,),
        ref.location,
        suggestion,
    )
