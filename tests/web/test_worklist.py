"""Arbeidsliste: filters, order (severity, then DRG effect), paging, each action on a finding
and on a selection, the audit log on the finding's page, roles, pseudonyms, inert text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kodevakt.drg import load_definitions
from kodevakt.drg.weights import load_weights
from kodevakt.storage import FindingStatus, Store
from kodevakt.storage import worklog as wl
from kodevakt.storage.accounts import Role
from kodevakt.web import worklist_view
from tests.storage.helpers import CORRECTED, WRONG, episode
from tests.web.conftest import make_app
from tests.web.helpers import USERS, WebClient
from tests.web.worklist_data import HOME, OTHER, PERIOD, Imported, import_records, period_episodes

DRG_TABLES = (
    Path(__file__).resolve().parents[1] / "fixtures" / "drg" / "DefinitionData_TEST_2020.json"
)
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def imported(app_db: Path) -> Imported:
    return import_records(app_db, period_episodes())


def listed(page: str) -> list[str]:
    """The keys of the list's rows, in order."""
    return re.findall(r'<tr data-key="([0-9a-f]+)"', page)


def text_of(page: str) -> str:
    """The page's text without markup, spaces collapsed (entities decoded)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))).strip()


def attribute(pattern: str, page: str) -> str:
    """The (unescaped) value `pattern`'s group finds in the page."""
    found = re.search(pattern, page)
    assert found is not None, pattern
    return html.unescape(found[1])


def status_of(app_db: Path, key: str) -> FindingStatus:
    with Store(f"sqlite:///{app_db}") as store:
        return wl.work_item(store.engine, key).status


def audit_rows(page: str) -> list[str]:
    """The audit log's rows as text: when, who, change, comment."""
    table = page.split('<table class="audit"', 1)[1].split("</table>", 1)[0]
    return [text_of(row) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]]


# -- the list -------------------------------------------------------------------------------


