"""The corrected extract: a period's stored episodes with the fixes coders approved.

A coder who agrees with a finding's fix approves it (`worklog.approve`, status `approved`,
"retting godkjent"); `kodevakt export --with-fixes` writes each episode with its approved
fixes applied: the corrected extract a coder sends back. Imported again, the corrected
episodes no longer have those findings, and the import marks them `fixed`. Findings
accepted as coded (`accepted`: the coding is right despite the rule) keep their coding.

A fix holds the complete code groups after it, made from the episode as coded. So:

- An episode whose approved fixes do not overlap (each part, the conditions or the
  procedures, is changed by at most one distinct fix) gets them as stored: exactly the
  coding the coder saw on the finding's page. No rule runs.
- When two approved fixes change the same part differently, each was made from the coding
  before the other, and applying both as stored would undo one. They are applied one at a
  time, as ruff applies fixes: check the episode, apply the fix of the first approved
  finding the check still reports (in the checker's order), check the corrected episode
  again, and so on. Each fix applied is the checker's for the episode as it is by then; an
  approved finding an earlier fix has already removed needs none. An approved finding still
  reported without a usable fix, or not reported by the first check at all (the rules have
  changed since the import), is left as coded and named in `Corrected.left`.

Findings are matched to a fresh check by their stored key (`storage.findings.episode_keys`),
which does not depend on where in the episode a code stands, so a fix that moves groups
keeps the other findings' keys. Only the checker's episode rules run again; the pattern
rules (M01–M07) have no fixes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from kodevakt.episodes.model import Episode
from kodevakt.rules.engine import Checker
from kodevakt.rules.finding import Finding, Fix
from kodevakt.storage import FindingStatus, Store, parse_period
from kodevakt.storage.findings import episode_keys

Place = tuple[str, str]  # (institution or "", episode id)


@dataclass(frozen=True, slots=True)
class Approved:
    """An approved finding's key, rule and fix."""

    key: str
    rule: str
    fix: Fix


@dataclass(frozen=True, slots=True)
class Corrected:
    """An episode as the corrected extract holds it: with its approved fixes applied.

    `approved`: the episode's approved findings with a fix; `left`: those of them whose fix
    could not be applied (the episode keeps their coding)."""

    episode: Episode
    approved: tuple[Approved, ...] = ()
    left: tuple[Approved, ...] = ()

    @property
    def corrected(self) -> bool:
        """Whether at least one approved fix was applied."""
        return len(self.left) < len(self.approved)


def approved_fixes(
    store: Store, period: str, institution: str | None = None
) -> dict[Place, list[Approved]]:
    """The fixes of the period's approved findings, by episode, in the stored order."""
    found: dict[Place, list[Approved]] = {}
    for stored in store.findings(period, institution, FindingStatus.APPROVED):
        fix, episode_id = stored.finding.fix, stored.finding.episode_id
        if fix is not None and episode_id:
            place = (stored.institution or "", episode_id)
            found.setdefault(place, []).append(Approved(stored.key, stored.finding.rule, fix))
    return found


def corrected_episodes(
    store: Store, period: str, institution: str | None, checker: Callable[[], Checker]
) -> Iterator[Corrected]:
    """Every stored episode of the period (current version, in import order) with its
    approved fixes applied. `checker` gives the checker imports use; it is called only when
    an episode's approved fixes overlap."""
    period = parse_period(period)
    approved = approved_fixes(store, period, institution)
    for episode in store.episodes(period, institution, sources=False):
        found = approved.get((episode.institution or "", episode.id))
        yield correct(episode, found, period, checker) if found else Corrected(episode)


def correct(
    episode: Episode,
    approved: Sequence[Approved],
    period: str,
    checker: Callable[[], Checker],
) -> Corrected:
    """`episode` with the `approved` fixes applied, as the module docstring says."""
    conditions = {a.fix.conditions for a in approved if a.fix.conditions is not None}
    procedures = {a.fix.procedures for a in approved if a.fix.procedures is not None}
    if len(conditions) <= 1 and len(procedures) <= 1:
        fix = Fix(next(iter(conditions), None), next(iter(procedures), None))
        return Corrected(fix.apply(episode), tuple(approved))
    return _one_at_a_time(episode, approved, period, checker())


def _one_at_a_time(
    episode: Episode, approved: Sequence[Approved], period: str, checker: Checker
) -> Corrected:
    institution = episode.institution or ""

    def reported(current: Episode) -> dict[str, Finding]:
        """The findings of a fresh check, by key, in the checker's order."""
        found = checker.check_episode(current)
        return dict(zip(episode_keys(period, institution, found), found, strict=True))

    wanted = {a.key: a for a in approved}
    now = reported(episode)
    pending = [key for key in now if key in wanted]
    left = [a for a in approved if a.key not in now]
    current = episode
    while pending:  # each round applies one fix and takes its finding off the list
        step = next(
            (
                (key, fixed)
                for key in pending
                if (fixed := _applied(now[key].fix, current)) is not None
            ),
            None,
        )
        if step is None:
            break
        done, current = step
        now = reported(current)
        pending = [key for key in now if key in pending and key != done]
    left += [wanted[key] for key in pending]
    return Corrected(current, tuple(approved), tuple(left))


def _applied(fix: Fix | None, episode: Episode) -> Episode | None:
    """`episode` with `fix` applied, None when there is no fix or it changes no code."""
    if fix is None:
        return None
    fixed = fix.apply(episode)
    return fixed if _codes(fixed) != _codes(episode) else None


def _codes(episode: Episode) -> tuple[object, ...]:
    """An episode's code groups, to tell whether a fix changes anything."""
    return (
        tuple(tuple(group) for group in episode.conditions),
        tuple(tuple(group.codes) for group in episode.procedures),
    )
