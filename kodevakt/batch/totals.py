"""What the pattern rules read about a whole batch, so that a rule can run on a part of it.

Most of what a pattern rule reads belongs to one patient (M01, M02, M06) or one institution
and its departments (M04, M05, M07's units, M03's stays); the rest is a figure about the
whole batch: every unit's indicator values (the funnel M04 places a unit on, the previous
period's values M05 compares with) and counts over all episodes (M03's day-care share of a
care group, M07's share of a code elsewhere). `BatchTotals` holds those figures. A
`BatchView` of a whole batch computes them from its own episodes; a view of a part is handed
the whole batch's (`BatchView(..., totals=...)`) and then gives the same findings about its
part as the whole view does (tests/batch/test_pattern_parts.py). That is what lets a
distributed run (`kodevakt.spark`) split a national batch by patient or by institution.

The counts are named tallies (`view.tally`): each names the keys one episode adds one to,
so a distributed run counts them with an aggregation. Every figure is an integer sum, so
it does not depend on the order the episodes are counted in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from kodevakt.batch.indicators import IndicatorValue

T = TypeVar("T")
Key = tuple[str, ...]


class BatchTotals:
    """The figures about a whole batch (see the module docstring).

    `period`: the batch's label (None: each episode in its tertial); `indicators`: the
    indicator values of every unit; `previous_indicators`: the previous period's (M05);
    `counts`: each registered tally's counts by key; `targets`: reference values per
    indicator for M04 instead of the pooled value.
    """

    def __init__(
        self,
        period: str | None,
        indicators: Iterable[IndicatorValue],
        previous_indicators: Iterable[IndicatorValue] = (),
        counts: Mapping[str, Counter[Key]] | None = None,
        targets: Mapping[str, float] | None = None,
    ) -> None:
        self.period = period
        self.indicators = list(indicators)
        self.previous_indicators = list(previous_indicators)
        self.counts = dict(counts or {})
        self.targets = targets
        self._derived: dict[str, Any] = {}

    def count(self, name: str) -> Counter[Key]:
        """The counts of tally `name` by key (a key no episode added to counts 0)."""
        return self.counts[name]

    def derived(self, name: str, compute: Callable[[BatchTotals], T]) -> T:
        """`compute(self)`, computed once under `name` (a rule's funnels, its changes) and
        shared by every view of a part of the batch that holds these totals."""
        if name not in self._derived:
            self._derived[name] = compute(self)
        found: T = self._derived[name]
        return found

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (sent to the workers of a distributed run) without what was derived."""
        state = dict(self.__dict__)
        state["_derived"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
