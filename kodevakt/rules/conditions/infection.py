"""T rules for infections: SIRS and septic shock (T17–T19), microorganisms (T20), resistance
(T21), and a sepsis code beside a known focus (T36).

The infection code knowledge they share with other rules lives in `infection_codes.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.conditions.infection_codes import (
    MICROBE_AGENTS,
    RESISTANCE_EXAMPLE,
    SIRS_INFECTIOUS,
    agent_named_by,
    is_infection,
    is_local_focus,
    is_microbe_code,
    is_sepsis_code,
    microbe_agent,
    microbe_code_for,
    microbe_describes,
    microbe_redundant_with,
    names_microbe,
    specific_code_for,
    within,
)
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.phrases import condition_name
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import MultipleCoding, is_icd10

SEPSIS_CODE = F.code_feature(
    lambda facts: is_icd10(facts) and is_sepsis_code(facts.code), "sepsiskode (type 3)"
)

# -- helpers over an episode ----------------------------------------------------------------


def _others(view: EpisodeView, ref: CodeRef) -> Iterator[CodeRef]:
    """Every ICD-10 condition code except `ref` itself."""
    for other in view.condition_codes():
        if other is not ref and is_icd10(other):
            yield other


def _group_of(view: EpisodeView, ref: CodeRef) -> list[CodeRef]:
    return view.conditions[ref.group]


def _compact(codes: Iterable[str]) -> str:
    return "+".join(codes)


def _as_registered(view: EpisodeView, codes: Iterable[str]) -> str:
    """Codes as the year registers them: one group (`N39.0+B96.2`), or standalone before
    2023 (`N39.0; B96.2`), so that a suggestion never breaks T30."""
    joiner = "; " if view.multiple_coding is MultipleCoding.DAGGER_ONLY else "+"
    return joiner.join(codes)


def _grouping_required(view: EpisodeView) -> bool:
    return view.multiple_coding is MultipleCoding.REQUIRED


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
    fixable=True,
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
            if any(is_icd10(o) and is_infection(o.code) for o in before):
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
    fixable=True,
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
        sepsis = next((o for o in scope if is_icd10(o) and is_sepsis_code(o.code)), None)
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
    fixable=True,
)
def sirs_with_septic_shock(view: EpisodeView) -> Iterator[Hit]:
    """Checks: `R65.1` (SIRS with organ failure) and `R57.2` (septic shock) are not both coded.

    Why: with septic shock the infection is coded as for sepsis, R57.2 is always added and
    R65.1 is not used (Kodeveiledning 2018 §12.3 p. 96). Checked over the whole episode in
    every year: a patient in septic shock has one septic state, whatever the grouping.
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
    fixable=True,
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
    the unspecified code is wrong. The fix drops the microbe code only when the new code names
    its agent as precisely; a code that names only a class keeps it, as the rulebook's
    sepsis example does (`A41.9`+`B96.5` becomes `A41.5`+`B96.5`, not `A41.5`). Which
    infection a microbe can describe, and which codes name which agent, comes from this
    module's tables (`microbe_describes`, `microbe_redundant_with`, `specific_code_for`).

    Scope by year: from 2024 a grouped microbe code is judged against its own group (and is
    redundant there if any code names its agent); a standalone one against the episode, and
    if an infection it can describe exists elsewhere T29 reports the grouping instead. Before
    2024 the whole episode counts, and a microbe code is only called redundant when there is
    no other infection in the episode it could describe, since standalone registration does
    not say which infection it belonged to.
    """
    required = _grouping_required(view)
    for ref in view.conditions_with(F.MICROBE):
        if not is_icd10(ref):
            continue
        if required and ref.position > 0:
            group = [o for o in _group_of(view, ref) if o is not ref and is_icd10(o)]
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
        # The microbe code goes only when the new code names its agent as precisely; a code
        # that names the class only keeps it (`A41.9`+`B96.5` is `A41.5`+`B96.5`, §12.4 p. 97).
        full = microbe_redundant_with(microbe, code)
        if full:
            suggestion = f"Bruk {code} i stedet for {host.code} og {microbe}"
            message = f"kodeverket har en egen kode for dette, {code}."
        else:
            suggestion = (
                f"Registrer som {_as_registered(view, [code, microbe])} ({microbe} beholdes, "
                f"fordi {code} ikke sier at årsaken er {agent_name})"
            )
            message = f"kodeverket har en mer spesifikk kode, {code}, som {microbe} presiserer."
        return Hit(
            f"{host.code} med {microbe} ({agent_name}): {message}",
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
    fixable=True,
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
    """
    required = _grouping_required(view)
    for ref in view.conditions_with(F.RESISTANCE):
        if not is_icd10(ref) or ref.category == "U85":
            continue
        others = list(_others(view, ref))
        if required and ref.position > 0:
            group = [o for o in _group_of(view, ref) if o is not ref and is_icd10(o)]
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
    example = RESISTANCE_EXAMPLE.get(code)
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


# -- T36 ------------------------------------------------------------------------------------


