"""`kodevakt rules`: the rule registry as a table or JSON, and one rule's examples."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from kodevakt.batch.catalogue import AnyRule, all_rules, examples_of
from kodevakt.cli.common import OutputFormat, fail, out, write_json, writing
from kodevakt.episodes.notation import format_conditions
from kodevakt.rules.examples import AnyExample, BatchExample, EpisodeSpec
from kodevakt.rules.finding import Fix

# What an example's episode sets, in the words of the CLI (values as the interchange format).
_FIELDS = {
    "year": "år",
    "sex": "kjønn",
    "age": "alder",
    "age_days": "alder i dager",
    "birth_date": "født",
    "care_level": "omsorgsnivå",
    "urgency": "hastegrad",
    "admission": "inn",
    "discharge": "ut",
    "transferred_from": "overført fra",
    "institution": "institusjon",
    "department": "avdeling",
    "patient": "pasient",
}


def register(app: typer.Typer) -> None:
    app.command("rules")(rules)


def rules(
    codes: Annotated[
        list[str] | None,
        typer.Argument(help="Regelkoder eller prefikser (T02, T, K0); gamle koder godtas også"),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    """List reglene: kode, alvorlighet, årene de gjelder og tittel; med regelkoder også
    eksemplene testene kjører (kodinger som utløser regelen og riktige kodinger)."""
    wanted = [code.strip().upper() for code in codes or () if code.strip()]
    registered = [
        r
        for r in all_rules()
        if not wanted or any(r.code.startswith(w) or w in r.aliases for w in wanted)
    ]
    if wanted and not registered:
        fail(f"ingen regel har koden {', '.join(wanted)}")
    with writing("svaret"):
        if output is OutputFormat.JSON:
            write_json(
                json.dumps([_rule_dict(r) for r in registered], ensure_ascii=False, indent=2)
            )
            return
        table = Table(title=f"{len(registered)} regler")
        for column in ("Kode", "Alvor", "År", "Retting", "Tittel", "Kilde"):
            table.add_column(column)
        for r in registered:
            fixable = "ja" if r.fixable else ""
            table.add_row(r.code, r.severity.norwegian, r.years, fixable, r.title, r.source)
        out.print(table)
        if wanted:
            for r in registered:
                _print_examples(r)


def _rule_dict(r: AnyRule) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "severity": r.severity.value,
        "years": r.years,
        "status": r.status.value,
        "title": r.title,
        "source": r.source,
        "fixable": r.fixable,
        "aliases": list(r.aliases),
        "examples": [example.to_dict() for example in examples_of(r)],
    }


def _print_examples(r: AnyRule) -> None:
    out.print()
    formerly = f" (tidligere {', '.join(r.aliases)})" if r.aliases else ""
    out.print(f"[bold]{r.code}[/]{formerly} {escape(r.title)}")
    for example in examples_of(r):
        said = _episode_text(example)
        if example.fires:
            severity = (example.severity or r.severity).norwegian
            said = f"utløser ({severity}): {said}"
            if example.fix is not None:
                said += f" → retting {_fix_text(example.fix)}"
        else:
            said = f"riktig: {said}"
        out.print(f"  {escape(said)}")


def _fix_text(fix: Fix) -> str:
    said = []
    if fix.conditions is not None:
        said.append(f"`{format_conditions([list(g) for g in fix.conditions])}`")
    if fix.procedures is not None:
        said.append(f"prosedyrer `{format_conditions([list(g) for g in fix.procedures])}`")
    return " og ".join(said)


def _episode_text(example: AnyExample) -> str:
    if isinstance(example, BatchExample):
        period = f" i {example.period}" if example.period else ""
        return f"parti med {len(example.batch())} episoder{period}"
    text = _spec_text(example.episode)
    if example.copies > 1:
        text += f", {example.copies} ganger i samme parti"
    if example.code_lists:
        text += f", med kodeliste {', '.join(example.code_lists)}"
    return text


def _spec_text(spec: EpisodeSpec) -> str:
    given = spec.given()
    text = f"`{spec.conditions}`" if spec.conditions else "ingen tilstander"
    if spec.procedures:
        text += f", prosedyrer `{spec.procedures}`"
    said = [
        f"{label} {given[name] if given[name] != '' else 'mangler'}"
        for name, label in _FIELDS.items()
        if name in given
    ]
    said += [f"tidligere opphold `{earlier.conditions}`" for earlier in spec.history]
    if spec.text:
        said.append(f"epikrise «{' '.join(spec.text.split())}»")
    return text + (f" ({', '.join(said)})" if said else "")
