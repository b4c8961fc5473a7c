"""Discharge summaries as input: one plain text, or JSON Lines of `{"id": …, "text": …}`.

A file (or stdin) whose first non-blank character is `{` is JSON Lines: one object per line,
each with a `text` string and an optional `id` (a string or number; the line number when it
is missing). Anything else is one plain text, whose id is the file's name. A line that cannot
be read is refused with its line number and what is wrong with it, never its content: these
texts are the most sensitive data kodevakt handles.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kodevakt.episodes.decoding import decoded
from kodevakt.errors import InputError

CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class TextRecord:
    """One text to read, with its id."""

    id: str
    text: str


def read_texts(path: str, encoding: str | None = None) -> Iterator[TextRecord]:
    """The texts of `path` (`-`: stdin), in order."""
    with decoded(path, encoding) as (stream, name):
        parts = []
        while chunk := stream.read(CHUNK):
            parts.append(chunk)
        content = "".join(parts)
        if stream.bad:
            raise InputError("filen har byte som ikke kan leses i tegnkodingen", file=name)
    if content.lstrip().startswith("{"):
        yield from _json_lines(content, name)
    else:
        yield TextRecord("stdin" if path == "-" else Path(path).name, content)


def _json_lines(content: str, name: str) -> Iterator[TextRecord]:
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            raise InputError("linjen er ikke gyldig JSON", file=name, line=number) from None
        if not isinstance(data, dict):
            raise InputError("linjen er ikke et JSON-objekt", file=name, line=number)
        text = data.get("text")
        if not isinstance(text, str):
            raise InputError("mangler tekst", file=name, line=number, field="text")
        text_id = data.get("id", number)
        if not isinstance(text_id, str | int) or isinstance(text_id, bool):
            raise InputError("id må være tekst eller et tall", file=name, line=number, field="id")
        yield TextRecord(str(text_id), text)
