"""The whole rule catalogue, every kind, for what lists every rule: `kodevakt rules`, the
reports' rule titles and docs/rules.md (generated here so that it cannot go stale).

Episode rules are registered in `kodevakt.rules`, documentation rules in
`kodevakt.documentation`, pattern rules in `kodevakt.batch.patterns`; only a layer above them
all can list them together. A rule's examples come from its kind's
registry, so the docs show the examples the tests run.
"""

from __future__ import annotations

from functools import cache

from kodevakt.batch.patterns.registry import PATTERN_RULES, PatternRule
from kodevakt.documentation.registry import DOCUMENT_RULES, DocumentRule, document_rules
from kodevakt.episodes.notation import format_conditions
from kodevakt.rules.examples import AnyExample, BatchExample
from kodevakt.rules.registry import EPISODE_RULES, EpisodeRule, catalogue_order, episode_rules

AnyRule = EpisodeRule | DocumentRule | PatternRule

FAMILIES = {
    "K": "K — kodenes gyldighet (code validity)",
    "T": "T — tilstander (conditions)",
    "P": "P — prosedyrer (procedures)",
    "E": "E — episodens konsistens (episode consistency)",
    "D": "D — dokumentasjon i epikrisen (documentation in the discharge summary)",
    "M": "M — mønstre på tvers av episoder (patterns across episodes)",
}


def all_rules() -> list[AnyRule]:
    """Every registered rule of every kind, in catalogue order (K, T, P, E, D, M, then code)."""
    return sorted(
        [*episode_rules(), *document_rules(), *PATTERN_RULES.listed()], key=catalogue_order
    )


def find_rule(code: str) -> AnyRule | None:
    """The rule with this code, or with this old code when the rule was renumbered."""
    episode_rules()  # imports every episode rule module
    document_rules()  # and every documentation rule module
    return EPISODE_RULES.get(code) or DOCUMENT_RULES.get(code) or PATTERN_RULES.get(code)


def first_code(code: str) -> str:
    """The code a rule was first given (its oldest alias, else its code). A stored finding keeps
    its identity, and so its status, under it when the rulebook renumbers the rule."""
    return _first_codes().get(code, code)


@cache
def _first_codes() -> dict[str, str]:
    return {r.code: r.aliases[0] for r in all_rules() if r.aliases}


def examples_of(registered: AnyRule) -> tuple[AnyExample, ...]:
    """The rule's examples, from its kind's data file."""
    if isinstance(registered, PatternRule):
        return PATTERN_RULES.examples(registered.code)
    if isinstance(registered, DocumentRule):
        return DOCUMENT_RULES.examples(registered.code)
    return EPISODE_RULES.examples(registered.code)


def outcome(registered: AnyRule, example: AnyExample) -> str:
    """What the rule does with a firing example: `error on `H36.0`; fix `E10.3+H36.0``."""
    said = (example.severity or registered.severity).value
    if example.codes:
        said += " on " + ", ".join(f"`{code}`" for code in example.codes)
    fix = example.fix
    if fix is not None and fix.conditions is not None:
        said += f"; fix `{format_conditions([list(g) for g in fix.conditions])}`"
    if fix is not None and fix.procedures is not None:
        said += f"; fix: procedures `{format_conditions([list(g) for g in fix.procedures])}`"
    return said


def rules_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule registry by `make docs` (`scripts/gen_docs.py`); do not edit.",
        "Each rule's docstring sections (Checks, Why) are shown as written. Its examples",
        "(Triggers, Correct) are data, `kodevakt/rules/examples/<family>.toml`,",
        "`kodevakt/documentation/D.toml` and `kodevakt/batch/patterns/M.toml`, and the tests run",
        "every one of them against the rule (`tests/rules/test_examples.py`,",
        "`tests/documentation/test_rule_examples.py`). Unless an example says otherwise, its",
        "episode is an acute inpatient stay from 2025-03-03 to 2025-03-07 of a woman born",
        "1960-05-05. A documentation rule's example carries a short discharge summary.",
        "A fixable rule returns the corrected codes (`fix`) where the correction is unambiguous.",
        "",
        "| code | name | severity | years | fix | title |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    registered = all_rules()
    for r in registered:
        lines.append(
            f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {r.severity.value} | "
            f"{r.years} | {'yes' if r.fixable else ''} | {r.title} |"
        )
    family = ""
    for r in registered:
        if r.family != family:
            family = r.family
            lines += ["", f"## {FAMILIES.get(family, family)}"]
        lines += [
            "",
            f"### {r.code}",
            "",
            f"**{r.title}** · `{r.name}` · {r.severity.value} · years: {r.years} · "
            f"status: {r.status.value} · fixable: {'yes' if r.fixable else 'no'}  ",
            f"Source: {r.source}",
        ]
        if r.aliases:
            lines.append(f"Formerly: {', '.join(r.aliases)}")
        lines += ["", r.doc, *_examples_markdown(r)]
    return "\n".join(lines) + "\n"


def _examples_markdown(registered: AnyRule) -> list[str]:
    examples = examples_of(registered)
    lines: list[str] = []
    for heading, fires in (("Triggers:", True), ("Correct:", False)):
        chosen = [e for e in examples if e.fires is fires]
        if not chosen:
            continue
        lines += ["", heading, ""]
        for example in chosen:
            text = f"- {example.describe()}"
            if fires:
                text += f" → {outcome(registered, example)}"
            if example.note:
                text += f". {example.note[0].upper()}{example.note[1:]}"
            lines.append(text + ".")
            if isinstance(example, BatchExample):
                lines += [f"  - {line}" for line in example.lines()]
    return lines
