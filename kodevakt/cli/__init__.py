"""The `kodevakt` command line: thin commands over the package's service functions.

Each command module registers its commands on the app. `main` registers only the module of
the command being run, so `kodevakt check` does not pay for importing the database, report
and DRG layers (about half a second per run); `kodevakt --help`, the docs and the tests use
the full `app`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import Any

import typer

# command name -> module in kodevakt.cli, in the order `--help` lists them
COMMANDS = {
    "code": "codes",
    "data": "codes",
    "synth": "synth",
    "check": "check",
    "text": "text",
    "rules": "rules",
    "search": "search",
    "tree": "search",
    "drg": "drg",
    "effect": "effect",
    "import": "batch",
    "findings": "batch",
    "finding": "batch",
    "report": "report",
    "worklist": "report",
    "audit": "audit",
    "simulate": "simulate",
    "codelist": "codelist",
    "convert": "convert",
    "export": "export",
    "serve": "serve",
    "user": "users",
    "token": "users",
}


def build_app(commands: Iterable[str] | None = None) -> typer.Typer:
    """The CLI with every command, or only the modules of `commands`."""
    wanted = set(COMMANDS.values()) if commands is None else {COMMANDS[c] for c in commands}
    new_app = typer.Typer(
        help="kodevakt: kvalitetskontroll av klinisk koding i spesialisthelsetjenesten.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @new_app.callback()
    def _root() -> None:
        """kodevakt: kvalitetskontroll av klinisk koding i spesialisthelsetjenesten."""

    for module in dict.fromkeys(COMMANDS.values()):
        if module in wanted:
            importlib.import_module(f"kodevakt.cli.{module}").register(new_app)
    return new_app


def main() -> None:
    """Console entry point."""
    command = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in COMMANDS else None
    build_app([command] if command else None)()


def __getattr__(name: str) -> Any:
    if name == "app":  # the full CLI, built on first use
        full = build_app()
        globals()["app"] = full
        return full
    raise AttributeError(name)
