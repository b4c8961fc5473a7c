"""Norwegian phrases that rule messages and suggestions share, so that every rule names a
condition, a code or a sex the same way."""

from __future__ import annotations

from kodevakt.codes.model import Sex
from kodevakt.rules.view import EpisodeView

#: Who a sex-limited code is for: `gjelder bare kvinner`.
SEX_PLURAL = {Sex.FEMALE: "kvinner", Sex.MALE: "menn"}
#: What the patient is registered as: `registrert som mann`.
SEX_SINGULAR = {Sex.FEMALE: "kvinne", Sex.MALE: "mann"}


def condition_name(group: int) -> str:
    """`hovedtilstanden` or `annen tilstand nr. 2`, for messages."""
    return "hovedtilstanden" if group == 0 else f"annen tilstand nr. {group}"


def code_text(view: EpisodeView, code: str) -> str:
    """`code` with its text from the code list in force, for suggestions."""
    found = view.base.get(code, view.day)
    text = found.display_text if found is not None else ""
    return f"{code} {text}" if text else code
