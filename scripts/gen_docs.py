"""Regenerate the generated documentation: docs/rules.md and docs/cli.md."""

from __future__ import annotations

from pathlib import Path

from kodevakt.batch.catalogue import rules_markdown
from kodevakt.cli.help import cli_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    (DOCS / "rules.md").write_text(rules_markdown(), encoding="utf-8")
    (DOCS / "cli.md").write_text(cli_markdown(), encoding="utf-8")
    print("wrote docs/rules.md and docs/cli.md")


if __name__ == "__main__":
    main()
