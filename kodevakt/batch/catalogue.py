"""The whole rule catalogue, both kinds, for what lists every rule: `kodevakt rules`, the
reports' rule titles and docs/rules.md (generated here so that it cannot go stale).

Episode rules are registered in `kodevakt.rules`, pattern rules in `kodevakt.batch.patterns`;
only a layer above both can list them together.
"""

from __future__ import annotations

from kodevakt.batch.patterns.registry import PATTERN_RULES, PatternRule
from kodevakt.rules.registry import EpisodeRule, catalogue_order, episode_rules

FAMILIES = {
    "K": "K — kodenes gyldighet (code validity)",
    "T": "T — tilstander (conditions)",
    "P": "P — prosedyrer (procedures)",
    "E": "E — episodens konsistens (episode consistency)",
    "M": "M — mønstre på tvers av episoder (patterns across episodes)",
}


def all_rules() -> list[EpisodeRule | PatternRule]:
    """Every registered rule of either kind, in catalogue order (K, T, P, E, M, then code)."""
    return sorted([*episode_rules(), *PATTERN_RULES.listed()], key=catalogue_order)


def rules_markdown() -> str:
    lines = [
        "# Rules",
        "",
        "Generated from the rule registry by `make docs` (`scripts/gen_docs.py`); do not edit.",
        "Each rule's docstring sections (Checks, Why, Triggers, Correct) are shown as written.",
        "",
        "| code | name | severity | years | title |",
        "| --- | --- | --- | --- | --- |",
    ]
    registered = all_rules()
    for r in registered:
        lines.append(
            f"| [{r.code}](#{r.code.lower()}) | `{r.name}` | {r.severity.value} | "
            f"{r.years} | {r.title} |"
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
            f"status: {r.status.value}  ",
            f"Source: {r.source}",
            "",
            r.doc,
        ]
    return "\n".join(lines) + "\n"
