"""kodevakt: clinical coding quality for the Norwegian specialist health service.

The public API is small: `check` episodes against the national rules, `lookup` and
`describe` codes, `search` for the code that fits a clinician's words, `default_codebase` for
the loaded code lists.
"""

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.describe import describe
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.normalise import normalise
from kodevakt.episodes.model import Episode
from kodevakt.rules.api import check
from kodevakt.rules.finding import Finding, Severity
from kodevakt.search import search

__all__ = [
    "CodeBase",
    "Episode",
    "Finding",
    "Severity",
    "check",
    "default_codebase",
    "describe",
    "normalise",
    "search",
]
