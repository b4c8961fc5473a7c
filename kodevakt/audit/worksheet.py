"""The review worksheet: one row per drawn episode, written as xlsx or CSV and read back.

Each row shows the episode as it was coded when drawn (main condition, other conditions,
procedures in the compact notation `J12.8+U07.1; I10`, and the rules kodevakt fired on it),
then the auditor's part: name, verdict (riktig, endret, kan ikke vurderes), the auditor's
codes (filled in with the coded ones, to be edited where they are wrong), one column per
reason for a change (mark with x), and a comment. A second sheet says how the sample was
drawn. The xlsx file offers the verdicts and the mark in drop-down lists, and every text is
stored as text, never a formula (`kodevakt.cells.sheet_cell`); the CSV's cells are
neutralised the same way. The file is the same byte for byte for the same sample.

Reading back (`read_worksheet`): a row whose verdict is empty, whose codes are unchanged and
which has no mark is not reviewed yet and is skipped. Changed codes or a mark without a
verdict count as `endret`; `riktig` with changed codes is a contradiction and is refused.
Every problem names the file, row and column; nothing is stored when there is one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kodevakt.audit.review import (
    REASON_TEXT,
    VERDICT_OF_TEXT,
    VERDICT_TEXT,
    Coding,
    Contradiction,
    Reason,
    Verdict,
    settled,
)
from kodevakt.audit.samples import describe
from kodevakt.cells import SafeCsvWriter, sheet_cell
from kodevakt.codes.tabular import header_key, read_table
from kodevakt.episodes.model import Episode
from kodevakt.episodes.notation import parse_conditions
from kodevakt.errors import InputError, KodevaktError
from kodevakt.report.atomic import replaced_binary, replaced_text
from kodevakt.storage.audits import ReviewRow, SampleEpisode, StoredSample
from kodevakt.storage.content import episode_from_content

SAMPLE = "Utvalg"
NUMBER = "Nr"
EPISODE = "Episode"
AUDITOR = "Revisor"
VERDICT = "Vurdering"
MAIN = "Hovedtilstand (revisor)"
OTHERS = "Andre tilstander (revisor)"
PROCEDURES = "Prosedyrer (revisor)"
COMMENT = "Kommentar"
CODED = ("Kodet hovedtilstand", "Kodet andre tilstander", "Kodet prosedyrer")
REASONS = tuple(REASON_TEXT[r] for r in Reason)
MARK = "x"
UNMARKED = frozenset({"", "nei", "n", "0", "-"})

# (header, width): the episode as drawn, then the auditor's columns
COLUMNS: tuple[tuple[str, int], ...] = (
    (SAMPLE, 7),
    (NUMBER, 5),
    (EPISODE, 16),
    ("Institusjon", 12),
    ("Avdeling", 12),
    ("Innskrevet", 11),
    ("Utskrevet", 11),
    ("Omsorgsnivå", 11),
    ("Kjønn", 6),
    ("Alder", 6),
    ("Stratum", 18),
    ("Inklusjonssannsynlighet", 12),
    (CODED[0], 20),
    (CODED[1], 28),
    (CODED[2], 24),
    ("kodevakt-funn", 14),
    (AUDITOR, 12),
    (VERDICT, 16),
    (MAIN, 20),
    (OTHERS, 28),
    (PROCEDURES, 24),
    *((reason, 12) for reason in REASONS),
    (COMMENT, 40),
)
HEADERS = tuple(name for name, _ in COLUMNS)
FIRST_AUDITOR_COLUMN = HEADERS.index(AUDITOR)
_CARE = {"inpatient": "døgn", "day": "dag", "outpatient": "poliklinikk"}
FIXED_TIME = "2000-01-01T00:00:00Z"  # the workbook's stated times: the same file every time


@dataclass(frozen=True, slots=True)
class Sheet:
    """A worksheet's content: the sample and its episodes, and the auditor named on it."""

    sample: StoredSample
    episodes: Sequence[SampleEpisode]
    auditor: str = ""


def coded(episode: SampleEpisode) -> Coding:
    """The drawn episode's codes as they were when drawn."""
    found = _episode(episode)
    return Coding.of(found.conditions, [group.codes for group in found.procedures])


def _episode(episode: SampleEpisode) -> Episode:
    return episode_from_content(episode.content, None)


def _groups(groups: Sequence[Sequence[str]]) -> str:
    return "; ".join("+".join(group) for group in groups)


def row_cells(sample: StoredSample, drawn: SampleEpisode, auditor: str) -> list[object]:
    """One row's cells in `COLUMNS` order."""
    found = _episode(drawn)
    codes = Coding.of(found.conditions, [group.codes for group in found.procedures])
    main, others = _groups(codes.conditions[:1]), _groups(codes.conditions[1:])
    procedures = _groups(codes.procedures)
    return [
        sample.id,
        drawn.position,
        drawn.episode_id,
        drawn.institution,
        drawn.department or "",
        found.admission.date() if found.admission else None,
        found.discharge.date() if found.discharge else None,
        _CARE.get(str(found.care_level), found.care_level_raw or ""),
        found.patient.sex_raw or (found.patient.sex.value if found.patient.sex else ""),
        found.age_years,
        drawn.stratum,
        round(drawn.probability, 6),
        main,
        others,
        procedures,
        " ".join(drawn.rules),
        auditor,
        "",
        main,
        others,
        procedures,
        *("" for _ in REASONS),
        "",
    ]


