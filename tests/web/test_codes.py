"""Søk and the code page: search as you type, and everything the page shows about a code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kodevakt.codes.normalise import CodeKind
from kodevakt.rules import code_facts as F
from kodevakt.rules.registry import episode_rules
from kodevakt.web import code_data
from kodevakt.web.code_rules import (
    FEATURE_NAMES,
    GENERIC_FEATURES,
    documented_mention,
    rules_for_code,
)
from tests.web.helpers import WebClient

LISTS = Path(__file__).resolve().parents[1] / "fixtures" / "codelists"


@pytest.fixture
def two_years(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The official 2025 and 2026 ICD-10 test lists loaded beside the embedded data."""
    files = [str(LISTS / "icd10_2025.xlsx"), str(LISTS / "icd10_2026.xlsx")]
    monkeypatch.setenv("KODEVAKT_CODE_FILES", ":".join(files))
    _forget_loaded_lists()
    yield
    monkeypatch.delenv("KODEVAKT_CODE_FILES")
    _forget_loaded_lists()


def _forget_loaded_lists() -> None:
    for cached in (code_data.code_base, code_data.searcher, code_data.checker):
        cached.cache_clear()


def rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row of the table labelled `table_id`."""
    table = html.split(f'aria-labelledby="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def hit_codes(html: str) -> list[str]:
    return re.findall(r'<a class="code" href="/kode/[^"]+">([^<]+)</a>', html)


# -- search -----------------------------------------------------------------------------------


def test_search_page_finds_pneumonia_codes_with_the_reason(client: WebClient) -> None:
    page = client.get("/sok", params={"q": "lungebetennelse"})
    assert page.status_code == 200
    found = hit_codes(page.text)
    assert found[0] == "J18.9"
    assert all(code.startswith(("J1", "J0")) for code in found[:5]), found[:5]
    assert "lungebetennelse → pneumoni (synonym)" in page.text
    assert "Uspesifisert pneumoni" in page.text


def test_search_as_you_type_fetches_only_the_results(client: WebClient) -> None:
    page = client.get("/sok")
    # The input asks htmx for the fragment while typing, and the form works without it.
    assert 'hx-get="/sok/treff"' in page.text
    assert 'hx-trigger="input changed delay:200ms' in page.text
    assert '<form method="get" action="/sok"' in page.text
    fragment = client.get("/sok/treff", params={"q": "lungebetennelse"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "<form" not in fragment.text
    assert hit_codes(fragment.text)[0] == "J18.9"


def test_search_filters_by_system_and_says_when_nothing_matches(client: WebClient) -> None:
    only_ncsp = client.get("/sok/treff", params={"q": "kolecystektomi", "system": "ncsp"})
    assert hit_codes(only_ncsp.text) and all(
        code.startswith("J") and "." not in code for code in hit_codes(only_ncsp.text)
    )
    nothing = client.get("/sok/treff", params={"q": "qqqxxyyzz"})
    assert "Ingen treff for «qqqxxyyzz»" in nothing.text


def test_a_code_typed_as_the_query_comes_first(client: WebClient) -> None:
    page = client.get("/sok/treff", params={"q": "j128"})
    assert hit_codes(page.text)[0] == "J12.8"
    assert ">kode<" in page.text  # why it matched


def test_script_in_the_query_is_shown_as_text(client: WebClient) -> None:
    attack = '<script>alert("x")</script>'
    for url in ("/sok", "/sok/treff"):
        page = client.get(url, params={"q": attack})
        assert page.status_code == 200
        assert attack not in page.text
        assert "&lt;script&gt;" in page.text


# -- the code page ----------------------------------------------------------------------------


def test_code_page_shows_the_hierarchy_chapter_first(client: WebClient) -> None:
    page = client.get("/kode/I21.4a")
    assert page.status_code == 200
    crumbs = page.text.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="/kode/([^"]+)"', crumbs) == ["IX", "I20-I25", "I21", "I21.4"]
    assert "Akutt subendokardialt hjerteinfarkt type 4a" in page.text


def test_code_page_shows_validity_and_text_for_each_loaded_year(
    client: WebClient, two_years: None
) -> None:
    page = client.get("/kode/J12.8")
    years = rows(page.text, "gyldighet")
    # The embedded lists of the code history's years, then the two official lists loaded.
    assert [row[0] for row in years] == [str(year) for year in range(2019, 2027)]
    official = years[-2:]
    assert official[0][1:3] == ["gyldig", "Annen spesifisert viruspneumoni"]
    assert official[1][1:3] == ["gyldig", "Annen spesifisert virusbetinget pneumoni"]
    assert official[0][3] == "1999-01-01 – …"
    assert all(row[1] == "gyldig" for row in years[:-2])


def test_code_page_lists_children_with_links(client: WebClient) -> None:
    page = client.get("/kode/J18")
    children = rows(page.text, "underkoder")
    assert ["J18.9", "Uspesifisert pneumoni", "ja"] in children
    assert 'href="/kode/J18.9"' in page.text
    assert "overskrift eller kode som ikke rapporteres til NPR" in page.text


def test_code_page_shows_the_rules_that_concern_the_code_and_why(client: WebClient) -> None:
    page = client.get("/kode/H36.0")
    assert "stjernekode" in page.text  # flag
    listed = dict(
        re.findall(
            r'<li class="rule">\s*<h3><a href="/regler#(\w+)">(.*?)\n  </li>', page.text, re.S
        )
    )
    assert "Slår ut når koden står alene i en episode" in listed["T02"]
    assert "Eksempel: Stjernekoden H36.0" in listed["T02"]
    # T03 runs on asterisk codes but needs a dagger before it: listed, without an example.
    assert "Kjøres for episoder med koden fordi den er: stjernekode" in listed["T03"]
    assert "Eksempel" not in listed["T03"]


def test_code_written_any_way_redirects_to_its_page(client: WebClient) -> None:
    response = client.get("/kode/i214a")
    assert response.status_code == 303
    assert response.headers["location"] == "/kode/I21.4a"


def test_unknown_code_is_a_norwegian_404_page(client: WebClient) -> None:
    response = client.get("/kode/Q99.99")
    assert response.status_code == 404
    assert "Koden «Q99.99» finnes ikke i kodeverket." in response.text
    assert "Traceback" not in response.text


def test_pages_need_login(anon: WebClient) -> None:
    for url in ("/sok?q=kols", "/sok/treff?q=kols", "/kode/J18.9"):
        response = anon.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


# -- which rules concern a code ---------------------------------------------------------------


def test_every_feature_a_rule_is_triggered_by_has_a_name_or_is_left_out_on_purpose() -> None:
    episode_features = sum(
        value
        for name, value in vars(F).items()
        if name.startswith("EP_") and isinstance(value, int)
    )
    named = sum(FEATURE_NAMES) | sum(F.code_feature_names())
    for rule in episode_rules():
        triggers = F.anywhere(rule.triggers)
        unnamed = triggers & ~(named | GENERIC_FEATURES | episode_features | F.STRUCTURE_FEATURES)
        assert not unnamed, f"{rule.code}: trigger bits {unnamed:#x} have no Norwegian name"


def test_rules_for_a_code_give_each_meaning_separately() -> None:
    base, checker = code_data.code_base(), code_data.checker()
    by_rule = {c.code: c for c in rules_for_code(base, checker, "B96.2", date(2025, 6, 1))}
    assert set(by_rule["T05"].reasons) == {"fires", "feature", "documented"}
    assert "mikroorganisme (B95–B98)" in by_rule["T05"].reasons["feature"]
    assert by_rule["T05"].examples[0].codes == ("B96.2",)
    # A condition rule is not listed for a procedure code, nor a procedure rule for a diagnosis.
    assert not any(code.startswith("P") for code in by_rule)
    procedure = {c.code for c in rules_for_code(base, checker, "ZXD10", date(2025, 6, 1))}
    assert "P01" in procedure and not any(code.startswith("T") for code in procedure)


def test_headings_have_no_rules() -> None:
    base, checker = code_data.code_base(), code_data.checker()
    assert rules_for_code(base, checker, "J09-J18", date(2025, 6, 1)) == []


@pytest.mark.parametrize(
    ("text", "code", "kind", "expected"),
    [
        ("a tumour (C00–D48) first", "C50.9", CodeKind.ICD10, "C00–D48"),
        ("a tumour (C00–D48) first", "E10.3", CodeKind.ICD10, None),
        ("I21 with a T-code", "I21.4a", CodeKind.ICD10, "I21"),
        ("I21.4 only", "I21.4a", CodeKind.ICD10, "I21.4"),
        ("I21.4a only", "I21.4", CodeKind.ICD10, None),  # a code below is not a mention
        ("I2 or I10", "I25.0", CodeKind.ICD10, None),
        ("drugs (WBOC) need an ATC code", "WBOC20", CodeKind.PROCEDURE, "WBOC"),
        ("JKA20 with ZXD10", "JKA21", CodeKind.PROCEDURE, None),
    ],
)
def test_documented_mention(text: str, code: str, kind: CodeKind, expected: str | None) -> None:
    assert documented_mention(text, code, kind) == expected