@rule(
    "T36",
    "sepsis-code-with-known-focus",
    Severity.WARNING,
    title="Sepsiskode for ukjent fokus sammen med en lokal infeksjon",
    source="Kodeveiledning 2018 §12.2 s. 95, §12.3 s. 96",
    triggers=F.in_conditions(SEPSIS_CODE),
    pure=True,
    fixable=True,
)
def sepsis_code_with_known_focus(view: EpisodeView) -> Iterator[Hit]:
    """Checks: a sepsis code of type 3 (`A40.x`, `A41.x`, `A02.1`, `A20.7`, `A22.7`, `A26.7`,
    `A32.7`, `A42.7`, `B37.7`) does not stand beside an infection with a known site (a type 1
    code from the organ chapters G–N, such as `N10`, `J18.9`, `L03.1`, `I33.0`, or an
    intestinal infection, respiratory tuberculosis or erysipelas from chapter I).

    Why: the sepsis codes of type 3 are for sepsis whose focus is unknown. When the focus is
    known, the local infection is coded first, with a microorganism code for the agent where
    it is known, and `R65.1` added for the organ failure (`R57.2` instead with septic shock)
    (Kodeveiledning 2018 §12.2 p. 95, §12.3 p. 96). Infections of chapter XV (`O85`
    puerperal sepsis), chapter XVI (`P36`) and complications of care (`T80.2`, `T82.7`), whose
    own texts include sepsis or which come first with the sepsis as the code that specifies
    them (§4.2 p. 33), do not count as a focus here. The fix keeps the agent: the sepsis code's
    agent becomes the microorganism code (`A41.0` → `B95.6`), or the focus code that names it
    (`J18.9` with `A40.3` → `J13`); when no code can carry the agent (`A41.5` gram-negative
    without a `B96` code) there is no fix. Several possible foci: which one is the coder's call.
    """
    codes = [ref for ref in view.condition_codes() if is_icd10(ref)]
    sepsis = [ref for ref in codes if is_sepsis_code(ref.code)]
    if not sepsis:
        return
    foci = [ref for ref in codes if is_local_focus(ref.code)]
    if not foci:
        return
    focus = foci[0]
    names = ", ".join(dict.fromkeys(ref.code for ref in foci))
    for ref in sepsis:
        fix, registered = (
            _known_focus_fix(view, ref, focus)
            if len(foci) == 1 and len(sepsis) == 1
            else (None, [])
        )
        if registered:
            suggestion = f"Registrer som {_as_registered(view, registered)} og fjern {ref.code}"
        else:
            suggestion = (
                f"Kod infeksjonen i fokus ({names}) først, med mikroorganismekode for agenset og "
                f"R65.1 (R57.2 ved septisk sjokk), i stedet for {ref.code}"
            )
        which = "infeksjonen" if len(set(f.code for f in foci)) == 1 else "infeksjonene"
        yield Hit(
            f"{ref.label()} er en sepsiskode for når infeksjonsfokus er ukjent, men episoden "
            f"har {which} {names} med kjent lokalisasjon.",
            (ref.code, *dict.fromkeys(f.code for f in foci)),
            ref.location,
            suggestion,
            fix=fix,
        )


def _known_focus_fix(
    view: EpisodeView, sepsis: CodeRef, focus: CodeRef
) -> tuple[Fix | None, list[str]]:
    """The conditions with the sepsis code gone and the focus carrying its agent and the
    organ failure, and the focus's codes as registered then; `(None, [])` when that cannot be
    done without losing what the sepsis code's group said."""
    same_group = sepsis.group == focus.group
    companions = [] if same_group else [o for o in _group_of(view, sepsis) if o is not sepsis]
    if not same_group and sepsis.position != 0:
        return None, []
    if any(not is_microbe_code(o.code) and o.code not in SIRS_INFECTIOUS for o in companions):
        return None, []
    all_codes = list(view.condition_codes())
    microbes = [o.code for o in companions if is_microbe_code(o.code)]
    sirs = [o.code for o in companions if o.code in SIRS_INFECTIOUS]
    agent = agent_named_by(sepsis.code)
    if agent is not None and not _agent_kept(agent.key, focus, all_codes):
        microbe = microbe_code_for(agent.key)
        if microbe is None:
            return None, []  # no code can carry the agent (A41.5, A02.1 …)
        microbes.append(microbe)
    new_focus = focus.code
    for microbe in list(microbes):
        better = specific_code_for(new_focus, microbe)
        if better is not None:
            new_focus = better
            if microbe_redundant_with(microbe, better):
                microbes.remove(microbe)
    if not any(o.code in SIRS_INFECTIOUS for o in all_codes):
        sirs.append("R65.1")
    host = [o for o in _group_of(view, focus) if o is not sepsis]
    host_codes = [new_focus if o is focus else o.facts.raw for o in host]
    host_sirs = [c for c in host_codes if c in SIRS_INFECTIOUS]
    host_rest = [c for c in host_codes if c not in SIRS_INFECTIOUS]
    added = [*microbes, *sirs]
    standalone = view.multiple_coding is MultipleCoding.DAGGER_ONLY
    new_host = host_codes if standalone else [*host_rest, *microbes, *host_sirs, *sirs]
    groups: list[list[str]] = []
    for index, group in enumerate(view.conditions):
        if index == focus.group:
            groups.append(new_host)
        elif index != sepsis.group:
            groups.append([o.facts.raw for o in group])
    if standalone:
        groups.extend([code] for code in added)
    if sepsis.group == 0 and focus.group != 0:  # the focus becomes the main condition
        at = next(i for i, g in enumerate(groups) if g is new_host)
        groups.insert(0, groups.pop(at))
    registered = [*host_rest, *microbes, *host_sirs, *sirs]
    return fixes.conditions(groups), registered


def _agent_kept(agent: str, focus: CodeRef, codes: list[CodeRef]) -> bool:
    """Whether the episode says `agent` without the sepsis code: the focus code names it, or a
    microorganism code names it or a more precise one."""
    named = agent_named_by(focus.code)
    if named is not None and within(named.key, agent):
        return True
    return any(
        is_microbe_code(o.code)
        and o.code in MICROBE_AGENTS
        and within(MICROBE_AGENTS[o.code], agent)
        for o in codes
    )