def about_lines(sheet: Sheet) -> list[str]:
    sample = sheet.sample
    place = f", institusjon {sample.institution}" if sample.institution else ""
    lines = [
        f"Journalrevisjon: utvalg {sample.id}, periode {sample.period}{place}",
        f"Utvalget: {describe(sample)}, {sample.sampled} av {sample.population} episoder, "
        f"frø {sample.seed}.",
        "Fyll ut én rad per episode: Revisor, Vurdering (riktig, endret eller kan ikke "
        "vurderes), rett revisorkolonnene der kodingen er feil, og merk årsaken til hver "
        f"endring med {MARK}. Kodene skrives som i kodevakt: grupper skilles med «;», koder "
        "i samme gruppe med «+» (J12.8+U07.1; I10).",
        "Les utfylt ark inn med: kodevakt audit import FIL. To revisorer kan vurdere det "
        "samme utvalget; hver fyller ut sin egen kopi.",
        "Inklusjonssannsynligheten er sjansen episoden hadde for å bli trukket; rapporten "
        "vekter med den, så anslagene gjelder hele perioden.",
        "",
        "Stratum;Episoder i perioden;Trukket",
        *(f"{name};{sample.populations[name]};{sample.drawn[name]}" for name in sample.populations),
    ]
    return lines


def write_worksheet(sheet: Sheet, path: Path) -> int:
    """Write the worksheet as xlsx or CSV, chosen by the suffix; returns the rows written."""
    suffix = path.suffix.lower()
    rows = [row_cells(sheet.sample, e, sheet.auditor) for e in sheet.episodes]
    if suffix == ".xlsx":
        data = _xlsx(sheet, rows)
        with replaced_binary(path) as stream:
            stream.write(data)
    elif suffix == ".csv":
        with replaced_text(path, encoding="utf-8-sig", newline="") as stream:
            writer = SafeCsvWriter(stream, lineterminator="\r\n")
            writer.writerow(HEADERS)
            for row in rows:
                writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    else:
        raise ValueError(f"unknown worksheet extension {suffix!r}: use .xlsx or .csv")
    return len(rows)


def _xlsx(sheet: Sheet, rows: list[list[object]]) -> bytes:
    """The workbook's bytes, the same every time for the same rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    main = book.active
    main.title = "Revisjon"
    coded_fill = PatternFill("solid", fgColor="EEF1F4")
    auditor_fill = PatternFill("solid", fgColor="FFF8DC")
    bold = Font(bold=True)
    for column, (name, width) in enumerate(COLUMNS, start=1):
        cell = main.cell(1, column)
        sheet_cell(cell, name)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = auditor_fill if column > FIRST_AUDITOR_COLUMN else coded_fill
        main.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = main.cell(number, column)
            sheet_cell(cell, value)
            if isinstance(value, date):
                cell.number_format = "DD.MM.YYYY"
            if column > FIRST_AUDITOR_COLUMN:
                cell.fill = auditor_fill
    main.freeze_panes = "D2"
    last = len(rows) + 1
    main.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    verdicts = DataValidation(
        type="list",
        formula1='"' + ",".join(VERDICT_TEXT.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Vurdering",
        error="Velg riktig, endret eller kan ikke vurderes.",
    )
    marks = DataValidation(type="list", formula1=f'"{MARK}"', allow_blank=True)
    letter = get_column_letter(HEADERS.index(VERDICT) + 1)
    verdicts.add(f"{letter}2:{letter}{max(last, 2)}")
    first = get_column_letter(HEADERS.index(REASONS[0]) + 1)
    final = get_column_letter(HEADERS.index(REASONS[-1]) + 1)
    marks.add(f"{first}2:{final}{max(last, 2)}")
    main.add_data_validation(verdicts)
    main.add_data_validation(marks)
    about = book.create_sheet("Om utvalget")
    about.column_dimensions["A"].width = 110
    for number, line in enumerate(about_lines(sheet), start=1):
        sheet_cell(about.cell(number, 1), line)
    buffer = io.BytesIO()
    book.save(buffer)
    return _same_every_time(buffer.getvalue())


def _same_every_time(data: bytes) -> bytes:
    """The workbook with its stated times and the zip entries' times fixed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>" + FIXED_TIME.encode() + rb"\g<3>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, content)
    return out.getvalue()


# -- reading a filled worksheet ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadSheet:
    """What a filled worksheet holds: its sample, the reviews, and the rows not reviewed."""

    sample_id: int
    reviews: tuple[ReviewRow, ...]
    skipped: int
    derived: int  # rows counted as changed without the verdict written


