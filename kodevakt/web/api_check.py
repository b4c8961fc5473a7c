"""`POST /api/check`: interchange JSON in, exactly what `kodevakt check --format json` prints out.

The body is read by the interchange reader (`episode_from_dict`), checked by the checker with
the rules `kodevakt check` runs without options, and written by `write_json_array`, the
CLI's own writer: so the response body is byte for byte the CLI's standard output for the same
episodes. Unlike the CLI, which rejects a bad record and checks the rest, the API refuses the
whole body when any episode cannot be read, naming every such episode and field: a patient
system calling at the moment of coding wants to know, not to get a partial answer.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.records import Rejected
from kodevakt.rules.engine import Checker
from kodevakt.rules.output import write_json_array

MAX_EPISODES = 10_000
BODY = "body"


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """Why (part of) a request body cannot be read; `loc` as FastAPI names places in a body
    (`("body", 2, "patient", "birth_date")`), `message` without the value sent."""

    loc: tuple[str | int, ...]
    message: str


def read_body(raw: bytes) -> tuple[list[Episode], list[BodyProblem]]:
    """The episodes of a body holding one interchange object or a list of them, and the
    problems of everything that cannot be read (any problem refuses the whole body)."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        return [], [BodyProblem((BODY,), "er ikke UTF-8")]
    except json.JSONDecodeError as exc:
        where = f"linje {exc.lineno}, tegn {exc.colno}"
        return [], [BodyProblem((BODY,), f"er ikke gyldig JSON ({where})")]
    except RecursionError:
        return [], [BodyProblem((BODY,), "er nestet for dypt")]
    single = not isinstance(data, list)
    items = [data] if single else data
    if len(items) > MAX_EPISODES:
        message = f"har over {MAX_EPISODES} episoder; del listen opp i flere kall"
        return [], [BodyProblem((BODY,), message)]
    episodes: list[Episode] = []
    problems: list[BodyProblem] = []
    for i, item in enumerate(items):
        record = episode_from_dict(item, Source("api", i + 1))
        if isinstance(record, Rejected):
            problems.append(_problem(record, None if single else i))
        else:
            episodes.append(record)
    return episodes, problems


def findings_json(episodes: Iterable[Episode], checker: Checker) -> str:
    """The findings as `kodevakt check --format json` writes them."""
    out = io.StringIO()
    write_json_array(checker.check(episodes), out)
    return out.getvalue()


def _problem(rejected: Rejected, index: int | None) -> BodyProblem:
    where: tuple[str | int, ...] = (BODY,) if index is None else (BODY, index)
    field = rejected.field
    return BodyProblem((*where, *_path(field)) if field else where, rejected.message)


def _path(field: str) -> list[str | int]:
    """`procedures[1].date` → `["procedures", 1, "date"]`."""
    parts: list[str | int] = []
    for name in field.split("."):
        head, *indexes = name.replace("]", "").split("[")
        parts.append(head)
        parts.extend(int(index) for index in indexes)
    return parts
