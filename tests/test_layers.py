"""Kodevakt's layers point one way, and its packages import each other without cycles.

Every module under kodevakt/ belongs to a package: the first name under `kodevakt` (a module
at the top, `errors.py`, is a package of its own; `kodevakt/__init__.py`, the public API, is
`kodevakt`). A package may import only from packages in lower layers than its own. An import
inside `if TYPE_CHECKING:` is type-only: it never runs, so it may point anywhere, and it is left
out of the cycle check. Every other import counts, also one inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent / "kodevakt"

#: Lowest first; a package imports only from the layers below its own (not from its own layer).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "cells", "data"),  # the exception hierarchy, safe text cells, packaged data
    ("codes",),  # code systems: the lists, normalisation, lookups
    ("episodes", "search"),  # episodes and their readers; text search in the code lists
    ("rules",),  # episode rules, their registry and the checker
    ("documentation",),  # reading discharge summaries; the documentation rules D01–D07
    # DRG grouping (groups an episode, reads a finding's fix); synthetic episodes with the
    # errors the rules should catch; the public API in kodevakt/__init__.py; departments'
    # own code lists checked against a year's lists and rules
    ("drg", "synth", "kodevakt", "codelists"),
    ("batch",),  # indicators, the pattern rules M01–M07 and the whole rule catalogue
    ("storage",),  # the database of periods, episodes and findings
    ("pipeline",),  # read → check → store → patterns → indicators: imports, stale periods
    ("spark",),  # the same checks, patterns and indicators on Apache Spark
    ("report",),  # reports over stored periods
    # record review (samples, reviews, estimates) and next year's rules on a stored period
    ("audit", "simulation"),
    ("web",),  # the web workplace and HTTP API
    ("cli",),  # the command line
)
LAYER = {package: i for i, names in enumerate(LAYERS) for package in names}


class Import(NamedTuple):
    source: str  # package
    target: str  # package
    where: str  # path:line
    type_only: bool


def _package(module: str) -> str:
    """`kodevakt.rules.view` → `rules`; `kodevakt` → `kodevakt`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module(path: Path) -> str:
    parts = ["kodevakt", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


PACKAGES = {_package(_module(path)) for path in ROOT.rglob("*.py")}


def _type_only_nodes(tree: ast.Module) -> set[int]:
    """The ids of every node inside the body of an `if TYPE_CHECKING:` block."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            found.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    """The kodevakt modules an import statement names."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor[: len(anchor) - node.level + is_package]
        base = ".".join([*anchor, base] if base else anchor)
    if base == "kodevakt":  # `from kodevakt import rules` names the package rules
        yield from (f"kodevakt.{alias.name}" for alias in node.names)
    else:
        yield base


def _imports() -> Iterator[Import]:
    for path in sorted(ROOT.rglob("*.py")):
        module = _module(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        type_only = _type_only_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, module, path.name == "__init__.py"):
                if target == "kodevakt" or target.startswith("kodevakt."):
                    found = _package(target)
                    yield Import(
                        _package(module),
                        found if found in PACKAGES else "kodevakt",  # else a public API name
                        f"{path.relative_to(ROOT.parent)}:{node.lineno}",
                        id(node) in type_only,
                    )


def test_every_package_has_a_layer() -> None:
    assert set(LAYER) == PACKAGES, "place new packages in LAYERS (and remove gone ones)"


def test_no_package_imports_its_own_layer_or_a_higher_one() -> None:
    wrong = [
        f"{found.where}: {found.source} imports {found.target}"
        for found in _imports()
        if found.source != found.target
        and not found.type_only
        and LAYER[found.target] >= LAYER[found.source]
    ]
    assert not wrong, "\n".join(wrong)


def test_package_imports_have_no_cycles_except_type_only_ones() -> None:
    graph: dict[str, set[str]] = {package: set() for package in LAYER}
    for found in _imports():
        if found.source != found.target and not found.type_only:
            graph[found.source].add(found.target)
    done: set[str] = set()

    def cycle_from(package: str, path: list[str]) -> list[str] | None:
        if package in path:
            return [*path[path.index(package) :], package]
        if package in done:
            return None
        for target in sorted(graph[package]):
            found = cycle_from(target, [*path, package])
            if found:
                return found
        done.add(package)
        return None

    for package in sorted(graph):
        cycle = cycle_from(package, [])
        assert cycle is None, " → ".join(cycle)


def test_type_only_imports_are_recognised() -> None:
    """kodevakt/rules/finding.py imports `Episode` for its annotations only."""
    type_only = {(found.source, found.target) for found in _imports() if found.type_only}
    assert ("rules", "episodes") in type_only