def read_worksheet(
    path: Path, sample: StoredSample, episodes: Sequence[SampleEpisode], auditor: str | None
) -> ReadSheet:
    """The reviews in the filled worksheet `path` of `sample` (`auditor`: the name for rows
    that give none). Raises `InputError` naming file, row and column on the first problem."""
    try:
        table = read_table(path, frozenset(header_key(h) for h in HEADERS))
    except KodevaktError as exc:
        raise InputError(exc.message, file=path.name, line=exc.line, field=exc.field) from None
    columns = {header_key(name): name for name in table.columns}
    missing = [
        name
        for name in (NUMBER, VERDICT, MAIN, OTHERS, PROCEDURES, *REASONS)
        if header_key(name) not in columns
    ]
    if missing:
        raise InputError(
            "arket mangler kolonnene "
            + ", ".join(f"«{m}»" for m in missing)
            + "; bruk arket kodevakt audit sample eller audit worksheet skrev",
            file=path.name,
        )
    by_position = {e.position: e for e in episodes}
    reviews: list[ReviewRow] = []
    seen: set[tuple[int, str]] = set()
    skipped = derived = 0
    for number, values in table.rows:
        row = _Row(path.name, number, values, columns)
        sample_text = row.text(SAMPLE)
        if sample_text and sample_text != str(sample.id):
            raise row.error(SAMPLE, f"raden hører til utvalg {sample_text}, ikke {sample.id}")
        position = row.integer(NUMBER)
        drawn = by_position.get(position)
        if drawn is None:
            raise row.error(NUMBER, f"utvalg {sample.id} har ingen episode nr. {position}")
        episode_text = row.text(EPISODE)
        if episode_text and episode_text != drawn.episode_id:
            raise row.error(EPISODE, f"episode nr. {position} i utvalget er en annen episode")
        before = coded(drawn)
        after = Coding.of(
            parse_conditions(row.text(MAIN)) + parse_conditions(row.text(OTHERS)),
            parse_conditions(row.text(PROCEDURES)),
        )
        reasons = frozenset(r for r, name in zip(Reason, REASONS, strict=True) if row.marked(name))
        written = row.verdict()
        try:
            verdict = settled(before, after, written, reasons)
        except Contradiction as exc:
            raise row.error(MAIN if exc.field == "main" else VERDICT, str(exc)) from None
        if verdict is None:
            skipped += 1
            continue
        derived += written is None
        name = row.text(AUDITOR) or (auditor or "")
        if not name:
            raise row.error(
                AUDITOR, "revisorens navn mangler; skriv det i arket eller bruk --auditor"
            )
        if (position, name) in seen:
            raise row.error(NUMBER, f"episode nr. {position} er vurdert to ganger av {name}")
        seen.add((position, name))
        reviews.append(
            ReviewRow(
                position=position,
                auditor=name,
                verdict=verdict.value,
                conditions=[list(g) for g in after.conditions]
                if verdict is Verdict.CHANGED
                else None,
                procedures=[list(g) for g in after.procedures]
                if verdict is Verdict.CHANGED
                else None,
                reasons=tuple(sorted(r.value for r in reasons)),
                comment=row.text(COMMENT) or None,
            )
        )
    return ReadSheet(sample.id, tuple(reviews), skipped, derived)


def sample_of(path: Path) -> int:
    """The sample number the worksheet's rows name (its `Utvalg` column)."""
    try:
        table = read_table(path, frozenset(header_key(h) for h in HEADERS))
    except KodevaktError as exc:
        raise InputError(exc.message, file=path.name, line=exc.line, field=exc.field) from None
    columns = {header_key(name): name for name in table.columns}
    found = {
        _Row(path.name, number, values, columns).text(SAMPLE) for number, values in table.rows
    } - {""}
    if len(found) != 1:
        what = "ingen" if not found else "flere (" + ", ".join(sorted(found)) + ")"
        raise InputError(
            f"arket nevner {what} utvalg i kolonnen «{SAMPLE}»; oppgi utvalget med --sample",
            file=path.name,
        )
    text = found.pop()
    if not text.isdigit():
        raise InputError(f"utvalget «{text}» er ikke et nummer", file=path.name, field=SAMPLE)
    return int(text)


class _Row:
    """One row of the filled sheet, read by header name."""

    def __init__(
        self, file: str, number: int, values: dict[str, object], columns: dict[str, str]
    ) -> None:
        self.file, self.number, self.values, self.columns = file, number, values, columns

    def text(self, name: str) -> str:
        value = self.values.get(self.columns.get(header_key(name), ""))
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def integer(self, name: str) -> int:
        text = self.text(name)
        if not text.isdigit():
            raise self.error(name, f"«{text}» er ikke et radnummer" if text else "mangler")
        return int(text)

    def marked(self, name: str) -> bool:
        return self.text(name).casefold() not in UNMARKED

    def verdict(self) -> Verdict | None:
        text = self.text(VERDICT).casefold()
        if not text:
            return None
        found = VERDICT_OF_TEXT.get(text) or next((v for v in Verdict if v.value == text), None)
        if found is None:
            choices = ", ".join(VERDICT_TEXT.values())
            raise self.error(VERDICT, f"«{self.text(VERDICT)}» er ikke en vurdering ({choices})")
        return found

    def error(self, name: str, message: str) -> InputError:
        return InputError(message, file=self.file, line=self.number, field=name)
