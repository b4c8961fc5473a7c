"""Fill a record-review worksheet as a made-up auditor would: for the demo and the tests.

    python scripts/fill_audit_worksheet.py ark.xlsx --auditor revisor1 --seed 1 --out fylt1.xlsx
    python scripts/fill_audit_worksheet.py ark.xlsx --auditor revisor2 --seed 2 \
        --like fylt1.xlsx --agreement 0.85 --out fylt2.xlsx

There is no record to read, so the "auditor" decides by chance, seeded: an episode kodevakt
had findings on is changed more often (55 %) than one without (12 %); 3 % cannot be
assessed. A change is one a real review makes (main condition replaced, a secondary
condition added or removed, sequencing, a procedure removed, documentation missing), with
its reason marked. `--like` makes a second auditor who agrees with the first one's verdict
on each episode with probability `--agreement` and decides anew otherwise, so that the
report has a kappa to show. The same arguments give the same file.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from openpyxl import load_workbook

from kodevakt.audit.review import REASON_TEXT, VERDICT_TEXT, Reason, Verdict
from kodevakt.audit.worksheet import AUDITOR, CODED, COMMENT, MAIN, NUMBER, OTHERS, PROCEDURES
from kodevakt.audit.worksheet import VERDICT as VERDICT_COLUMN
from kodevakt.cells import sheet_cell

COMMON = ("I10", "E11.9", "J44.9", "N18.3", "I48.9", "E03.9")
SPECIFIC = {
    "J18.9": "J15.9",
    "I50.9": "I50.1",
    "E11.9": "E11.6",
    "K35.8": "K35.3",
    "R07.4": "I20.9",
}


def _groups(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def decide(rng: random.Random, flagged: bool, main: str, others: str, procedures: str) -> dict:
    """One auditor's decision on one row: verdict, codes and reasons."""
    chance = rng.random()
    if chance < 0.03:
        return {"verdict": Verdict.NOT_ASSESSABLE, "reasons": set()}
    if chance >= 0.03 + (0.55 if flagged else 0.12):
        return {"verdict": Verdict.RIGHT, "reasons": set()}
    rest, procs = _groups(others), _groups(procedures)
    kinds = [Reason.MAIN, Reason.SECONDARY_MISSING]
    if rest:
        kinds += [Reason.SECONDARY_EXTRA, Reason.SEQUENCE, Reason.DOCUMENTATION]
    if procs:
        kinds.append(Reason.PROCEDURE)
    kind = rng.choice(kinds)
    reasons = {kind}
    if kind is Reason.MAIN:
        first = main.split("+")[0]
        if first in SPECIFIC:
            main = SPECIFIC[first]
        elif rest:
            main, rest = rest[0], rest[1:]
        else:
            main = "R69"
    elif kind is Reason.SECONDARY_MISSING:
        rest.append(rng.choice([c for c in COMMON if c not in rest and c != main] or ["Z92.2"]))
    elif kind is Reason.SECONDARY_EXTRA:
        rest.pop()
    elif kind is Reason.DOCUMENTATION:
        rest.pop()
        reasons.add(Reason.SECONDARY_EXTRA)
    elif kind is Reason.SEQUENCE:
        main, rest[0] = rest[0], main
    else:
        procs.pop()
    return {
        "verdict": Verdict.CHANGED,
        "main": main,
        "others": "; ".join(rest),
        "procedures": "; ".join(procs),
        "reasons": reasons,
    }


def fill(
    path: Path, out: Path, auditor: str, seed: int, like: Path | None, agreement: float
) -> int:
    book = load_workbook(path)
    sheet = book["Revisjon"]
    header = {cell.value: cell.column for cell in sheet[1]}
    earlier: dict[int, dict] = {}
    if like is not None:
        first = load_workbook(like)["Revisjon"]
        first_header = {cell.value: cell.column for cell in first[1]}
        for row in range(2, first.max_row + 1):
            number = first.cell(row, first_header[NUMBER]).value
            earlier[int(number)] = {
                name: first.cell(row, first_header[name]).value
                for name in (VERDICT_COLUMN, MAIN, OTHERS, PROCEDURES, *REASON_TEXT.values())
            }
    filled = 0
    for row in range(2, sheet.max_row + 1):
        number = int(sheet.cell(row, header[NUMBER]).value)
        rng = random.Random(f"{seed}-{number}")

        def value(name: str, row: int = row) -> str:
            return str(sheet.cell(row, header[name]).value or "")

        sheet_cell(sheet.cell(row, header[AUDITOR]), auditor)
        if number in earlier and rng.random() < agreement:
            for name, copied in earlier[number].items():
                sheet_cell(sheet.cell(row, header[name]), copied)
            filled += 1
            continue
        flagged = bool(value("kodevakt-funn"))
        decision = decide(rng, flagged, value(CODED[0]), value(CODED[1]), value(CODED[2]))
        sheet_cell(sheet.cell(row, header[VERDICT_COLUMN]), VERDICT_TEXT[decision["verdict"]])
        if decision["verdict"] is Verdict.CHANGED:
            sheet_cell(sheet.cell(row, header[MAIN]), decision["main"])
            sheet_cell(sheet.cell(row, header[OTHERS]), decision["others"])
            sheet_cell(sheet.cell(row, header[PROCEDURES]), decision["procedures"])
            sheet_cell(sheet.cell(row, header[COMMENT]), "Journalen gjennomgått (demo).")
        for reason in decision["reasons"]:
            sheet_cell(sheet.cell(row, header[REASON_TEXT[reason]]), "x")
        filled += 1
    book.save(out)
    return filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("worksheet", type=Path)
    parser.add_argument("--auditor", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--like", type=Path, default=None)
    parser.add_argument("--agreement", type=float, default=0.85)
    args = parser.parse_args()
    count = fill(args.worksheet, args.out, args.auditor, args.seed, args.like, args.agreement)
    print(f"fylte ut {count} rader som {args.auditor}: {args.out}")


if __name__ == "__main__":
    main()
