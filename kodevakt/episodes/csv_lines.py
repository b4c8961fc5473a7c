"""Rows of a delimited extract, read line by line so that one bad line costs one record.

Python's csv reader follows an opened quote to the end of the file: one stray `"` in an
extract swallows every row after it, or fails with "field larger than field limit" on a big
file. Here every physical line is a row unless its quote is still open at the line end; then
it may take in the following lines, but only while that makes a row of exactly the header's
field count (a quoted field with a line break), and never a line that is a full row on its
own. Otherwise that one line is rejected and reading goes on at the next. Line numbers are
physical lines in the file.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator

from kodevakt.episodes.decoding import DecodedText, encoding_name

CHUNK = 1 << 20
MAX_LINE = 1 << 20
MAX_JOINED = 10  # physical lines one quoted field may span

UNCLOSED = "felt med anførselstegn som ikke lukkes"
TOO_LONG = f"linjen er lengre enn {MAX_LINE >> 20} MiB"
NOT_CSV = "raden kan ikke leses som CSV (for stort felt eller feil bruk av anførselstegn)"

# (line number, text or None when it could not be taken, problem)
Line = tuple[int, str | None, str | None]


class CsvLines:
    """The header and rows of one delimited text; the delimiter is found in the header."""

    def __init__(self, text: DecodedText) -> None:
        self.text = text
        self._lines = self._physical()
        self._pending: deque[Line] = deque()
        self.delimiter = ";"
        self._complete = _complete_pattern(self.delimiter)

    def header(self) -> tuple[int, list[str] | str] | None:
        """The first line's cells (delimiter `;`, `,` or tab, whichever it has most of), or
        the problem that makes it unreadable; None for an empty file."""
        first = self._next()
        if first is None:
            return None
        number, line, problem = first
        if line is None or problem is not None:
            return number, problem or TOO_LONG
        self.delimiter = max(";,\t", key=line.count)
        self._complete = _complete_pattern(self.delimiter)
        if not self._complete.fullmatch(line):
            return number, UNCLOSED
        return number, self._parse(line)

    def rows(self, width: int) -> Iterator[tuple[int, list[str] | str]]:
        """(line number, cells) for every non-blank row, or (line number, problem)."""
        delimiter = self.delimiter
        while (item := self._next()) is not None:
            number, line, problem = item
            if line is None or problem is not None:
                yield number, problem or TOO_LONG
                continue
            cells: list[str] | str | None
            if '"' not in line:
                cells = line.split(delimiter)
            elif self._complete.fullmatch(line):
                cells = self._parse(line)
            else:
                cells = self._joined(line, width)
            if cells is None:
                yield number, UNCLOSED
            elif isinstance(cells, str) or any(cell.strip() for cell in cells):
                yield number, cells

    def _joined(self, first: str, width: int) -> list[str] | None:
        """The row that `first` (quote open) makes with the lines after it, or None (then
        those lines are left to be read as rows of their own)."""
        taken: list[Line] = []
        parts = [first]
        size = len(first)
        while len(taken) < MAX_JOINED - 1 and (item := self._next()) is not None:
            taken.append(item)
            _, line, problem = item
            if line is None or problem is not None or self._is_row(line, width):
                break
            parts.append(line)
            size += len(line) + 1
            if size > MAX_LINE:
                break
            text = "\n".join(parts)
            if self._complete.fullmatch(text):
                cells = self._parse(text)
                if isinstance(cells, list) and len(cells) == width:
                    return cells
                break
        self._pending.extendleft(reversed(taken))
        return None

    def _is_row(self, line: str, width: int) -> bool:
        if not self._complete.fullmatch(line):
            return False
        cells = self._parse(line)
        return isinstance(cells, list) and len(cells) == width

    def _parse(self, text: str) -> list[str] | str:
        try:
            return next(csv.reader([text], delimiter=self.delimiter), [])
        except csv.Error:
            return NOT_CSV

    def _next(self) -> Line | None:
        if self._pending:
            return self._pending.popleft()
        return next(self._lines, None)

    def _physical(self) -> Iterator[Line]:
        """Physical lines without their line ends; a line over MAX_LINE is skipped whole."""
        text, number, index, tail, skipping = self.text, 0, 0, "", False
        bad = text.bad
        while True:
            chunk = text.read(CHUNK)
            if skipping:  # the rest of a line that was too long
                end = chunk.find("\n")
                if end < 0 and chunk:
                    index += len(chunk)
                    continue
                end = len(chunk) if end < 0 else end + 1
                index += end
                text.take_bad(0, index)
                chunk, skipping = chunk[end:], False
            if not chunk:
                if tail:
                    yield self._line(number + 1, tail, index)
                return
            parts = (tail + chunk).split("\n")
            tail = parts.pop()
            for part in parts:
                number += 1
                if bad and bad[0][0] <= index + len(part):
                    yield self._line(number, part, index)
                else:
                    yield number, part[:-1] if part.endswith("\r") else part, None
                index += len(part) + 1
            if len(tail) > MAX_LINE:
                number += 1
                index += len(tail)
                text.take_bad(0, index)
                tail, skipping = "", True
                yield number, None, TOO_LONG

    def _line(self, number: int, part: str, index: int) -> Line:
        offset = self.text.take_bad(index, index + len(part) + 1)
        if offset is not None:
            encoding = encoding_name(None if self.text.encoding == "utf-8" else self.text.encoding)
            problem = f"linjen har en byte som ikke er gyldig {encoding} (byteposisjon {offset})"
            return number, None, problem
        return number, part[:-1] if part.endswith("\r") else part, None


def _complete_pattern(delimiter: str) -> re.Pattern[str]:
    """Matches a text whose quoted fields are all closed (the csv module's rules: a quote
    opens a field only at its start, `""` is a quote inside one)."""
    d = re.escape(delimiter)
    field = rf'(?:"(?:[^"]|"")*+"[^{d}\n]*+|[^{d}"\n][^{d}\n]*+|)'
    return re.compile(rf"{field}(?:{d}{field})*+")
