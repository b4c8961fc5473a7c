"""Curated ICD-10 attributes the npm list lacks (placeholder until the table lands)."""

from __future__ import annotations

from kodevakt.codes.model import Code


def apply_attributes(codes: dict[str, Code], *, official: bool) -> dict[str, Code]:
    return codes
