"""Episode files as text: the encoding is checked before any record, bad bytes later are marked.

Extracts saved from Excel on Windows are often Windows-1252, not UTF-8. Refusing such a file
half-way, after some of its records were checked, helps nobody, so the start of the file is
sniffed first and a wrong encoding is refused at once with the option that reads it. Bytes
that do not decode further on (a file pasted together from two sources) must not stop the
batch: they are decoded as lone surrogates, and their positions are kept in `bad` so that the
reader rejects only the record that holds them.
"""

from __future__ import annotations

import codecs
import io
import re
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from kodevakt.errors import InputError

SNIFF_BYTES = 64 * 1024
# What `surrogateescape` turns an undecodable byte into: one character per byte.
_ESCAPED = re.compile("[\udc80-\udcff]")


@contextmanager
def decoded(path: str, encoding: str | None) -> Iterator[tuple[DecodedText, str]]:
    """The file at `path` (stdin's bytes for `-`) as `DecodedText`, with the name to show."""
    if path == "-":
        yield DecodedText(_stdin_bytes(), "<stdin>", encoding), "<stdin>"
        return
    with open(path, "rb") as raw:
        yield DecodedText(raw, path, encoding), path


def _stdin_bytes() -> BinaryIO:
    raw: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    if raw is None:  # a text-only stdin (embedding, tests): its text is UTF-8 by now
        return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))
    return raw


def encoding_name(encoding: str | None) -> str:
    return "UTF-8" if encoding is None else encoding


class DecodedText:
    """A byte stream read as text, chunk by chunk; see the module docstring.

    `bad` holds (character index in the decoded stream, byte offset in the file) of every
    undecodable byte decoded so far, in order; readers drop entries they have passed.
    Raises InputError on construction when the first `SNIFF_BYTES` do not decode.
    """

    def __init__(self, raw: BinaryIO, name: str, encoding: str | None = None) -> None:
        self.encoding = encoding or "utf-8"
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise InputError(f"ukjent tegnkoding «{encoding}»", file=name) from None
        self.bad: deque[tuple[int, int]] = deque()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        self._chars = 0
        self._done = False
        head = raw.read(SNIFF_BYTES)
        self._consumed = 0
        if encoding is None and head.startswith(codecs.BOM_UTF8):
            head, self._consumed = head[3:], 3
        _sniff(head, self._consumed, name, encoding, final=len(head) < SNIFF_BYTES)
        self._head: bytes | None = head

    def read(self, size: int) -> str:
        """About `size` characters more; "" at the end."""
        if self._done:
            return ""
        if self._head is not None:
            data, self._head = self._head, None
        else:
            data = self._raw.read(size)
        final = not data
        self._done = final
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError:
            text = self._decode_marking(data, final)
        self._consumed += len(data)
        self._chars += len(text)
        return text

    def take_bad(self, start: int, end: int) -> int | None:
        """The file offset of the first bad byte in characters [start, end), if any; bad
        bytes before `end` are forgotten (the reader has passed them)."""
        found = None
        bad = self.bad
        while bad and bad[0][0] < end:
            at, offset = bad.popleft()
            if found is None and at >= start:
                found = offset
        return found

    def _decode_marking(self, data: bytes, final: bool) -> str:
        pending = self._decoder.getstate()[0]
        start = self._consumed - len(pending)  # file offset of the decoder's first byte
        self._decoder.errors = "surrogateescape"
        try:
            text = self._decoder.decode(data, final)
        finally:
            self._decoder.errors = "strict"
        done, offset = 0, start
        for match in _ESCAPED.finditer(text):
            offset += len(text[done : match.start()].encode(self.encoding, "surrogateescape"))
            self.bad.append((self._chars + match.start(), offset))
            done, offset = match.end(), offset + 1
        return text


def _sniff(head: bytes, base: int, name: str, encoding: str | None, *, final: bool) -> None:
    """Refuse a file whose start does not decode, naming the byte, its line and a fix."""
    try:
        # an incremental decode: a character cut at the end of `head` is not an error
        codecs.getincrementaldecoder(encoding or "utf-8")("strict").decode(head, final)
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        offset = base + exc.start
        raise InputError(
            f"filen er ikke {encoding_name(encoding)} (byte som ikke kan leses ved "
            f"byteposisjon {offset}); {_advice(head, encoding)}",
            file=name,
            line=line,
        ) from None


def _advice(head: bytes, encoding: str | None) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "den ser ut som UTF-16: bruk --encoding utf-16"
    if encoding is None:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return "bruk --encoding med filens tegnkoding (for eksempel latin-1)"
        return "den ser ut som Windows-1252: bruk --encoding cp1252"
    return "oppgi riktig tegnkoding med --encoding (uten valget leses filen som UTF-8)"
