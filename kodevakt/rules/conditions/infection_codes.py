"""What kodevakt knows about infection codes, as data tables with a source note per entry.

Rules ask the same questions the same way through these helpers (T17–T21 and T36 in
`infection.py`, T29's regrouping in `multiple_coding.py`, fever in `symptoms.py`):

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
- `is_sepsis_code(code)` / `is_local_focus(code)`: a sepsis code for an unknown focus (type 3),
  or an infection with a known site that such a code must not stand beside (T36)?
- `microbe_code_for(agent)`: the microorganism code that carries an agent, when a fix takes
  away the code that named it (`A41.0` → `B95.6`).

Agents form a small hierarchy (Staphylococcus aureus ⊂ staphylococci ⊂ bacteria), so "names
the same agent" and "makes the agent more precise" are set questions, not string matching.

Codes are ICD-10 codes in kodevakt's canonical form (`N30.0`, `J13`, `M00.96`): a rule asks
`kodevakt.rules.vocabulary.is_icd10` before it asks these tables, which answer for ICD-10 codes
only (asked about the ATC code `A02BC01`, `is_infection` would go by its first letter). A
selector in the tables matches the code itself and every code under it (`N30.0` matches
`N30.0`; `M86` matches `M86.16`); the longest matching selector wins. This module registers no
rule.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def is_microbe_code(code: str) -> bool:
    """Whether `code` is a microorganism code B95–B98 (additional code only)."""
    return "B95" <= code[:3] <= "B98"


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

#: Chapter I categories that name a site as well as an agent (intestinal infections,
#: respiratory tuberculosis, erysipelas): with a sepsis code they are a known focus too.
_LOCAL_CHAPTER_I = ("A0", "A15", "A16", "A46")
#: Organ chapters whose infection codes name the site (type 1, Kodeveiledning 2018 §12.2
#: s. 95: `N30.0`, `I33.0`). Left out: chapter XV, whose puerperal and post-abortion codes
#: include sepsis (`O85`, `O08.0`); chapter XVI (`P36` is newborn sepsis); and the
#: complications of care (`T80.2` includes sepsis after an infusion), which come first with
#: the infection as the code that specifies them (§4.2 s. 33).
_LOCAL_CHAPTERS = frozenset("GHIJKLMN")


def is_local_focus(code: str) -> bool:
    """Whether `code` is an infection with a known site: a focus a sepsis code must not stand
    beside, since with a known focus the site is coded and R65.1 added (§12.3 s. 96)."""
    if not is_infection(code) or is_sepsis_code(code):
        return False
    return code[0] in _LOCAL_CHAPTERS or code.startswith(_LOCAL_CHAPTER_I)


def microbe_code_for(agent: str) -> str | None:
    """The microorganism code B95–B98 that names exactly `agent`, if there is one (`B95.6` for
    Staphylococcus aureus; none for gram-negative bacteria as a class)."""
    return next((code for code, key in MICROBE_AGENTS.items() if key == agent), None)


RESISTANCE_EXAMPLE = {
    "U82.0": "B95.3",
    "U82.1": "B95.6",
    "U82.2": "B96.2",
    "U83.0": "B95.2",
    "U83.1": "B95.2",
}
