"""The rule writers' vocabulary: one meaning of "ICD-10 code", the code-kind predicates, the
multiple-coding regime by year, and rule modules that share through it, not sideways.

A module that registers rules may not import another module that registers rules: what two
rule modules share lives in `kodevakt.rules.vocabulary`, `kodevakt.rules.phrases` or a named
helper module, so that moving or retiring one rule never breaks another's imports.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from kodevakt.batch.catalogue import all_rules
from kodevakt.rules.code_facts import FactsCache
from kodevakt.rules.view import EpisodeView
from kodevakt.rules.vocabulary import (
    MultipleCoding,
    describes_condition,
    has_no_code_shape,
    is_additional,
    is_atc,
    is_drug_code,
    is_icd10,
    is_known_icd10,
    is_procedure,
    is_special,
)
from tests.rules.harness import codebase, episode_from_spec


def _imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module name an import in `source` may bring in, at any depth of the code
    (`from a.b import c` names `a.b` and `a.b.c`; relative imports are resolved)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + is_package]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _registering_modules() -> set[str]:
    return {registered.check.__module__ for registered in all_rules()}


def test_no_rule_module_imports_another_rule_module() -> None:
    registering = _registering_modules()
    # Every rule family is found: K, T (several modules), P, E and the pattern rules.
    assert {
        "kodevakt.rules.validity",
        "kodevakt.rules.conditions.main_condition",
        "kodevakt.rules.procedure_coding",
        "kodevakt.rules.consistency",
    } <= registering
    assert any(name.startswith("kodevakt.batch.") for name in registering)
    sideways = []
    for module in sorted(registering):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        source = Path(spec.origin).read_text(encoding="utf-8")
        for target in sorted(_imported(source, module) & (registering - {module})):
            sideways.append(f"{module} imports {target}")
    assert not sideways, "rule modules import each other: " + "; ".join(sideways)


@pytest.mark.parametrize(
    "source",
    [
        "from kodevakt.rules.conditions.main_condition import matches",
        "from kodevakt.rules.conditions import main_condition",
        "import kodevakt.rules.conditions.main_condition",
        "from .main_condition import matches",
        "def f():\n    from kodevakt.rules.conditions.main_condition import matches",
    ],
)
def test_the_import_check_sees_a_sideways_import(source: str) -> None:
    imported = _imported(source, "kodevakt.rules.conditions.patient_fit")
    assert "kodevakt.rules.conditions.main_condition" in imported


def _view(conditions: str, procedures: str = "", year: int = 2025) -> EpisodeView:
    episode = episode_from_spec({"conditions": conditions, "procedures": procedures, "year": year})
    return EpisodeView(episode, FactsCache(codebase()))


def test_an_icd10_code_is_one_by_shape_listed_or_not_and_never_a_særkode() -> None:
    view = _view("J12.8; j127; B0007; C07AB02; JKA20; JK A2")
    by_code = {ref.facts.raw: ref for ref in view.condition_codes()}
    icd10 = {raw for raw, ref in by_code.items() if is_icd10(ref)}
    assert icd10 == {"J12.8", "j127"}  # J12.7 does not exist, but is ICD-10 by shape
    assert {raw for raw, ref in by_code.items() if is_known_icd10(ref)} == {"J12.8"}
    assert {raw for raw, ref in by_code.items() if is_drug_code(ref)} == {"B0007", "C07AB02"}
    assert {raw for raw, ref in by_code.items() if is_atc(ref)} == {"C07AB02"}
    assert {raw for raw, ref in by_code.items() if is_special(ref)} == {"B0007"}
    assert {raw for raw, ref in by_code.items() if is_procedure(ref)} == {"JKA20"}
    assert {raw for raw, ref in by_code.items() if has_no_code_shape(ref)} == {"JK A2"}
    # The same meaning for a code written on another episode (what T27 reads in `history`).
    assert is_icd10(view.resolve("I21.9", view.day))
    assert not is_icd10(view.resolve("B0007", view.day))


def test_only_an_icd10_code_that_adds_nothing_describes_a_condition() -> None:
    view = _view("N30.0+B96.2; H36.0; S93.4+W0n.0r; C07AB02; R65.1")
    roles = {ref.code: (describes_condition(ref), is_additional(ref)) for ref in view.all_codes()}
    assert roles == {
        "N30.0": (True, False),
        "B96.2": (False, True),  # microorganism
        "H36.0": (False, False),  # asterisk: a manifestation, not additional
        "S93.4": (True, False),
        "W0n.0r": (False, True),  # external cause
        "C07AB02": (False, True),  # drug
        "R65.1": (False, True),  # SIRS
    }


@pytest.mark.parametrize(
    ("year", "regime"),
    [
        (2016, MultipleCoding.DAGGER_ONLY),
        (2022, MultipleCoding.DAGGER_ONLY),
        (2023, MultipleCoding.VOLUNTARY),
        (2024, MultipleCoding.REQUIRED),
        (2026, MultipleCoding.REQUIRED),
    ],
)
def test_the_multiple_coding_regime_follows_the_year(year: int, regime: MultipleCoding) -> None:
    assert MultipleCoding.in_year(year) is regime
    assert _view("N30.0; B96.2", year=year).multiple_coding is regime
