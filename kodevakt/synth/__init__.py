"""Synthetic coded episodes: realistic Norwegian hospital activity with known coding errors.

`generate(n, seed)` yields interchange-format episode dicts (see `domain/episode-format.md`),
the same ones for the same seed, with about `error_rate` of them carrying one deliberate error
whose rule code is listed under `"synth": {"injected": [...]}`. Used for benchmarks, demos and
for measuring the checker's recall and false positives.
"""

from kodevakt.synth.generator import generate

__all__ = ["generate"]
