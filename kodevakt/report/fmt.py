"""Norwegian number formatting for the report: decimal comma, thin-space thousands, percent."""

from __future__ import annotations

NBSP = "\u00a0"


def integer(value: int) -> str:
    """12345 -> '12 345' (non-breaking space as the thousands separator)."""
    return f"{value:,}".replace(",", NBSP)


def decimal(value: float, digits: int = 1) -> str:
    """1234.5 -> '1 234,5'."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", NBSP)


def percent(share: float, digits: int = 1) -> str:
    """0.1234 -> '12,3 %' (a share between 0 and 1)."""
    return f"{decimal(share * 100, digits)}{NBSP}%"


def value(number: float, *, is_share: bool, digits: int = 1) -> str:
    """A share as a percentage, anything else as a decimal number."""
    return percent(number, digits) if is_share else decimal(number, digits + 1)
