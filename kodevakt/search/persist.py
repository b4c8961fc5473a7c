"""The built index on disk, in the user's cache directory, keyed by a hash of the code data.

The key hashes everything the index is built from: the index format version, every indexed
code (code, system, level, parent, texts, flags) and the synonym list. Loading an official code
list, a new embedded release or an edited synonym list therefore changes the key and the index
is rebuilt; old files are removed. The directory is `$KODEVAKT_CACHE_DIR`, else
`$XDG_CACHE_HOME/kodevakt`, else `~/.cache/kodevakt`; nothing is written into the installed
package. A cache that cannot be read or written is not an error: the index is then built in
memory.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kodevakt.codes.release import CodeList
from kodevakt.search import compounds as compounds_module
from kodevakt.search import index as index_module
from kodevakt.search import synonyms as synonyms_module
from kodevakt.search import text as text_module
from kodevakt.search.index import Index, build_index, searchable
from kodevakt.search.synonyms import Synonym, parse_synonyms, synonym_text

INDEX_VERSION = 1
KEEP = 4  # indexes kept in the cache directory
ENV_CACHE_DIR = "KODEVAKT_CACHE_DIR"
_PREFIX = "search-index-"
_BUILDERS = (text_module, compounds_module, synonyms_module, index_module)


def cache_dir() -> Path:
    explicit = os.environ.get(ENV_CACHE_DIR)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "kodevakt"


def data_key(lists: Sequence[CodeList], synonyms: str) -> str:
    """Hash of the code data and synonym list an index is built from, and of the code that
    builds it (so an upgraded kodevakt never reads an index built by an older one)."""
    digest = hashlib.sha256(f"kodevakt-search {INDEX_VERSION}\n".encode())
    for module in _BUILDERS:
        digest.update(Path(module.__file__ or "").read_bytes())
    for code_list in lists:
        for c in code_list:
            if not searchable(c):
                continue
            digest.update(
                f"{c.code}\t{c.system}\t{c.level}\t{c.parent}\t{c.text}\t{c.full_text}\t"
                f"{c.text_en}\t{c.own_title}\t{c.reportable}\n".encode()
            )
    digest.update(synonyms.encode())
    return digest.hexdigest()[:24]


def load_or_build(
    lists: Sequence[CodeList], synonyms: str | None = None, *, use_cache: bool = True
) -> Index:
    """The index for `lists`: from the cache when it holds one for the same data, else built."""
    text = synonym_text() if synonyms is None else synonyms
    parsed: list[Synonym] = parse_synonyms(text)
    if not use_cache:
        return build_index(lists, parsed)
    key = data_key(lists, text)
    path = cache_dir() / f"{_PREFIX}{key}.pickle"
    index = _read(path)
    if index is None:
        index = build_index(lists, parsed)
        _write(path, index)
    return index


def _read(path: Path) -> Index | None:
    enabled = gc.isenabled()
    gc.disable()  # unpickling allocates millions of objects and frees none
    try:
        with path.open("rb") as handle:
            loaded = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    finally:
        if enabled:
            gc.enable()
    return loaded if isinstance(loaded, Index) else None


def _write(path: Path, index: Index) -> None:
    """Write atomically; keep the few newest indexes (another data set may come back)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
            temporary = Path(handle.name)
            try:
                pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                handle.close()
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
        others = sorted(
            (p for p in path.parent.glob(f"{_PREFIX}*.pickle") if p != path),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in others[KEEP - 1 :]:
            old.unlink(missing_ok=True)
    except OSError:
        return
