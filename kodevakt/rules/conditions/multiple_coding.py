"""T rules for multiple coding (grouping codes into conditions), which depends on the year.

The regime in force is `EpisodeView.multiple_coding`: 2016–2022 only dagger/asterisk pairs may
be grouped (T30); 2023 grouping is voluntary (neither rule fires); from 2024 every additional
code is grouped with the condition it describes (T29).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kodevakt.rules import code_facts as F
from kodevakt.rules import fixes
from kodevakt.rules.conditions.infection_codes import (
    is_infection,
    is_microbe_code,
    is_sepsis_code,
    microbe_describes,
    names_microbe,
    specific_code_for,
)
from kodevakt.rules.finding import Fix, Hit, Severity
from kodevakt.rules.phrases import condition_name
from kodevakt.rules.registry import rule
from kodevakt.rules.view import CodeRef, EpisodeView
from kodevakt.rules.vocabulary import is_atc, is_icd10

# Kinds of additional codes T29 regroups, in the order they are placed: a microorganism
# first, so that a resistance code finds it in its new group, and external causes before ATC
# codes, so that `C07AB02` finds the `Y4n` it belongs after.
MICROBE = "microbe"
RESISTANCE = "resistance"
SIRS = "sirs"
COVID = "covid"
EXTERNAL = "external"
ATC = "atc"
_ORDER = (MICROBE, RESISTANCE, SIRS, COVID, EXTERNAL, ATC)

_NAMES = {
    MICROBE: "mikroorganismekode",
    RESISTANCE: "resistenskode",
    SIRS: "SIRS-kode",
    COVID: "covid-19-kode",
    EXTERNAL: "årsakskode",
    ATC: "ATC-kode",
}
_EXAMPLES = {
    MICROBE: "N30.0+B96.2",
    RESISTANCE: "N39.0+B96.2+U82.2",
    SIRS: "K85.9+R65.3",
    COVID: "J12.8+U07.1",
    EXTERNAL: "S93.4+W0n.0r",
    ATC: "R42+Y4n+C07AB02",
}


def additional_kind(ref: CodeRef) -> str | None:
    """Which kind of additional code T29 regroups `ref` is, or `None`.

    Microorganisms B95–B98, resistance U82–U85, covid-19 U07.1/U07.2 (U07.0 is a vaping
    disorder, a condition of its own), SIRS R65.x and septic shock R57.2, external causes
    V01–Y98 (Norwegian merged categories `V0n`, `W0n`, `Y4n` included: any ICD-10 code in
    chapter XX's letters), and ATC codes among the conditions.
    """
    if is_atc(ref):
        return ATC
    if not is_icd10(ref):
        return None
    code = ref.code
    if is_microbe_code(code):
        return MICROBE
    if "U82" <= ref.category <= "U85":
        return RESISTANCE
    if code in ("U07.1", "U07.2"):
        return COVID
    if ref.category == "R65" or code == "R57.2":
        return SIRS
    if code[0] in "VWXY":
        return EXTERNAL
    return None


_NOT_FIRST = F.ASTERISK | F.ADDITIONAL_ONLY


def _leads_condition(ref: CodeRef) -> bool:
    """Whether a code may describe a condition as its first code when T29 regroups: an ICD-10
    code of none of the kinds T29 moves (so `U07.1` follows a condition here, unlike in
    `vocabulary.describes_condition`), and neither asterisk nor additional-only."""
    return is_icd10(ref) and additional_kind(ref) is None and not ref.flags & _NOT_FIRST


# -- T29 ------------------------------------------------------------------------------------


@dataclass
class _Target:
    """A condition group as it would look after the regrouping suggested so far."""

    index: int
    refs: list[CodeRef]

    @property
    def codes(self) -> list[str]:
        return [ref.code for ref in self.refs]


Fits = Callable[[CodeRef], bool]


@dataclass(frozen=True, slots=True)
class _HostRule:
    """Which group an additional code belongs in.

    `fits`: a code in the group it describes. `any_condition`: when no group fits, any
    condition may be the one (an external cause or ATC code can follow any condition), and
    the suggestion names one as an example. `report_alone`: report the code even when the
    episode has nothing it can join; when false, the missing infection or microbe is the
    defect and T20, T21 or T17 reports it.
    """

    fits: Fits
    any_condition: bool
    report_alone: bool


def _nothing(ref: CodeRef) -> bool:
    return False


def _host_rule(first: CodeRef, kind: str) -> _HostRule:
    code = first.code
    if kind == MICROBE:
        return _HostRule(lambda ref: microbe_describes(code, ref.code), False, False)
    if kind == RESISTANCE:
        if first.category == "U85":  # resistance to antineoplastic drugs: with the tumour
            return _HostRule(lambda ref: bool(ref.flags & F.NEOPLASM), False, True)
        return _HostRule(lambda ref: names_microbe(ref.code), False, False)
    if kind == SIRS:
        if code == "R65.1":  # never with a code that already says sepsis (T18)
            return _HostRule(
                lambda ref: is_infection(ref.code) and not is_sepsis_code(ref.code), False, False
            )
        if code in ("R65.0", "R57.2"):
            return _HostRule(lambda ref: is_infection(ref.code), False, False)
        return _HostRule(_nothing, True, True)  # R65.2, R65.3, R65.9: the non-infectious cause
    if kind == COVID:  # the infection or symptom code comes first (talk, slide U07)
        return _HostRule(lambda ref: ref.code[0] in "JR" or is_infection(ref.code), True, True)
    if kind == EXTERNAL:
        if "Y40" <= first.category <= "Y84":  # adverse effects and complications of care
            return _HostRule(lambda ref: bool(ref.flags & (F.COMPLICATION | F.INJURY)), True, True)
        if first.category < "Y40":  # accidents, violence: with the injury
            return _HostRule(lambda ref: bool(ref.flags & F.INJURY), True, True)
        return _HostRule(_nothing, True, True)
    # ATC: after the adverse-effect cause Y40–Y59 or a poisoning T36–T50 (incl. Y4n, T4n).
    return _HostRule(
        lambda ref: (
            ref.code[0] in "YT"
            and ("Y40" <= ref.category <= "Y59" or "T36" <= ref.category <= "T50")
        ),
        True,
        True,
    )


def _rank(ref: CodeRef) -> int:
    kind = additional_kind(ref)
    return -1 if kind is None else _ORDER.index(kind)


def _insert(host: list[CodeRef], moved: list[CodeRef]) -> list[CodeRef]:
    """`host` with `moved` placed before the first code of a later kind (microorganism before
    resistance before SIRS …, as in `N30.0+B96.2+U82.2` and `A41.5+B96.5+R57.2`)."""
    rank = _rank(moved[0])
    at = next((i for i, ref in enumerate(host) if i > 0 and _rank(ref) > rank), len(host))
    return host[:at] + moved + host[at:]


@rule(
    "T29",
    "additional-code-not-grouped",
    Severity.WARNING,
    title="Tilleggskode registrert som egen tilstand (multippel koding kreves fra 2024)",
    source="Foredrag, lysark «Multippel koding»; Kodeveiledning 2018 §4.2 s. 29–35",
    years=(2024, None),
    # A standalone additional code is the first code of another group; an unknown ICD-10
    # code (NOT_OK) may still be of an additional kind by its letter (`Y99.9`).
    triggers=F.at(
        F.OTHER_FIRST,
        F.MICROBE | F.RESISTANCE | F.SIRS | F.EXTERNAL | F.ATC | F.COVID | F.NOT_OK,
    ),
    pure=True,
    fixable=True,
)
def additional_code_not_grouped(view: EpisodeView) -> Iterator[Hit]:
    """Checks: from 2024, an additional code is not registered as a condition of its own but in
    the group of the condition it describes: microorganisms `B95`–`B98`, resistance
    `U82`–`U85`, covid-19 `U07.1`/`U07.2`, SIRS `R65.x`, septic shock `R57.2`, external causes
    `V01`–`Y98` (incl. `V0n..`, `W0n..`, `Y4n`) and ATC codes.

    Why: from 2023 all codes describing one condition are to be linked and reported as one
    group, and from 2024 this is required (the talk, slide "Multippel koding", quoting the
    rulebook); the additional codes themselves are those of Kodeveiledning 2018 §4.2 p. 29–35.
    Only other conditions are checked: an additional code as the first code of the main
    condition is T05's error, and T29 does not report it again. Asterisk codes are left out
    although the catalogue lists them: an asterisk code first in its group has been an error
    in every year (T02, §4.2 p. 29), and a second, weaker finding on the same code would only
    repeat it.

    The rule also says where the code belongs. It regroups the standalone codes in a fixed
    order (microorganisms, resistance, SIRS, covid, external causes, ATC), so a resistance
    code lands after the microorganism just moved in, and an ATC code after its `Y4n`. When
    nothing in the episode can take a microorganism, resistance or infectious SIRS/shock
    code, the defect is the missing infection or microbe, which T20, T21 and T17 report, so
    this rule stays silent; it does too when a microorganism and its infection should be one
    code (`J18.9` + `B96.2` is `J15.5`, T20). A group whose first code is additional but
    which holds its condition further on (`B96.2+N30.0`) is reported with the order fixed.
    """
    targets = [_Target(i, list(group)) for i, group in enumerate(view.conditions)]
    hostable = [t for t in targets if t.refs and _leads_condition(t.refs[0])]
    # The groups after the certain regroupings so far (None: moved into another group).
    fixed: list[list[CodeRef] | None] = [list(group) for group in view.conditions]
    standalone = []
    for target in targets[1:]:
        kind = additional_kind(target.refs[0]) if target.refs else None
        if kind is not None:
            standalone.append((_ORDER.index(kind), target.index, kind, target))
    for _, _, kind, target in sorted(standalone, key=lambda item: item[:2]):
        hit = _regroup(target, kind, hostable, fixed)
        if hit is not None:
            yield hit


def _fix(fixed: list[list[CodeRef] | None]) -> Fix:
    return fixes.conditions(
        [ref.facts.raw for ref in group] for group in fixed if group is not None
    )


def _regroup(
    target: _Target, kind: str, hostable: list[_Target], fixed: list[list[CodeRef] | None]
) -> Hit | None:
    """The finding for one standalone additional code; `fixed` takes its regrouping when the
    place is certain, and the finding's fix is every certain regrouping so far."""
    first = target.refs[0]
    host_rule = _host_rule(first, kind)
    where = condition_name(target.index)
    own = target.codes
    # The condition is in the same group, after its additional code: fix the order.
    inner = [
        ref
        for ref in target.refs[1:]
        if _leads_condition(ref) and (host_rule.any_condition or host_rule.fits(ref))
    ]
    if inner:
        leading = [ref for ref in target.refs if _leads_condition(ref)]
        rest = [ref for ref in target.refs if not _leads_condition(ref)]
        fixed[target.index] = leading + rest
        return Hit(
            f"{first.code} står først i {where}, foran {inner[0].code} som den beskriver; "
            "en tilleggskode står etter koden for tilstanden.",
            tuple(own),
            first.location,
            f"Registrer som {'+'.join(ref.code for ref in leading + rest)}",
            fix=_fix(fixed),
        )
    hosts = [h for h in hostable if any(is_icd10(ref) and host_rule.fits(ref) for ref in h.refs)]
    if (
        kind == MICROBE
        and hosts
        and all(
            any(is_icd10(ref) and specific_code_for(ref.code, first.code) for ref in h.refs)
            for h in hosts
        )
    ):
        return None  # one code names both (J18.9 + B96.2 is J15.5): T20
    if not hosts and host_rule.any_condition:
        hosts = hostable
    certain = len(hosts) == 1
    if not hosts and not host_rule.report_alone:
        return None
    what = _kind_name(first, kind)
    if len(own) == 1:
        message = f"{first.code} er en {what}, men står som egen tilstand ({where})"
    else:
        message = f"{'+'.join(own)} står som egen tilstand ({where}), men {first.code} er en {what}"
    message += ": fra 2024 registreres den i samme gruppe som tilstanden den beskriver."
    fix = None
    if hosts:
        host = hosts[0]
        host.refs[:] = _insert(host.refs, target.refs)
        grouped = "+".join(host.codes)
        if certain:
            suggestion = f"Registrer som {grouped}"
            into = fixed[host.index]
            if into is not None:
                fixed[host.index] = _insert(into, target.refs)
                fixed[target.index] = None
                fix = _fix(fixed)
        else:
            suggestion = f"Registrer i gruppen til tilstanden den beskriver, f.eks. {grouped}"
        codes = (host.refs[0].code, *own)
    else:
        suggestion = (
            f"Registrer {first.code} etter koden for tilstanden den beskriver, i samme gruppe "
            f"(f.eks. {_EXAMPLES[kind]})"
        )
        codes = tuple(own)
    return Hit(message, codes, first.location, suggestion, fix=fix)


def _kind_name(first: CodeRef, kind: str) -> str:
    if kind == SIRS:
        return "kode for septisk sjokk" if first.code == "R57.2" else "SIRS-kode"
    if kind == RESISTANCE and first.category == "U85":
        return "kode for resistens mot kreftlegemidler"
    return _NAMES[kind]


# -- T30 ------------------------------------------------------------------------------------


@rule(
    "T30",
    "additional-code-grouped-before-2023",
    Severity.ERROR,
    title="Tilleggskode koblet til en tilstand før 2023 (bare sverd/stjerne kobles)",
    source="Kodeveiledning 2018 §4.2 s. 29–35 (midlertidig regelendring fra 2016)",
    years=(2016, 2022),
    pure=True,
    fixable=True,
)
def additional_code_grouped_before_2023(view: EpisodeView) -> Iterator[Hit]:
    """Checks: from 2016 to 2022 a condition group holds one code, or a dagger code followed by
    its asterisk code(s); every other additional code is registered as a condition of its own.

    Why: the temporary rule change from 2016 keeps dagger/asterisk coding but has all other
    additional codes (microorganisms, resistance, external causes, drug effects and ATC,
    complications, sequelae, pregnancy O98/O99 combinations, SIRS) registered as standalone
    codes, not linked to other codes (Kodeveiledning 2018 §4.2 p. 29, repeated under each
    heading to p. 35); the talk's slide "Multippel koding" dates grouping to 2023 (voluntary)
    and 2024 (required). So any code after the first in a group is an error unless it is an
    asterisk code. A group that starts with an asterisk code is a reversed dagger/asterisk
    pair: T02 reports it, and its second code is taken as the dagger, not reported here.
    The rule has no trigger mask: any code can be grouped, so it looks at every episode
    (only groups of two or more codes cost anything).
    """
    for index, group in enumerate(view.conditions):
        if len(group) < 2:
            continue
        reversed_pair = bool(group[0].flags & F.ASTERISK)
        offending = [
            ref
            for ref in group[1:]
            if not ref.flags & F.ASTERISK and not (reversed_pair and ref.position == 1)
        ]
        if not offending:
            continue
        units: list[list[str]] = []
        for ref in group:
            attached = ref.flags & F.ASTERISK or (reversed_pair and ref.position == 1)
            if units and attached and ref.position > 0:
                units[-1].append(ref.code)
            else:
                units.append([ref.code])
        names = ", ".join(ref.code for ref in offending)
        own = "egne tilstander" if len(offending) > 1 else "egen tilstand"
        groups = fixes.written(view.conditions)
        written = iter(groups[index])
        groups[index : index + 1] = [[next(written) for _ in unit] for unit in units]
        yield Hit(
            f"{'+'.join(ref.code for ref in group)} i {condition_name(index)}: før 2023 kobles "
            f"bare sverd- og stjernekoder i samme tilstand; {names} skal registreres som {own}.",
            tuple(ref.code for ref in group),
            offending[0].location,
            "Registrer som " + "; ".join("+".join(unit) for unit in units),
            fix=fixes.conditions(groups),
        )
