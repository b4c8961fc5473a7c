"""Days a Norwegian hospital does no planned work: weekends and public holidays.

Planned (elective) contacts are moved to the next open day; acute care happens any day.
Public holidays (helligdager) follow from Easter; Christmas Eve and New Year's Eve are added
because planned activity stops on them too.
"""

from __future__ import annotations

from datetime import date, timedelta


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar, the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def closed_days(year: int) -> set[date]:
    """Public holidays of `year`, with Christmas Eve and New Year's Eve."""
    sunday = easter(year)
    moving = (-3, -2, 0, 1, 39, 49, 50)  # Maundy Thursday ... Whit Monday
    fixed = ((1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31))
    return {sunday + timedelta(days=n) for n in moving} | {date(year, m, d) for m, d in fixed}


def next_open_days(start: date, count: int) -> tuple[int, ...]:
    """For each day index from `start`, the index of the first open day on or after it."""
    closed = closed_days(start.year) | closed_days(start.year + 1) | closed_days(start.year + 2)
    shifted = [0] * count
    following = count + 7  # past the end: no open day known, stay beyond the range
    for index in range(count - 1, -1, -1):
        day = start + timedelta(days=index)
        if day.weekday() < 5 and day not in closed:
            following = index
        shifted[index] = following
    return tuple(shifted)
