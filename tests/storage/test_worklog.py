"""The worklog on both databases: filters, order, paging, assignment, due dates, each status
change and its rules, changes to a selection in one transaction, the audit log, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from kodevakt.batch.deadlines import DeadlineRule
from kodevakt.pipeline import Pipeline
from kodevakt.rules.finding import Finding, Severity
from kodevakt.storage import FindingStatus, StorageError, Store, UnknownFinding, resolve_url
from kodevakt.storage import worklog as wl
from kodevakt.storage.database import MIGRATIONS
from kodevakt.storage.worklog import ChangeRefused, EventKind, WorkFilter
from tests.storage.helpers import CLEAN, CORRECTED, WRONG, episode, write_jsonl

OTHER = "983974899"  # a second institution
HOME = "974557746"  # the helpers' institution


@dataclass(frozen=True)
class Work:
    """An imported period and the keys of its findings by episode id and rule."""

    store: Store
    pipeline: Pipeline
    path: Path
    keys: dict[tuple[str, str], str]

    def key(self, episode_id: str, rule: str) -> str:
        return self.keys[(episode_id, rule)]

    def status(self, key: str) -> FindingStatus:
        return wl.work_item(self.store.engine, key).status


def _episodes(wrong: dict[str, list[list[str]]] | None = None) -> list[dict[str, object]]:
    """ep-1 (MED), ep-2 (KIR) and ep-3 (other institution) with T02 (error); ep-5 with a
    warning (T29) and an info (T13); ep-6 clean."""
    fixed = wrong or {}
    return [
        episode("ep-1", fixed.get("ep-1", WRONG)),
        episode("ep-2", fixed.get("ep-2", WRONG), department="KIR"),
        episode("ep-3", fixed.get("ep-3", WRONG), institution=OTHER),
        episode(
            "ep-5",
            [["J18.9"], ["U07.1"]],
            care_level="inpatient",
            admission="2025-03-01T10:00",
            discharge="2025-03-04T10:00",
        ),
        episode("ep-6", CLEAN),
    ]


@pytest.fixture
def work(store: Store, pipeline: Pipeline, tmp_path: Path) -> Work:
    path = write_jsonl(tmp_path / "t1.jsonl", list(_episodes()))
    assert not pipeline.import_files([path], "2025T1").failed
    # a finding about a unit: its episodes are in two departments, so it has none
    unit = Finding("", "X90", "enhet", Severity.WARNING, "Enhetsfunn", (), "enhet", "kilde", None,
                   2025, episodes=("ep-1", "ep-2"))  # fmt: skip
    store.add_findings("2025T1", [unit], rules=["X90"])
    keys = {(f.finding.episode_id, f.finding.rule): f.key for f in store.findings()}
    return Work(store, pipeline, path, keys)


def _listed(
    work: Work, filters: WorkFilter | None = None, *, offset: int = 0, limit: int = wl.PAGE
) -> list[str]:
    page = wl.work_items(work.store.engine, filters, offset=offset, limit=limit)
    return [item.key for item in page.items]


def test_filters(work: Work) -> None:
    engine = work.store.engine
    everything = wl.work_items(engine, WorkFilter(), limit=100)
    assert everything.total == len(everything.items) == 6
    t02 = {work.key(e, "T02") for e in ("ep-1", "ep-2", "ep-3")}
    assert set(_listed(work, WorkFilter(rule="t0"))) == t02
    assert set(_listed(work, WorkFilter(severity=Severity.ERROR))) == t02
    assert set(_listed(work, WorkFilter(severity=Severity.WARNING))) == {
        work.key("ep-5", "T29"),
        work.key("", "X90"),
    }
    assert _listed(work, WorkFilter(institution=OTHER)) == [work.key("ep-3", "T02")]
    assert _listed(work, WorkFilter(department="KIR")) == [work.key("ep-2", "T02")]
    assert _listed(work, WorkFilter(episode_id="ep-5", severity=Severity.INFO)) == [
        work.key("ep-5", "T13")
    ]
    assert _listed(work, WorkFilter(period="2025T2")) == []
    wl.ask(engine, [work.key("ep-1", "T02")], "Stemmer diagnosen?", by="kari")
    wl.assign(engine, [work.key("ep-2", "T02")], "ola", by="leder")
    asked = WorkFilter(statuses=(FindingStatus.ASKED,))
    assert _listed(work, asked) == [work.key("ep-1", "T02")]
    both = WorkFilter(statuses=(FindingStatus.ASKED, FindingStatus.OPEN), rule="T02")
    assert set(_listed(work, both)) == t02
    assert _listed(work, WorkFilter(assignee="ola")) == [work.key("ep-2", "T02")]
    assert work.key("ep-2", "T02") not in _listed(work, WorkFilter(assignee=wl.NOBODY))
    assert wl.work_items(engine, WorkFilter(assignee=wl.NOBODY)).total == 5


def test_sorted_by_severity_then_rule_and_place_in_pages(work: Work) -> None:
    stored = list(work.store.findings())
    expected = [
        f.key
        for f in sorted(
            stored,
            key=lambda f: (
                -f.finding.severity.rank,
                f.finding.rule,
                f.institution or "",
                f.department or "",
                f.finding.episode_id,
                f.key,
            ),
        )
    ]
    assert _listed(work, limit=100) == expected
    severities = [i.stored.finding.severity for i in wl.work_items(work.store.engine).items]
    assert severities[:3] == [Severity.ERROR] * 3 and severities[-1] is Severity.INFO
    # the T02 errors at the home institution (KIR before MED) before the other's
    assert expected[:3] == [work.key(e, "T02") for e in ("ep-2", "ep-1", "ep-3")]
    pages = [_listed(work, offset=start, limit=4) for start in (0, 4, 8)]
    assert pages[0] + pages[1] == expected and pages[2] == []
    page = wl.work_items(work.store.engine, offset=4, limit=4)
    assert (page.total, page.offset, page.limit, len(page.items)) == (6, 4, 4, 2)
    with pytest.raises(StorageError, match="minst ett funn"):
        wl.work_items(work.store.engine, limit=0)


def test_assignment_and_its_audit_log(work: Work) -> None:
    engine = work.store.engine
    keys = [work.key("ep-1", "T02"), work.key("ep-2", "T02")]
    assert wl.assign(engine, keys, " kari ", by="leder") == 2
    assert wl.assign(engine, keys, "kari", by="leder") == 0  # no change, no event
    assert [wl.work_item(engine, k).assignee for k in keys] == ["kari", "kari"]
    assert wl.assign(engine, keys[:1], "ola", by="leder") == 1
    assert wl.assign(engine, keys[:1], None, by="kari") == 1
    log = wl.events(engine, keys[0])
    assert [(e.kind, e.old, e.new, e.by) for e in log] == [
        (EventKind.ASSIGNEE, None, "kari", "leder"),
        (EventKind.ASSIGNEE, "kari", "ola", "leder"),
        (EventKind.ASSIGNEE, "ola", None, "kari"),
    ]
    assert [e.describe() for e in log] == [
        "tildelt: ingen → kari",
        "tildelt: kari → ola",
        "tildelt: ola → ingen",
    ]
    assert all(e.from_status is e.to_status is FindingStatus.OPEN for e in log)
    assert wl.work_item(engine, keys[0]).status is FindingStatus.OPEN  # status untouched
    # a status-only reader of the log still sees only status changes
    assert [e.kind for e in wl.events(engine, keys[1])] == [EventKind.ASSIGNEE]
    with pytest.raises(StorageError, match="hvem funnet tildeles"):
        wl.assign(engine, keys, "  ", by="leder")
    with pytest.raises(StorageError, match="hvem som gjør endringen"):
        wl.assign(engine, keys, "kari", by="")


def test_due_date_is_the_period_deadline_unless_set(work: Work) -> None:
    engine = work.store.engine
    key = work.key("ep-1", "T02")
    item = wl.work_item(engine, key, deadlines=DeadlineRule())
    assert (item.due, item.due_set) == (date(2025, 5, 23), False)
    later = DeadlineRule.parse("2025T1=2025-06-10")
    assert wl.work_item(engine, key, deadlines=later).due == date(2025, 6, 10)
    assert wl.set_due(engine, [key], date(2025, 6, 1), by="leder") == 1
    item = wl.work_item(engine, key, deadlines=later)
    assert (item.due, item.due_set) == (date(2025, 6, 1), True)
    assert item.to_dict()["due"] == "2025-06-01"
    assert wl.set_due(engine, [key], None, by="leder") == 1
    assert wl.work_item(engine, key, deadlines=DeadlineRule()).due == date(2025, 5, 23)
    log = wl.events(engine, key)
    assert [(e.kind, e.old, e.new) for e in log] == [
        (EventKind.DUE_DATE, None, "2025-06-01"),
        (EventKind.DUE_DATE, "2025-06-01", None),
    ]
    assert log[0].describe() == "frist: periodens frist → 01.06.2025"


def test_accept_needs_a_comment_and_who(work: Work) -> None:
    engine = work.store.engine
    key = work.key("ep-1", "T02")
    with pytest.raises(StorageError, match="kommentar"):
        wl.accept(engine, [key], "   ", by="kari")
    with pytest.raises(StorageError, match="hvem som gjør endringen"):
        wl.accept(engine, [key], "Dokumentert", by=" ")
    with pytest.raises(StorageError, match="lengre enn 4000 tegn"):
        wl.accept(engine, [key], "x" * 4001, by="kari")
    assert wl.events(engine, key) == []  # refused changes leave no trace
    assert wl.accept(engine, [key], "Dokumentert i epikrisen", by="kari") == 1
    item = wl.work_item(engine, key)
    assert (item.status, item.stored.comment, item.stored.by) == (
        FindingStatus.ACCEPTED,
        "Dokumentert i epikrisen",
        "kari",
    )
    [event] = wl.events(engine, key)
    assert (event.kind, event.from_status, event.to_status, event.comment, event.by) == (
        EventKind.STATUS,
        FindingStatus.OPEN,
        FindingStatus.ACCEPTED,
        "Dokumentert i epikrisen",
        "kari",
    )
    assert event.describe() == "åpen → godtatt"
    # accepted again with a better comment: a new event, the new comment
    assert wl.accept(engine, [key], "Bekreftet av overlege", by="ola") == 1
    assert wl.work_item(engine, key).stored.comment == "Bekreftet av overlege"
    assert wl.reopen(engine, [key], by="leder", comment="Se på nytt") == 1
    assert wl.reopen(engine, [key], by="leder") == 0  # open already
    assert [(e.from_status, e.to_status) for e in wl.events(engine, key)][-1] == (
        FindingStatus.ACCEPTED,
        FindingStatus.OPEN,
    )


def test_ask_the_doctor_then_answer_then_accept(work: Work) -> None:
    engine = work.store.engine
    key = work.key("ep-5", "T29")
    with pytest.raises(StorageError, match="spørsmålet til legen må fylles ut"):
        wl.ask(engine, [key], "", by="kari")
    with pytest.raises(ChangeRefused, match=f"funnet {key} er åpen, ikke spurt lege"):
        wl.answer(engine, [key], "Ja", by="kari")
    assert wl.ask(engine, [key], "Var pneumonien bekreftet?", by="kari") == 1
    item = wl.work_item(engine, key)
    assert item.status is FindingStatus.ASKED
    assert item.question is not None
    assert (item.question.text, item.question.asked_by, item.question.answer) == (
        "Var pneumonien bekreftet?",
        "kari",
        None,
    )
    assert wl.answer(engine, [key], "Ja, på CT.", by="ola") == 1
    item = wl.work_item(engine, key)
    assert item.status is FindingStatus.ASKED  # a coder decides what the answer means
    assert item.question is not None
    assert (item.question.answer, item.question.answered_by) == ("Ja, på CT.", "ola")
    assert item.question.answered_at is not None
    assert item.question.answered_at >= item.question.asked_at
    assert item.to_dict()["question"]["answer"] == "Ja, på CT."
    # asking again replaces the question and clears the answer; the log keeps both
    assert wl.ask(engine, [key], "Og covid?", by="kari") == 1
    item = wl.work_item(engine, key)
    assert item.question is not None
    assert (item.question.text, item.question.answer) == ("Og covid?", None)
    assert wl.accept(engine, [key], "Legen bekrefter kodingen", by="kari") == 1
    log = wl.events(engine, key)
    assert [(e.kind, e.from_status, e.to_status) for e in log] == [
        (EventKind.STATUS, FindingStatus.OPEN, FindingStatus.ASKED),
        (EventKind.ANSWER, FindingStatus.ASKED, FindingStatus.ASKED),
        (EventKind.STATUS, FindingStatus.ASKED, FindingStatus.ASKED),
        (EventKind.STATUS, FindingStatus.ASKED, FindingStatus.ACCEPTED),
    ]
    assert [e.comment for e in log] == [
        "Var pneumonien bekreftet?",
        None,
        "Og covid?",
        "Legen bekrefter kodingen",
    ]
    assert log[1].describe() == "svar fra lege: Ja, på CT."
    assert log[0].describe() == "åpen → spurt lege"
    assert [e.by for e in log] == ["kari", "ola", "kari", "kari"]
    # the question and its answer stay on the accepted finding
    assert wl.work_item(engine, key).question is not None
    # the old status API cannot set `asked` without a question
    with pytest.raises(StorageError, match="finding ask"):
        work.store.set_status(key, "asked", by="kari")


def test_fixed_is_set_only_by_an_import(work: Work, tmp_path: Path) -> None:
    engine = work.store.engine
    asked, accepted = work.key("ep-1", "T02"), work.key("ep-2", "T02")
    wl.ask(engine, [asked], "Er koden riktig?", by="kari")
    wl.accept(engine, [accepted], "Riktig", by="kari")
    wl.assign(engine, [asked], "kari", by="leder")
    corrected = write_jsonl(
        tmp_path / "t1-rettet.jsonl", list(_episodes({"ep-1": CORRECTED, "ep-2": CORRECTED}))
    )
    assert not work.pipeline.import_files([corrected], "2025T1").failed
    for key, before in ((asked, FindingStatus.ASKED), (accepted, FindingStatus.ACCEPTED)):
        assert work.status(key) is FindingStatus.FIXED
        last = wl.events(engine, key)[-1]
        assert (last.from_status, last.to_status, last.by) == (before, FindingStatus.FIXED, None)
        assert last.import_id is not None
    assert wl.work_item(engine, asked).assignee == "kari"  # the work on it is kept
    with pytest.raises(ChangeRefused, match=r"er rettet \(ved ny innlesing\) og kan ikke godtas"):
        wl.accept(engine, [asked], "Likevel", by="kari")
    with pytest.raises(ChangeRefused, match="kan ikke sendes som spørsmål til lege"):
        wl.ask(engine, [asked], "Likevel?", by="kari")
    assert wl.reopen(engine, [asked], by="leder", comment="Feil retting") == 1
    assert work.status(asked) is FindingStatus.OPEN
    # the old coding comes back in the next extract: the fixed finding is open again
    assert not work.pipeline.import_files([work.path], "2025T1").failed
    assert work.status(accepted) is FindingStatus.OPEN


def test_approving_a_fix_needs_a_fix_and_is_undone_by_reopening(work: Work) -> None:
    engine = work.store.engine
    fixable, unfixable = work.key("ep-5", "T29"), work.key("ep-1", "T02")
    assert wl.work_item(engine, fixable).stored.finding.fix is not None
    assert wl.work_item(engine, unfixable).stored.finding.fix is None
    with pytest.raises(ChangeRefused, match=f"funnet {unfixable} har ikke noe rettingsforslag"):
        wl.approve(engine, [fixable, unfixable], by="kari")
    assert work.status(fixable) is FindingStatus.OPEN  # the selection changed whole or not
    assert wl.events(engine, fixable) == []
    with pytest.raises(StorageError, match="hvem som gjør endringen"):
        wl.approve(engine, [fixable], by=" ")
    assert wl.approve(engine, [fixable], by="kari") == 1
    assert wl.approve(engine, [fixable], by="kari") == 0  # approved already: no new event
    item = wl.work_item(engine, fixable)
    assert (item.status, item.stored.by, item.stored.comment) == (
        FindingStatus.APPROVED,
        "kari",
        None,
    )
    assert wl.work_items(engine, WorkFilter(statuses=(FindingStatus.APPROVED,))).total == 1
    # approved is the opposite of accepted: neither becomes the other without reopening
    first = r"\(åpne det igjen først\)"
    with pytest.raises(ChangeRefused, match=f"har godkjent retting {first} og kan ikke godtas"):
        wl.accept(engine, [fixable], "Riktig likevel", by="kari")
    with pytest.raises(ChangeRefused, match="kan ikke sendes som spørsmål til lege"):
        wl.ask(engine, [fixable], "Stemmer det?", by="kari")
    # the CLI's accept goes through the same rules
    with pytest.raises(ChangeRefused, match=f"har godkjent retting {first} og kan ikke godtas"):
        work.store.set_status(fixable, "accepted", comment="Riktig", by="kari")
    with pytest.raises(StorageError, match="finding approve"):
        work.store.set_status(unfixable, "approved", by="kari")
    assert wl.reopen(engine, [fixable], by="ola", comment="Feil retting") == 1
    # from asked, with a comment
    wl.ask(engine, [fixable], "Var covid-19 bekreftet?", by="kari")
    assert wl.approve(engine, [fixable], by="kari", comment="Legen bekrefter") == 1
    assert wl.work_item(engine, fixable).stored.comment == "Legen bekrefter"
    log = wl.events(engine, fixable)
    assert [(e.from_status, e.to_status, e.by, e.comment) for e in log] == [
        (FindingStatus.OPEN, FindingStatus.APPROVED, "kari", None),
        (FindingStatus.APPROVED, FindingStatus.OPEN, "ola", "Feil retting"),
        (FindingStatus.OPEN, FindingStatus.ASKED, "kari", "Var covid-19 bekreftet?"),
        (FindingStatus.ASKED, FindingStatus.APPROVED, "kari", "Legen bekrefter"),
    ]
    assert log[0].describe() == "åpen → retting godkjent"
    # an accepted finding is reopened before its fix can be approved
    wl.reopen(engine, [fixable], by="kari")
    wl.accept(engine, [fixable], "Riktig", by="kari")
    with pytest.raises(ChangeRefused, match=f"er godtatt {first} og kan ikke få rettingen"):
        wl.approve(engine, [fixable], by="kari")


def test_an_approved_finding_stays_until_the_corrected_coding_is_imported(
    work: Work, tmp_path: Path
) -> None:
    engine = work.store.engine
    key = work.key("ep-5", "T29")
    wl.approve(engine, [key], by="kari")
    assert not work.pipeline.import_files([work.path], "2025T1").failed  # not corrected yet
    assert work.status(key) is FindingStatus.APPROVED
    fix = wl.work_item(engine, key).stored.finding.fix
    assert fix is not None and fix.conditions is not None
    records = _episodes()
    records[3]["conditions"] = [list(group) for group in fix.conditions]  # ep-5 corrected
    path = write_jsonl(tmp_path / "t1-rettet.jsonl", list(records))
    assert not work.pipeline.import_files([path], "2025T1").failed
    assert work.status(key) is FindingStatus.FIXED
    last = wl.events(engine, key)[-1]
    assert (last.from_status, last.to_status, last.by) == (
        FindingStatus.APPROVED,
        FindingStatus.FIXED,
        None,
    )
    assert last.import_id is not None


def test_a_selection_changes_whole_or_not_at_all(work: Work, tmp_path: Path) -> None:
    engine = work.store.engine
    errors = [work.key(e, "T02") for e in ("ep-1", "ep-2", "ep-3")]
    corrected = write_jsonl(tmp_path / "t1-rettet.jsonl", list(_episodes({"ep-3": CORRECTED})))
    work.pipeline.import_files([corrected], "2025T1")
    assert work.status(errors[2]) is FindingStatus.FIXED
    before = {k: wl.events(engine, k) for k in errors}
    with pytest.raises(ChangeRefused, match=errors[2]):
        wl.accept(engine, errors, "Alle riktige", by="kari")
    with pytest.raises(UnknownFinding):
        wl.assign(engine, [errors[0], "0123456789abcdef"], "kari", by="leder")
    with pytest.raises(StorageError, match="ingen funn er valgt"):
        wl.assign(engine, [], "kari", by="leder")
    assert {k: wl.events(engine, k) for k in errors} == before
    assert [work.status(k) for k in errors[:2]] == [FindingStatus.OPEN] * 2
    assert wl.work_item(engine, errors[0]).assignee is None
    # the whole selection at once, keys as unique prefixes, a key given twice counts once
    selection = [errors[0][:8], errors[1], errors[1].upper()]
    assert wl.ask(engine, selection, "Gjelder alle tre?", by="kari") == 2
    assert wl.assign(engine, selection, "kari", by="leder") == 2
    assert [work.status(k) for k in errors[:2]] == [FindingStatus.ASKED] * 2
    for key in errors[:2]:
        kinds = [e.kind for e in wl.events(engine, key)]
        assert kinds == [EventKind.STATUS, EventKind.ASSIGNEE]


def test_progress_per_unit_and_period(work: Work) -> None:
    engine = work.store.engine
    wl.accept(engine, [work.key("ep-1", "T02")], "Riktig", by="kari")
    wl.approve(engine, [work.key("ep-5", "T29")], by="kari")
    wl.ask(engine, [work.key("ep-5", "T13")], "Sikker?", by="kari")
    rows = {(p.institution, p.department): p for p in wl.progress(engine, "2025T1")}
    assert set(rows) == {(HOME, None), (HOME, "MED"), (HOME, "KIR"), (OTHER, "MED")}
    med = rows[(HOME, "MED")]
    assert (med.open, med.asked, med.approved, med.accepted, med.fixed) == (0, 1, 1, 1, 0)
    assert (med.total, med.done) == (3, 1)  # an approved fix is done once it is imported
    assert (rows[(HOME, None)].open, rows[(HOME, None)].total) == (1, 1)  # the unit finding
    assert [p.institution for p in wl.progress(engine, "2025T1", institution=OTHER)] == [OTHER]
    assert wl.progress(engine, "2024T3") == []


def test_the_audit_log_holds_no_patient_values(work: Work) -> None:
    engine = work.store.engine
    keys = list(work.keys.values())
    wl.assign(engine, keys, "kari", by="leder")
    wl.ask(engine, keys[:2], "Spørsmål", by="kari")
    with pytest.raises(ChangeRefused) as refused:
        wl.answer(engine, keys, "Svar", by="ola")
    values = {"pas-ep-1", "pas-ep-2", "pas-ep-3", "H36.0", "E10.3", "2025-03-01"}
    texts = [str(refused.value)]
    for key in keys:
        for event in wl.events(engine, key):
            texts += [str(v) for v in event.to_dict().values() if v is not None]
    assert not [t for t in texts if any(v in t for v in values)]


def test_downgrade_drops_the_worklog_and_reopens_asked_findings(work: Work, db_url: str) -> None:
    engine = work.store.engine
    asked = work.key("ep-1", "T02")
    wl.ask(engine, [asked], "Spørsmål", by="kari")
    wl.accept(engine, [work.key("ep-2", "T02")], "Riktig", by="kari")
    wl.assign(engine, [asked], "kari", by="leder")
    work.store.close()
    raw = create_engine(resolve_url(db_url))
    with raw.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
        columns = {c["name"] for c in inspect(conn).get_columns("finding")}
        assert "assignee" not in columns and "question" not in columns
        statuses: dict[str, str] = dict(conn.execute(text("SELECT key, status FROM finding")).all())
        assert statuses[asked] == "open"
        kept = conn.execute(text("SELECT to_status FROM finding_event")).scalars().all()
        assert kept == ["accepted"]
    raw.dispose()
    with Store(db_url) as again:  # opening upgrades again
        assert wl.work_item(again.engine, asked).assignee is None
        assert wl.events(again.engine, asked) == []
