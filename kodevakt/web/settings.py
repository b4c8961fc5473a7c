"""What the web application is started with (`kodevakt serve` fills it from its options)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kodevakt.drg import Definitions
from kodevakt.drg.weights import Weights


@dataclass(frozen=True)
class WebSettings:
    """`database_url`: as `--db` (SQLite file or PostgreSQL URL); the database must exist.
    `secure_cookies`: send the session cookie only over HTTPS (off only for a browser on the
    same machine without TLS). `drg_definitions`/`drg_weights`: loaded DRG tables for DRG
    before and after a correction (None: no DRG shown). `units_file`: names of institutions
    and departments. `upload_limit`: the largest extract the Import page takes, in bytes."""

    database_url: str
    secure_cookies: bool = True
    drg_definitions: Definitions | None = None
    drg_weights: Weights | None = None
    units_file: Path | None = None
    upload_limit: int = 200 * 1024 * 1024
