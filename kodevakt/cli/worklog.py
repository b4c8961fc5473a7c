"""`kodevakt finding assign|ask|answer|approve|due`: the work on findings from the command
line.

The web worklist does the same through the same service (`kodevakt.storage.worklog`): each
command takes one or more keys and changes them together or, should one refuse, not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

import typer

from kodevakt.cells import console_text
from kodevakt.cli.common import fail, out, writing
from kodevakt.cli.database import open_store
from kodevakt.errors import KodevaktError
from kodevakt.storage import Store
from kodevakt.storage import worklog as wl
from kodevakt.storage.database import Access

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: sqlite:///fil.db eller postgresql://bruker@vert/navn. "
        "Standard: miljøvariabelen KODEVAKT_DB, ellers kodevakt.db i arbeidsmappen.",
    ),
]
KeysArgument = Annotated[
    list[str], typer.Argument(help="Funnenes nøkler (hele, eller de første minst 6 tegn)")
]
ByOption = Annotated[
    str, typer.Option("--by", help="Hvem som gjør endringen (navn eller brukernavn)")
]


def register(finding: typer.Typer) -> None:
    """Add the commands to the `kodevakt finding` group."""
    finding.command("assign")(assign)
    finding.command("ask")(ask)
    finding.command("answer")(answer)
    finding.command("approve")(approve)
    finding.command("due")(due)


def assign(
    keys: KeysArgument,
    by: ByOption,
    to: Annotated[str | None, typer.Option("--to", help="Koderen som skal ha funnene")] = None,
    nobody: Annotated[bool, typer.Option("--nobody", help="Fjern tildelingen i stedet")] = False,
    db: DbOption = None,
) -> None:
    """Tildel funn til en koder (--to NAVN), eller fjern tildelingen (--nobody).

    Avslutningskode 0: endret; 2: ikke endret (ukjent nøkkel, manglende navn).
    """
    if (to is None) == (not nobody):
        fail("oppgi enten --to NAVN eller --nobody", code=2)
    _run(db, len(set(keys)), lambda store: wl.assign(store.engine, keys, to, by=by))


def ask(
    keys: KeysArgument,
    question: Annotated[str, typer.Option("--question", help="Spørsmålet til legen")],
    by: ByOption,
    db: DbOption = None,
) -> None:
    """Spør ansvarlig lege om funnene: status blir «spurt lege» til svaret er vurdert.

    Et nytt spørsmål erstatter det forrige og svaret på det (begge står i loggen).

    Avslutningskode 0: endret; 2: ikke endret (f.eks. et rettet funn).
    """
    _run(db, len(set(keys)), lambda store: wl.ask(store.engine, keys, question, by=by))


def answer(
    keys: KeysArgument,
    text: Annotated[str, typer.Option("--answer", help="Legens svar")],
    by: ByOption,
    db: DbOption = None,
) -> None:
    """Registrer legens svar på spørsmålet om funnene (status forblir «spurt lege»).

    Godta funnet etterpå (finding accept) eller rett kodingen, så blir det rettet ved neste
    innlesing.

    Avslutningskode 0: endret; 2: ikke endret (f.eks. et funn som ikke er spurt om).
    """
    _run(db, len(set(keys)), lambda store: wl.answer(store.engine, keys, text, by=by))


def approve(
    keys: KeysArgument,
    by: ByOption,
    comment: Annotated[
        str | None, typer.Option("--comment", help="Valgfri kommentar, f.eks. hvem som bekreftet")
    ] = None,
    db: DbOption = None,
) -> None:
    """Godkjenn rettingen: koderen er enig i kodevakts rettingsforslag for funnene.

    Bare funn med rettingsforslag som er åpne eller spurt lege. kodevakt export --with-fixes
    skriver da den rettede kodingen; leses den inn igjen, blir funnene rettet. Angre med
    finding reopen. (Er kodingen riktig likevel, bruk finding accept.)

    Avslutningskode 0: endret; 2: ikke endret (f.eks. et funn uten rettingsforslag).
    """
    _run(
        db,
        len(set(keys)),
        lambda store: wl.approve(store.engine, keys, by=by, comment=comment),
    )


def due(
    keys: KeysArgument,
    by: ByOption,
    when: Annotated[str | None, typer.Option("--date", help="Ny frist, f.eks. 2025-06-01")] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Tilbake til periodens rettefrist")
    ] = False,
    db: DbOption = None,
) -> None:
    """Sett fristen for funnene (--date ÅÅÅÅ-MM-DD), eller gå tilbake til periodens
    rettefrist (--clear): 23 dager etter tertialets siste dag, med mindre
    KODEVAKT_DEADLINES sier noe annet (se docs/storage.md).

    Avslutningskode 0: endret; 2: ikke endret.
    """
    if (when is None) == (not clear):
        fail("oppgi enten --date ÅÅÅÅ-MM-DD eller --clear", code=2)
    day = None
    if when is not None:
        try:
            day = date.fromisoformat(when.strip())
        except ValueError:
            fail(f"fristen «{when}» er ikke en dato som 2025-06-01", code=2)
    _run(db, len(set(keys)), lambda store: wl.set_due(store.engine, keys, day, by=by))


def print_work(item: wl.WorkItem) -> None:
    """The work on a finding, under the finding in `kodevakt finding show`: assignee, due
    date, and the question to the doctor with its answer. Text from users is never markup."""
    due = f"{item.due:%d.%m.%Y}" if item.due else "ingen"
    source = "" if item.due_set or item.due is None else " (periodens rettefrist)"
    out.print(console_text(f"  Tildelt: {item.assignee or 'ingen'} · frist {due}{source}"))
    question = item.question
    if question is None:
        return
    asked = f"{question.asked_by}, {question.asked_at:%Y-%m-%d %H:%M}"
    out.print(console_text(f"  Spørsmål til lege ({asked}): {question.text}"))
    if question.answer is not None and question.answered_at is not None:
        answered = f"{question.answered_by}, {question.answered_at:%Y-%m-%d %H:%M}"
        out.print(console_text(f"  Svar ({answered}): {question.answer}"))
    else:
        out.print("  Ikke besvart ennå.")


def _run(db: str | None, given: int, change: Callable[[Store], int]) -> None:
    with open_store(db, Access.WRITE) as store:
        try:
            changed = change(store)
        except KodevaktError as exc:
            fail(str(exc), code=2)
    unchanged = given - changed
    note = f" ({unchanged} var det allerede)" if unchanged else ""
    with writing("resultatet"):
        out.print(f"Endret {changed} funn{note}.")
