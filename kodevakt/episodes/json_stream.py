"""Splitting a stream of JSON records (one object, an array, JSON Lines) without loading it.

Objects are decoded one at a time from a buffer kept one chunk ahead. The hard part is a
record that is not valid JSON: the reader must reject exactly that record and find the next
one, whether records sit one per line, all on one line, or pretty-printed over many lines
(where resynchronising at the next newline would try every nested line as a record, and
on a one-line array would drop every record after the bad one). After a failure the reader
looks for the next *record start*: a `{` first on its line or after `,`/`[`, that decodes to
an object that looks like an episode and is followed by `,`, `]`, a newline or the end. A
nested procedure object (`{"codes": …}`) is no record start. Everything from the failure to
that start is one rejected record. A value that decodes but is no object (a stray quote can
make `", {"` a string and swallow the next record's opening brace) is treated the same way:
the next start is looked for inside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from kodevakt.episodes.decoding import DecodedText, encoding_name
from kodevakt.episodes.model import Source
from kodevakt.episodes.records import Record, Rejected

CHUNK = 1 << 20
# The largest record read; a bigger one (or an unterminated one) is rejected, not buffered on.
MAX_RECORD = 64 << 20
_DECODER = json.JSONDecoder()
# A `{` first on its line, or after `,` or `[` with only whitespace between.
_START = re.compile(r"[,\[\n][ \t\r\n]*(\{)")
# An object with only these keys is a patient or a procedure group, not an episode (a bare
# `{"id": …}` episode right after a broken record is lost in that record's rejection).
_PATIENT_KEYS = frozenset({"id", "sex", "birth_date", "age", "age_days", "codes", "date"})
_WHITESPACE = " \t\r\n"
# How close to the end of the buffer a decode error may be a record cut by the chunk edge.
_EDGE = 32

Build = Callable[[Any, Source], Record]
# A faster way to the same record from the text of one line holding one whole JSON object, or
# None to leave the line to `json` and `Build` (see `read_records`).
FastBuild = Callable[[str, Source], Record | None]


def read_records(
    text: DecodedText, name: str, build: Build, fast: FastBuild | None = None
) -> Iterator[Record]:
    """`build(obj, source)` for every JSON value in `text`; Rejected for what is not JSON.

    `fast`, when given, is offered each record that starts a line ending before the buffer
    does (JSON Lines, the common case) as the text up to that newline, before `json` decodes
    it; in JSON Lines, a buffer's lines are split at once and offered one after the other.
    It must return exactly what `build` makes of the object, or None when the text is not one
    whole object it can read: then the record goes the careful way, as if `fast` were not
    there (tests/episodes/test_fast_reading.py holds it to that).
    """
    return _Stream(text, name, build, fast).records()


class _Stream:
    """The buffer and position of one stream; `line` is the line number at `pos`."""

    def __init__(self, text: DecodedText, name: str, build: Build, fast: FastBuild | None) -> None:
        self.text = text
        self.name = name
        self.build = build
        self.fast = fast
        self.buffer = ""
        self.pos = 0
        self.base = 0  # index in the whole decoded stream of buffer[0]
        self.line = 1
        self.newline = -1  # stream index of the last newline dropped from the buffer
        self.eof = False
        # Top level is an array: then only `,`/`[`-led objects start records; otherwise
        # (JSON Lines, concatenated objects) so does any `{` at the start of a line.
        self.array: bool | None = None

    def records(self) -> Iterator[Record]:
        # The hot loop works on locals and writes them back only around the rare paths.
        decode = _DECODER.raw_decode
        build, fast, name, bad = self.build, self.fast, self.name, self.text.bad
        buffer, pos, line, base, eof = self.buffer, self.pos, self.line, self.base, self.eof
        while True:
            if not eof and len(buffer) - pos < CHUNK:
                self.buffer, self.pos = buffer, pos
                self._more(CHUNK)
                buffer, pos, base, eof = self.buffer, self.pos, self.base, self.eof
            # separators between objects: whitespace, commas, array brackets
            skipped = pos
            while pos < len(buffer) and buffer[pos] in " \t\r\n,[]":
                if buffer[pos] == "\n":
                    line += 1
                pos += 1
            if pos >= len(buffer):
                if eof:
                    return
                continue
            if self.array is None:
                self.array = "[" in buffer[skipped:pos]
            if fast is not None and self.array is False and pos and buffer[pos - 1] == "\n":
                # JSON Lines: every line up to the buffer's last newline at once, for as long
                # as each is one whole record `fast` reads (or blank); any other line is left
                # to the careful way below, from its start.
                last = buffer.rfind("\n", pos)
                if last > pos and not (bad and bad[0][0] < base + last):
                    start = pos
                    for text in buffer[pos:last].split("\n"):
                        if text[:1] == "{":
                            record = fast(text, Source(name, line))
                            if record is None:
                                break
                            yield record
                        elif text.strip(" \t\r"):
                            break
                        start += len(text) + 1
                        line += 1
                    if start > pos:
                        pos = start
                        continue
            if fast is not None:
                end = buffer.find("\n", pos)
                if end >= 0 and not (bad and bad[0][0] < base + end):
                    record = fast(buffer[pos:end], Source(name, line))
                    if record is not None:
                        pos = end
                        yield record
                        continue
            try:
                obj, end = decode(buffer, pos)
            except (ValueError, RecursionError) as exc:
                # ValueError: JSONDecodeError, or an integer too long to convert
                self.buffer, self.pos, self.line = buffer, pos, line
                rejected = self._failed(exc)
                buffer, pos, line, base, eof = self.buffer, self.pos, self.line, self.base, self.eof
                if rejected is not None:
                    yield rejected
                continue
            if type(obj) is not dict:
                # A stray value (a quote that swallowed `, {`): the record may start inside
                # it, so look for the next start within it rather than after it.
                self.buffer, self.pos, self.line = buffer, pos, line
                rejected = self._stray()
                buffer, pos, line, base, eof = self.buffer, self.pos, self.line, self.base, self.eof
                yield rejected
                continue
            start_line = line
            line += buffer.count("\n", pos, end)
            if bad and bad[0][0] < base + end:
                offset = self.text.take_bad(base + pos, base + end)
                if offset is not None:
                    pos = end
                    yield Rejected(name, start_line, None, self._bad_bytes(offset))
                    continue
            pos = end
            yield build(obj, Source(name, start_line))

    def _more(self, size: int) -> None:
        """Drop what was read before `pos` and append up to `size` more characters."""
        chunk = self.text.read(size)
        dropped_newline = self.buffer.rfind("\n", 0, self.pos)
        if dropped_newline >= 0:
            self.newline = self.base + dropped_newline
        self.base += self.pos
        self.buffer, self.pos, self.eof = self.buffer[self.pos :] + chunk, 0, not chunk

    def _failed(self, exc: Exception) -> Rejected | None:
        """The record at `pos` did not decode: None after reading more when it was only cut
        by the end of the buffer, else its rejection (with `pos` moved to the next record)."""
        start = self.pos
        held = len(self.buffer) - start
        if self._cut(exc) and held < MAX_RECORD:
            self._more(max(CHUNK, held))
            return None
        if isinstance(exc, RecursionError):
            reason = "ugyldig JSON (for dyp nøsting)"
        elif self._cut(exc):
            reason = f"posten er større enn {MAX_RECORD >> 20} MiB eller avsluttes ikke"
        elif isinstance(exc, json.JSONDecodeError):
            reason = self._where(exc)
        else:
            reason = "ugyldig JSON (et tall har for mange sifre)"
        start_line, first = self.line, self.base + start
        self._resync(start + 1)
        offset = self.text.take_bad(first, self.base + self.pos)
        if offset is not None:
            reason = self._bad_bytes(offset)
        return Rejected(self.name, start_line, None, reason)

    def _stray(self) -> Rejected:
        """A JSON value that is not an object at `pos`: its rejection, `pos` at the next
        record start after the value's first character."""
        start_line, first = self.line, self.base + self.pos
        self._resync(self.pos + 1)
        offset = self.text.take_bad(first, self.base + self.pos)
        reason = "posten er ikke et JSON-objekt" if offset is None else self._bad_bytes(offset)
        return Rejected(self.name, start_line, None, reason)

    def _cut(self, exc: Exception) -> bool:
        """Whether the decode failed only because the buffer ends inside the record."""
        if self.eof or not isinstance(exc, json.JSONDecodeError):
            return False
        return exc.pos >= len(self.buffer) - _EDGE or exc.msg.startswith("Unterminated string")

    def _where(self, exc: json.JSONDecodeError) -> str:
        buffer, start = self.buffer, self.pos
        error_line = self.line + buffer.count("\n", start, exc.pos)
        newline = buffer.rfind("\n", 0, exc.pos)
        column = exc.pos - (newline if newline >= 0 else self.newline - self.base)
        if error_line == self.line:
            return f"ugyldig JSON (feil ved tegn {column} på linjen)"
        return f"ugyldig JSON (feil på linje {error_line}, tegn {column})"

    def _bad_bytes(self, offset: int) -> str:
        encoding = encoding_name(None if self.text.encoding == "utf-8" else self.text.encoding)
        return f"posten har en byte som ikke er gyldig {encoding} (byteposisjon {offset})"

    def _advance(self, to: int) -> None:
        self.line += self.buffer.count("\n", self.pos, to)
        self.pos = to

    def _resync(self, scan: int) -> None:
        """Move `pos` to the next record start at or after `scan` (> 0), or to the end."""
        while True:
            buffer = self.buffer
            found = _START.search(buffer, scan - 1)
            at = found.start(1) if found else -1
            if not self.array:
                # JSON Lines: an object at the start of a line is the next record, whether
                # it decodes or not (then it is rejected on its own)
                line_start = buffer.find("\n{", scan - 1)
                if line_start >= 0 and (at < 0 or line_start < at):
                    self._advance(line_start + 1)
                    return
            if at < 0:
                if self.eof:
                    self._advance(len(buffer))
                    return
                # keep the last separator and the whitespace after it: a start may follow
                self._advance(max(self.pos, len(buffer.rstrip(_WHITESPACE)) - 1))
                self._more(CHUNK)
                scan = 1
                continue
            verdict = self._is_record(at)
            while verdict is None:  # cut by the end of the buffer: read on and judge again
                self._advance(at)
                self._more(max(CHUNK, len(self.buffer)))
                at = 0
                verdict = self._is_record(at)
            if verdict:
                self._advance(at)
                return
            scan = at + 1

    def _is_record(self, at: int) -> bool | None:
        """Whether an episode-like object starts at `at`; None: cannot tell yet."""
        buffer = self.buffer
        try:
            obj, end = _DECODER.raw_decode(buffer, at)
        except RecursionError:
            return False
        except ValueError as exc:
            held = len(buffer) - at
            if isinstance(exc, json.JSONDecodeError) and self._cut(exc) and held < MAX_RECORD:
                return None
            return False
        if type(obj) is not dict or obj.keys() <= _PATIENT_KEYS:
            return False
        while end < len(buffer) and buffer[end] in " \t\r":
            end += 1
        if end == len(buffer):
            return True if self.eof else None
        return buffer[end] in ",]\n"
