"""kodevakt: clinical coding quality for the Norwegian specialist health service.

The public API is small: `check` episodes against the national rules (and, for an episode
with its discharge summary, the text against the codes), `read_text` to read a discharge
summary, `describe` codes, `search` for the code that fits a clinician's words,
`default_codebase` for the loaded code lists.
"""

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.describe import describe
from kodevakt.codes.loading import default_codebase
from kodevakt.codes.normalise import normalise
from kodevakt.documentation.api import check, read_text
from kodevakt.episodes.model import Episode
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
    "read_text",
    "search",
]
