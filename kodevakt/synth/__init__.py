"""Synthetic coded episodes: realistic Norwegian hospital activity with known coding errors.

`generate(n, seed)` yields interchange-format episode dicts (see `domain/episode-format.md`),
the same ones for the same seed, with about `error_rate` of them carrying one deliberate error
whose rule code is listed under `"synth": {"injected": [...]}`. Used for benchmarks, demos and
for measuring the checker's recall and false positives. `generate_wide(n, seed)` draws
episodes from the whole code list instead, so that code combinations rarely repeat (the
checker's speed benchmark and differential test).
"""

from kodevakt.synth.generator import generate
from kodevakt.synth.wide import generate_wide

__all__ = ["generate", "generate_wide"]