def test_without_filters_the_latest_period_s_work_is_listed_most_severe_first(
    client: WebClient, imported: Imported
) -> None:
    page = client.get("/arbeidsliste")
    assert page.status_code == 200
    keys = listed(page.text)
    # T02 errors (HOME KIR, HOME MED, OTHER), then the warning, then the info
    assert keys == [
        imported.key("ep-2", "T02"),
        imported.key("ep-1", "T02"),
        imported.key("ep-3", "T02"),
        imported.key("ep-5", "T29"),
        imported.key("ep-5", "T13"),
    ]
    text = text_of(page.text)
    assert "5 funn." in text and "Sortert etter alvorlighet." in text
    assert "Stjernekode uten sverdkode foran seg i samme gruppe" in text  # the rule's title
    assert "ep-1 pasient pas-ep-1" in text  # a coder sees the patient id
    assert "23.05.2025" in text  # due: the period's correction deadline
    assert 'option value="2025T1" selected' in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"institusjon": OTHER}, [("ep-3", "T02")]),
        ({"institusjon": HOME, "avdeling": "KIR"}, [("ep-2", "T02")]),
        ({"regel": "t2"}, [("ep-5", "T29")]),
        ({"alvorlighet": "info"}, [("ep-5", "T13")]),
        ({"periode": "2024T3"}, []),
    ],
)
def test_filters_narrow_the_list(
    client: WebClient,
    imported: Imported,
    query: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    page = client.get("/arbeidsliste", params={"periode": PERIOD, **query})
    assert listed(page.text) == [imported.key(*found) for found in expected]
    if not expected:
        assert "Ingen funn passer til filteret." in page.text


def test_status_filter_and_no_status_meaning_every_status(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    accepted = imported.key("ep-1", "T02")
    with Store(f"sqlite:///{app_db}") as store:
        wl.accept(store.engine, [accepted], "Dokumentert i epikrisen", by="koder")
    assert accepted not in listed(client.get("/arbeidsliste").text)  # default: work to do
    only = client.get("/arbeidsliste", params={"periode": PERIOD, "status": "accepted"})
    assert listed(only.text) == [accepted]
    every = client.get("/arbeidsliste", params={"periode": PERIOD})  # the form, none ticked
    assert len(listed(every.text)) == 5


def test_the_mine_shortcut_lists_what_is_assigned_to_the_user(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    mine = imported.key("ep-3", "T02")
    with Store(f"sqlite:///{app_db}") as store:
        wl.assign(store.engine, [mine], "koder", by="leder")
    page = client.get("/arbeidsliste")
    link = attribute(r'<a href="([^"]+)">Mine funn</a>', page.text)
    assert listed(client.get(link).text) == [mine]
    nobody = client.get("/arbeidsliste", params={"periode": PERIOD, "tildelt": ":ingen"})
    assert mine not in listed(nobody.text) and len(listed(nobody.text)) == 4


def test_a_filter_value_that_cannot_be_used_is_named_at_its_field(
    client: WebClient, imported: Imported
) -> None:
    page = client.get("/arbeidsliste", params={"periode": "2025X9", "regel": SCRIPT})
    assert page.status_code == 200
    assert 'id="periode-feil">Skriv perioden som tertial (2025T1)' in page.text
    assert 'id="regel-feil">Skriv en regelkode (T02) eller starten av en (T).' in page.text
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    assert len(listed(page.text)) == 5  # the other filters still apply


def test_a_long_list_comes_a_page_at_a_time(client: WebClient, app_db: Path) -> None:
    records = [episode(f"ep-{n:03}", WRONG) for n in range(60)]
    import_records(app_db, records)
    first = client.get("/arbeidsliste")
    assert len(listed(first.text)) == 50
    assert "60 funn, side 1 av 2." in text_of(first.text)
    second = client.get(attribute(r'<a href="([^"]+)" rel="next">', first.text))
    assert len(listed(second.text)) == 10
    assert not set(listed(first.text)) & set(listed(second.text))


# -- one finding ----------------------------------------------------------------------------


def test_the_finding_page_shows_details_suggestion_due_date_and_an_empty_log(
    client: WebClient, imported: Imported
) -> None:
    key = imported.key("ep-1", "T02")
    page = client.get(f"/arbeidsliste/{key}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "T02 Stjernekode uten sverdkode foran seg i samme gruppe" in text
    assert "Stjernekoden H36.0 Diabetisk retinopati står alene" in text
    assert "Frist 23.05.2025 (periodens rettefrist)" in text
    assert "Pasient pas-ep-1" in text and "Kodet H36.0" in text
    assert "Ingen endringer ennå." in text
    assert "Legen er ikke spurt om dette funnet." in text


def test_a_key_prefix_leads_to_the_finding_and_an_unknown_key_is_404(
    client: WebClient, imported: Imported
) -> None:
    key = imported.key("ep-1", "T02")
    moved = client.get(f"/arbeidsliste/{key[:8].upper()}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/arbeidsliste/{key}"
    missing = client.get("/arbeidsliste/ffffffffffffffff")
    assert missing.status_code == 404 and "Fant ikke funnet." in missing.text


def test_accepting_needs_a_comment_said_at_the_field(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    key = imported.key("ep-1", "T02")
    refused = client.post_form(f"/arbeidsliste/{key}/godta", {"kommentar": "   "})
    assert refused.status_code == 400
    assert 'id="kommentar-feil">Skriv en kommentar: hvorfor er kodingen riktig?' in refused.text
    assert 'aria-invalid="true" aria-describedby="kommentar-feil"' in refused.text
    assert status_of(app_db, key) is FindingStatus.OPEN

    done = client.post_form(f"/arbeidsliste/{key}/godta", {"kommentar": "Dokumentert i epikrisen"})
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Funnet er godtatt." in page.text
    assert status_of(app_db, key) is FindingStatus.ACCEPTED
    [row] = audit_rows(page.text)
    assert "koder åpen → godtatt Dokumentert i epikrisen" in row


def test_ask_answer_reopen_and_assign_each_appear_in_the_audit_log(
    client_as: Callable[[Role], WebClient], imported: Imported, app_db: Path
) -> None:
    lead = client_as(Role.LEAD)
    key = imported.key("ep-5", "T29")
    url = f"/arbeidsliste/{key}"
    assert lead.post_form(f"{url}/tildel", {"tildelt": "koder"}).status_code == 303
    asked = lead.post_form(f"{url}/spor", {"sporsmal": "Var covid-19 bekreftet?"})
    assert asked.headers["location"].startswith(f"{url}?melding=spurt")
    page = lead.get(url).text
    assert "Svar" not in text_of(page).split("Spørsmål til lege")[1].split("Handlinger")[0]
    assert lead.post_form(f"{url}/svar", {"svar": "Ja, PCR 1.3."}).status_code == 303
    assert lead.post_form(f"{url}/gjenapne", {"kommentar": ""}).status_code == 303
    page = lead.get(url).text
    text = text_of(page)
    assert "Spørsmål fra leder" in text and "Var covid-19 bekreftet?" in text
    assert "Svar registrert av leder" in text and "Ja, PCR 1.3." in text
    changes = audit_rows(page)
    assert [row.split(" leder ", 1)[1] for row in changes] == [
        "tildelt: ingen → koder",
        "åpen → spurt lege Var covid-19 bekreftet?",
        "svar fra lege: Ja, PCR 1.3.",
        "spurt lege → åpen",
    ]
    assert status_of(app_db, key) is FindingStatus.OPEN


@pytest.mark.parametrize(
    ("action", "field", "message"),
    [
        ("spor", "sporsmal", "Skriv spørsmålet til legen."),
        ("svar", "svar", "Skriv legens svar."),
    ],
)
def test_a_question_or_answer_left_empty_is_said_at_its_field(
    client: WebClient, imported: Imported, action: str, field: str, message: str
) -> None:
    key = imported.key("ep-1", "T02")
    if action == "svar":
        client.post_form(f"/arbeidsliste/{key}/spor", {"sporsmal": "Hva viser journalen?"})
    refused = client.post_form(f"/arbeidsliste/{key}/{action}", {field: ""})
    assert refused.status_code == 400
    assert f'id="{field}-feil">{message}' in refused.text


def test_a_change_the_status_does_not_allow_says_why_and_changes_nothing(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    key = imported.key("ep-1", "T02")
    refused = client.post_form(f"/arbeidsliste/{key}/svar", {"svar": "Ja"})
    assert refused.status_code == 409
    assert f"Funnet {key} er åpen, ikke spurt lege; still spørsmålet først." in refused.text
    assert status_of(app_db, key) is FindingStatus.OPEN


def test_a_fixed_finding_can_only_be_reopened(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    records = period_episodes()
    records[0] = episode("ep-1", CORRECTED)
    import_records(app_db, records)
    key = imported.key("ep-1", "T02")
    assert status_of(app_db, key) is FindingStatus.FIXED
    page = client.get(f"/arbeidsliste/{key}").text
    assert "Godta funnet" not in page and "Spør lege" not in page
    assert "Åpne funnet igjen" in page
    assert "innlesing åpen → rettet" in audit_rows(page)[0]
    refused = client.post_form(f"/arbeidsliste/{key}/godta", {"kommentar": "Riktig"})
    assert refused.status_code == 409 and "kan ikke godtas" in refused.text


def test_approving_the_fix_on_the_finding_page(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    key, unfixable = imported.key("ep-5", "T29"), imported.key("ep-1", "T02")
    url = f"/arbeidsliste/{key}"
    page = client.get(url).text
    assert f'action="{url}/godkjenn"' in page and "Godkjenn rettingen" in page
    assert "Koding etter forslaget: J18.9+U07.1" in text_of(page)
    assert (
        f'action="/arbeidsliste/{unfixable}/godkjenn"'
        not in client.get(f"/arbeidsliste/{unfixable}").text
    )  # no fix, nothing to approve
    refused = client.post_form(f"/arbeidsliste/{unfixable}/godkjenn", {})
    assert refused.status_code == 409
    assert f"Funnet {unfixable} har ikke noe rettingsforslag å godkjenne." in refused.text
    too_long = client.post_form(f"{url}/godkjenn", {"kommentar": "x" * 4001})
    assert too_long.status_code == 400
    assert 'id="godkjenn-kommentar-feil">Kommentaren kan ha høyst 4000 tegn.' in too_long.text
    assert status_of(app_db, key) is FindingStatus.OPEN

    done = client.post_form(f"{url}/godkjenn", {"kommentar": ""})
    assert done.status_code == 303 and "melding=godkjent" in done.headers["location"]
    page = client.get(done.headers["location"]).text
    assert "Rettingen er godkjent. Den tas med når episodene eksporteres" in page
    assert status_of(app_db, key) is FindingStatus.APPROVED
    assert 'class="badge status-approved">retting godkjent<' in page
    assert 'id="godkjent-retting"' in page
    # the decision is undone by reopening, not turned into its opposite
    assert "Godta funnet" not in page and "Godkjenn rettingen</button>" not in page
    assert "Spør lege" not in page and "Åpne funnet igjen" in page
    [row] = audit_rows(page)
    assert "koder åpen → retting godkjent" in row


def test_assigning_is_a_lead_s_work(
    client: WebClient, client_as: Callable[[Role], WebClient], imported: Imported, app_db: Path
) -> None:
    key = imported.key("ep-1", "T02")
    page = client.get(f"/arbeidsliste/{key}").text
    assert f'action="/arbeidsliste/{key}/tildel"' not in page
    assert "Tildel valgte" not in client.get("/arbeidsliste").text
    one = client.post_form(f"/arbeidsliste/{key}/tildel", {"tildelt": "koder"})
    assert one.status_code == 403 and "krever rollen leder" in one.text
    many = client.post_form("/arbeidsliste/utvalg/tildel", {"nokkel": [key], "tildelt": "koder"})
    assert many.status_code == 403

    lead = client_as(Role.LEAD)
    unknown = lead.post_form(f"/arbeidsliste/{key}/tildel", {"tildelt": "ukjent"})
    assert unknown.status_code == 400
    assert 'id="tildel-feil">Velg en aktiv koder eller leder' in unknown.text
    with Store(f"sqlite:///{app_db}") as store:
        assert wl.work_item(store.engine, key).assignee is None
        assert (
            lead.post_form(f"/arbeidsliste/{key}/tildel", {"tildelt": "koder"}).status_code == 303
        )
        assert wl.work_item(store.engine, key).assignee == "koder"


# -- a selection ----------------------------------------------------------------------------


def test_a_selection_is_accepted_together_and_the_list_keeps_its_filter(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    page = client.get("/arbeidsliste", params={"periode": PERIOD, "status": "open"})
    back = attribute(r'name="tilbake" value="([^"]*)"', page.text)
    chosen = [imported.key("ep-1", "T02"), imported.key("ep-2", "T02")]
    done = client.post_form(
        "/arbeidsliste/utvalg/godta",
        {"nokkel": chosen, "kommentar": "Avklart med avdelingen", "tilbake": back},
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/arbeidsliste?periode=2025T1&status=open")
    after = client.get(done.headers["location"])
    assert "2 funn er godtatt." in after.text
    assert not set(chosen) & set(listed(after.text))
    assert {status_of(app_db, key) for key in chosen} == {FindingStatus.ACCEPTED}
    log = audit_rows(client.get(f"/arbeidsliste/{chosen[0]}").text)
    assert "åpen → godtatt Avklart med avdelingen" in log[0]


def test_a_selection_is_asked_about_and_assigned_by_a_lead(
    client_as: Callable[[Role], WebClient], imported: Imported, app_db: Path
) -> None:
    lead = client_as(Role.LEAD)
    chosen = [imported.key("ep-1", "T02"), imported.key("ep-3", "T02")]
    asked = lead.post_form(
        "/arbeidsliste/utvalg/spor", {"nokkel": chosen, "sporsmal": "Hvilken diabetes?"}
    )
    assert asked.status_code == 303
    assert "2 funn er sendt som spørsmål til lege." in lead.get(asked.headers["location"]).text
    given = lead.post_form("/arbeidsliste/utvalg/tildel", {"nokkel": chosen, "tildelt": "koder"})
    assert "2 funn har fått ny tildeling." in lead.get(given.headers["location"]).text
    with Store(f"sqlite:///{app_db}") as store:
        items = [wl.work_item(store.engine, key) for key in chosen]
    assert {(i.status, i.assignee) for i in items} == {(FindingStatus.ASKED, "koder")}
    assert {i.question.text for i in items if i.question} == {"Hvilken diabetes?"}


def test_a_selection_s_fixes_are_approved_only_if_each_has_one(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    page = client.get("/arbeidsliste").text
    assert 'formaction="/arbeidsliste/utvalg/godkjenn"' in page
    marked = re.findall(r'<tr data-key="([0-9a-f]+)">(?:(?!</tr>).)*badge has-fix', page, re.S)
    fixable, unfixable = imported.key("ep-5", "T29"), imported.key("ep-1", "T02")
    assert marked == [fixable]  # only the finding with a fix is marked «retting»
    refused = client.post_form("/arbeidsliste/utvalg/godkjenn", {"nokkel": [fixable, unfixable]})
    assert refused.status_code == 409 and "Ingenting er endret: Funnet" in refused.text
    assert "har ikke noe rettingsforslag" in refused.text
    assert status_of(app_db, fixable) is FindingStatus.OPEN
    done = client.post_form("/arbeidsliste/utvalg/godkjenn", {"nokkel": [fixable], "kommentar": ""})
    assert done.status_code == 303
    assert "1 funn har fått rettingen godkjent." in client.get(done.headers["location"]).text
    assert status_of(app_db, fixable) is FindingStatus.APPROVED
    only = client.get("/arbeidsliste", params={"periode": PERIOD, "status": "approved"})
    assert listed(only.text) == [fixable]
    assert 'value="approved" checked> retting godkjent' in only.text


def test_a_selection_needs_findings_and_a_comment_to_accept(
    client: WebClient, imported: Imported
) -> None:
    none = client.post_form("/arbeidsliste/utvalg/godta", {"kommentar": "Riktig"})
    assert none.status_code == 400 and "Velg minst ett funn i listen." in none.text
    key = imported.key("ep-1", "T02")
    empty = client.post_form("/arbeidsliste/utvalg/godta", {"nokkel": [key], "kommentar": ""})
    assert empty.status_code == 400
    assert 'id="utvalg-kommentar-feil">Skriv en kommentar' in empty.text
    assert f'value="{key}" id="valg-{key}" checked' in empty.text  # the selection is kept


def test_a_selection_one_finding_of_which_refuses_changes_nothing(
    client: WebClient, imported: Imported, app_db: Path
) -> None:
    records = period_episodes()
    records[0] = episode("ep-1", CORRECTED)
    import_records(app_db, records)
    fixed, open_ = imported.key("ep-1", "T02"), imported.key("ep-2", "T02")
    refused = client.post_form(
        "/arbeidsliste/utvalg/godta", {"nokkel": [open_, fixed], "kommentar": "Riktig"}
    )
    assert refused.status_code == 409
    assert "Ingenting er endret: Funnet" in refused.text and "kan ikke godtas" in refused.text
    assert status_of(app_db, open_) is FindingStatus.OPEN


# -- who sees what, and inert text ---------------------------------------------------------------


def test_roles_without_identifiers_see_pseudonyms(
    client_as: Callable[[Role], WebClient], imported: Imported
) -> None:
    admin = client_as(Role.ADMIN)
    page = admin.get("/arbeidsliste").text
    assert "pas-ep-" not in page
    pseudonyms = set(re.findall(r"pasient (P-[0-9a-f]{8})", page))
    assert len(pseudonyms) == 4  # ep-1, ep-2, ep-3, ep-5 (twice)
    one = admin.get(f"/arbeidsliste/{imported.key('ep-1', 'T02')}").text
    assert "pas-ep-1" not in one and re.search(r">P-[0-9a-f]{8}<", one)
    lead = client_as(Role.LEAD).get("/arbeidsliste").text
    assert "pasient pas-ep-1" in lead


def test_script_in_a_comment_question_or_answer_is_shown_inert(
    client: WebClient, imported: Imported
) -> None:
    key = imported.key("ep-1", "T02")
    url = f"/arbeidsliste/{key}"
    client.post_form(f"{url}/spor", {"sporsmal": SCRIPT})
    client.post_form(f"{url}/svar", {"svar": SCRIPT})
    client.post_form(f"{url}/godta", {"kommentar": SCRIPT})
    for page in (client.get(url).text, client.get("/arbeidsliste", params={"periode": ""}).text):
        assert SCRIPT not in page
    page = client.get(url).text
    assert page.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;") >= 4
    refused = client.post_form(f"{url}/spor", {"sporsmal": "  "})
    assert SCRIPT not in refused.text


def test_a_comment_too_long_is_refused_at_the_field(client: WebClient, imported: Imported) -> None:
    key = imported.key("ep-1", "T02")
    refused = client.post_form(f"/arbeidsliste/{key}/godta", {"kommentar": "x" * 4001})
    assert refused.status_code == 400
    assert "Kommentaren kan ha høyst 4000 tegn." in refused.text


# -- DRG effect -----------------------------------------------------------------------------


@pytest.fixture
def drg_client(
    app_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WebClient]:
    """A coder on an application with the 2020 test DRG tables and weights."""
    monkeypatch.setenv("KODEVAKT_CACHE_DIR", str(tmp_path / "cache"))
    weights = tmp_path / "vekter_2020.csv"
    weights.write_text("drg;vekt\n60;1,25\n61;0,75\n290;0,5\n470;1\n", encoding="utf-8")
    application = make_app(
        app_db,
        drg_definitions=load_definitions(DRG_TABLES),
        drg_weights=load_weights(str(weights)),
    )
    with WebClient(application) as web:
        assert web.login(*USERS[Role.CODER]).status_code == 303
        yield web
    application.state.services.store.close()


def _drg_period(app_db: Path) -> Imported:
    """Four T02 errors in one department of 2020T1, in storage order a, b, c, d: a's fix
    moves DRG 61 → 60 (+0.5), b's 290 → 60 (+0.75), c's leaves DRG 470, d has no fix."""
    dated = {
        "care_level": "inpatient",
        "admission": "2020-03-01T10:00",
        "discharge": "2020-03-04T10:00",
    }
    return import_records(
        app_db,
        [
            episode("ep-a", [["H36.0"], ["E10.3"]], **dated),
            episode("ep-b", [["E10.3"], ["H36.0"]], **dated),
            episode("ep-c", [["I10"], ["H36.0"], ["E10.3"]], **dated),
            episode("ep-d", [["H36.0"]], **dated),
        ],
        period="2020T1",
    )


def test_within_a_severity_the_largest_drg_effect_comes_first(
    drg_client: WebClient, app_db: Path
) -> None:
    found = _drg_period(app_db)
    page = drg_client.get("/arbeidsliste", params={"periode": "2020T1", "regel": "T02"})
    order = [found.key(e, "T02") for e in ("ep-b", "ep-a", "ep-c", "ep-d")]
    assert listed(page.text) == order
    text = text_of(page.text)
    assert "Sortert etter alvorlighet, så etter hvor mye rettingen flytter DRG-vekten." in text
    assert "290 → 60 (+0,7500)" in text and "61 → 60 (+0,5000)" in text
    one = text_of(drg_client.get(f"/arbeidsliste/{found.key('ep-b', 'T02')}").text)
    assert "DRG 290 (MDC 10) → 60 (MDC 02), vekt 0,5000 → 1,2500 (+0,7500)" in one
    assert "Koding etter forslaget: E10.3+H36.0" in one


def test_a_list_too_long_to_order_by_drg_effect_says_so(
    drg_client: WebClient, app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _drg_period(app_db)
    monkeypatch.setattr(worklist_view, "MAX_DRG_SORT", 3)
    page = drg_client.get("/arbeidsliste", params={"periode": "2020T1", "regel": "T02"})
    assert listed(page.text) == [found.key(e, "T02") for e in ("ep-a", "ep-b", "ep-c", "ep-d")]
    assert "Listen har mer enn 3 funn og er bare sortert etter alvorlighet" in page.text
    assert "290 → 60 (+0,7500)" in text_of(page.text)  # the effects are still shown


# -- units by name --------------------------------------------------------------------------


@contextmanager
def _units_client(app_db: Path, units: Path) -> Iterator[WebClient]:
    application = make_app(app_db, units_file=units)
    with WebClient(application) as web:
        assert web.login(*USERS[Role.CODER]).status_code == 303
        yield web
    application.state.services.store.close()


def test_units_are_shown_by_name_from_the_units_file(
    app_db: Path, imported: Imported, tmp_path: Path
) -> None:
    units = tmp_path / "enheter.csv"
    units.write_text(
        f"institution;department;name\n{HOME};;Haukeland universitetssjukehus\n"
        f"{HOME};MED;Medisinsk avdeling\n",
        encoding="utf-8",
    )
    with _units_client(app_db, units) as web:
        page = web.get("/arbeidsliste").text
        row = page.split(f'data-key="{imported.key("ep-1", "T02")}"')[1].split("</tr>")[0]
        assert "Haukeland universitetssjukehus (974557746)" in row
        assert "Medisinsk avdeling (MED)" in row
        assert f'<option value="{HOME}">Haukeland universitetssjukehus (974557746)</option>' in page
        assert f'<option value="{OTHER}">{OTHER}</option>' in page  # no name: the code


def test_a_units_file_that_cannot_be_read_leaves_the_codes_and_says_so(
    app_db: Path, imported: Imported, tmp_path: Path
) -> None:
    units = tmp_path / "enheter.csv"
    units.write_text("dette er ingen enhetsfil\n", encoding="utf-8")
    with _units_client(app_db, units) as web:
        page = web.get("/arbeidsliste")
        assert page.status_code == 200
        assert "Enhetsfilen kunne ikke leses" in page.text
        assert len(listed(page.text)) == 5
