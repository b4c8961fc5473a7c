"""Generated documentation must match the code (run `make docs` after changing rules or the CLI)."""

from pathlib import Path

import kodevakt
from kodevakt.batch.catalogue import rules_markdown
from kodevakt.cli.help import cli_markdown

DOCS = Path(__file__).parent.parent / "docs"


def test_rules_doc_is_current() -> None:
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def test_cli_doc_is_current() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == cli_markdown()


def test_public_api() -> None:
    assert sorted(kodevakt.__all__) == [
        "CodeBase",
        "Episode",
        "Finding",
        "Severity",
        "check",
        "default_codebase",
        "describe",
        "normalise",
        "read_text",
        "search",
    ]
    for name in kodevakt.__all__:
        assert hasattr(kodevakt, name)
