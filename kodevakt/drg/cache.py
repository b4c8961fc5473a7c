"""A per-user cache of compiled definition tables, keyed by the definition file's SHA-256.

Reading and compiling a year's tables takes about a second; the compiled form, written with
`marshal`, loads in a small fraction of that. The cache lives in the user's cache directory
(`KODEVAKT_CACHE_DIR`, else `$XDG_CACHE_HOME/kodevakt`, else `~/.cache/kodevakt`), never in the
project or the installed package. A cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path

from kodevakt.drg.compile import FORMAT, Compiled, compile_tables
from kodevakt.drg.tables import DefinitionSource, read_tables_bytes
from kodevakt.errors import CodeListError

ENV_CACHE_DIR = "KODEVAKT_CACHE_DIR"


def cache_dir() -> Path:
    """Where compiled tables are kept."""
    explicit = os.environ.get(ENV_CACHE_DIR, "").strip()
    if explicit:
        return Path(explicit) / "drg"
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    root = Path(base) if base else Path.home() / ".cache"
    return root / "kodevakt" / "drg"


def cache_path(data: bytes, year: int) -> Path:
    digest = hashlib.sha256(data).hexdigest()[:40]
    return cache_dir() / f"{year}-{digest}-v{FORMAT}.marshal"


def load(source: DefinitionSource, *, use_cache: bool = True) -> Compiled:
    """The compiled tables of `source`, from the cache when the file is unchanged."""
    name = str(source.path)
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise CodeListError(f"kan ikke lese filen: {exc.strerror}", file=name) from exc
    path = cache_path(data, source.year) if use_cache else None
    if path is not None:
        cached = _read(path, source.year)
        if cached is not None:
            cached["source"] = name
            return cached
    compiled = compile_tables(read_tables_bytes(data, name), source.year, name)
    if path is not None:
        _write(path, compiled)
    return compiled


def _read(path: Path, year: int) -> Compiled | None:
    try:
        found = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(found, dict) or found.get("format") != FORMAT or found.get("year") != year:
        return None
    return found


def _write(path: Path, compiled: Compiled) -> None:
    """Write atomically (a reader never sees half a file); give up quietly when we cannot."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(marshal.dumps(compiled))
        os.replace(temp, path)
    except (OSError, ValueError):
        Path(temp).unlink(missing_ok=True)
