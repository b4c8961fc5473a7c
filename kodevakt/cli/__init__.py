"""The `kodevakt` command line: thin commands over the package's service functions."""

from __future__ import annotations

import typer

from kodevakt.cli import batch, check, codes, drg, effect, report, rules, search, synth

app = typer.Typer(
    help="kodevakt: kvalitetskontroll av klinisk koding i spesialisthelsetjenesten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
codes.register(app)
synth.register(app)
check.register(app)
rules.register(app)
search.register(app)
drg.register(app)
effect.register(app)
batch.register(app)
report.register(app)
