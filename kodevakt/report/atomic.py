"""Files replaced whole or not at all: reports, worklists and synthetic extracts.

Writing in place leaves a truncated file when the disk fills up half-way, and the previous
good report is gone with it. These helpers write to a temporary file in the same folder
(so that the rename cannot cross file systems), flush it to disk, and only then rename it
over the target; on any error the temporary file is removed and the old file is untouched.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO, TextIO


@contextmanager
def replaced_binary(path: Path, *, buffering: int = -1) -> Iterator[BinaryIO]:
    """A binary stream whose content becomes `path` when the block ends without error."""
    with _beside(path) as descriptor, os.fdopen(descriptor, "wb", buffering=buffering) as stream:
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


@contextmanager
def replaced_text(path: Path, *, encoding: str, newline: str | None = None) -> Iterator[TextIO]:
    """A text stream whose content becomes `path` when the block ends without error."""
    with (
        _beside(path) as descriptor,
        os.fdopen(descriptor, "w", encoding=encoding, newline=newline) as stream,
    ):
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


@contextmanager
def _beside(path: Path) -> Iterator[int]:
    """A new temporary file next to `path`, renamed over it after the block, else removed.

    A symbolic link is followed, so the file it points to is the one replaced. The new file
    gets the old file's permissions, or those a new file would get.
    """
    target = Path(os.path.realpath(path))
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        yield descriptor
        os.chmod(temporary, _permissions(target))
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)


def _permissions(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not possible (nor needed) on every platform."""
    with suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
