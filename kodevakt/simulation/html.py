"""The simulation as one offline HTML file in Norwegian, in the batch report's frame."""

from __future__ import annotations

from html import escape

from kodevakt.batch.units import NO_UNITS, Units
from kodevakt.report import fmt
from kodevakt.report.html import CSS, period_label
from kodevakt.report.svg import Change, change_chart
from kodevakt.simulation.run import INVALID, MEANING, VALID, Place, Simulation

SHOWN = 8  # episodes listed per change before "and n more"
KIND_TEXT = {INVALID: "Blir ugyldig", VALID: "Blir gyldig", MEANING: "Endrer tekst"}


def render_simulation(result: Simulation, units: Units = NO_UNITS) -> str:
    title = f"{result.period} kodet som i {result.to_year}"
    body = [
        _header(result),
        '<nav><a href="#sammendrag">Sammendrag</a><a href="#koder">Koder</a>'
        '<a href="#funn">Funn</a><a href="#drg">DRG og vekt</a><a href="#om">Om</a></nav>',
        _summary(result),
        _codes(result),
        _rules(result),
        _drg(result, units),
        _about(result),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def places(found: tuple[Place, ...]) -> str:
    """The episode ids, the first few, with how many more."""
    ids = [escape(episode_id) for _, episode_id in found[:SHOWN]]
    rest = len(found) - SHOWN
    text = ", ".join(ids)
    if rest > 0:
        text += f" og {fmt.integer(rest)} til"
    return f'<span class="id">{text}</span>'


def _header(result: Simulation) -> str:
    years = ", ".join(str(y) for y in result.from_years) or "–"
    return (
        "<header>\n"
        f"<h1>Neste år før det kommer: {escape(period_label(result.period))} kodet som i "
        f"{result.to_year}</h1>\n"
        f'<p class="meta">Episodene fra {escape(years)} kjørt på nytt med kodeverk, regler og '
        f"DRG-tabeller for {result.to_year} · {fmt.integer(result.episodes)} episoder</p>\n"
        "</header>"
    )


def _summary(result: Simulation) -> str:
    invalid = sum(len(c.episodes) for c in result.code_changes if c.kind == INVALID)
    appear = sum(len(r.appear) for r in result.rule_changes)
    vanish = sum(len(r.vanish) for r in result.rule_changes)
    cards = [
        (
            fmt.integer(sum(1 for c in result.code_changes if c.kind == INVALID)),
            "koder blir ugyldige",
        ),
        (fmt.integer(invalid), "episoder bruker dem"),
        (fmt.integer(appear), "nye funn (episoder)"),
        (fmt.integer(vanish), "funn som forsvinner (episoder)"),
    ]
    if result.drg_available:
        cards.append((fmt.integer(result.changed_drg), "episoder får annen DRG"))
    html = ['<section id="sammendrag">', "<h2>Sammendrag</h2>", '<div class="cards">']
    html += [
        f'<div class="card"><div class="number">{n}</div><div class="what">{escape(w)}</div></div>'
        for n, w in cards
    ]
    html.append("</div>")
    html.extend(f"<p>{escape(note)}</p>" for note in result.notes)
    html.append("</section>")
    return "\n".join(html)


def _codes(result: Simulation) -> str:
    html = ['<section id="koder">', f"<h2>Koder som endres i {result.to_year}</h2>"]
    if not result.code_changes:
        html.append(
            '<p class="empty">Ingen av periodens koder endrer gyldighet eller tekst i de lastede '
            "kodelistene.</p></section>"
        )
        return "\n".join(html)
    html.append(
        "<table><thead><tr><th>Kode</th><th>Endring</th><th>Før</th><th>Etter</th>"
        '<th class="num">Episoder</th><th>Episodene</th></tr></thead><tbody>'
    )
    for change in result.code_changes:
        html.append(
            f'<tr><td class="id">{escape(change.code)}</td><td>{KIND_TEXT[change.kind]}</td>'
            f"<td>{escape(change.status_before)}: {escape(change.text_before)}</td>"
            f"<td>{escape(change.status_after)}: {escape(change.text_after)}</td>"
            f'<td class="num">{fmt.integer(len(change.episodes))}</td>'
            f"<td>{places(change.episodes)}</td></tr>"
        )
    html.append("</tbody></table>")
    html.append(
        '<p class="howto"><strong>Slik leser du tabellen:</strong> Hver kode i periodens '
        "episoder er slått opp på episodens dato og på samme dato i "
        f"{result.to_year}. En kode som blir ugyldig må erstattes i kodeskjemaer og "
        "favorittlister før nyttår; en kode som endrer tekst kan ha fått en annen betydning.</p>"
    )
    html.append("</section>")
    return "\n".join(html)


def _rules(result: Simulation) -> str:
    html = ['<section id="funn">', "<h2>Funn som kommer og går</h2>"]
    if not result.rule_changes:
        html.append(
            f'<p class="empty">Reglene for {result.to_year} gir de samme funnene.</p></section>'
        )
        return "\n".join(html)
    html.append(
        '<table><thead><tr><th>Regel</th><th>Beskrivelse</th><th class="num">Kommer</th>'
        '<th class="num">Forsvinner</th><th>Episodene</th></tr></thead><tbody>'
    )
    for rule in result.rule_changes:
        shown = []
        if rule.appear:
            shown.append(f"kommer: {places(rule.appear)}")
        if rule.vanish:
            shown.append(f"forsvinner: {places(rule.vanish)}")
        html.append(
            f"<tr><td>{escape(rule.rule)}</td><td>{escape(rule.title)}</td>"
            f'<td class="num">{fmt.integer(len(rule.appear))}</td>'
            f'<td class="num">{fmt.integer(len(rule.vanish))}</td><td>{"; ".join(shown)}</td></tr>'
        )
    html.append("</tbody></table>")
    changes = [
        Change(r.rule, float(len(r.appear) - len(r.vanish)))
        for r in result.rule_changes
        if len(r.appear) != len(r.vanish)
    ]
    if changes:
        chart = change_chart(
            f"Episoder med funn: endring per regel i {result.to_year}", changes[:15], digits=0
        )
        html.append(f"<figure>{chart}</figure>")
    html.append(
        '<p class="howto"><strong>Slik leser du tabellen:</strong> «Kommer» er episoder som får '
        f"et funn med reglene og kodelistene for {result.to_year} som de ikke har i dag; "
        "«forsvinner» er funn de har i dag som da er borte (regelen gjelder ikke lenger, eller "
        "koden er endret). Stolpen er netto endring per regel.</p>"
    )
    html.append("</section>")
    return "\n".join(html)


def _drg(result: Simulation, units: Units) -> str:
    html = ['<section id="drg">', "<h2>DRG og vekt per avdeling</h2>"]
    if not result.drg_available:
        html.append(f'<p class="empty">{escape(result.drg_problem)}</p>')
        html.append(
            '<p class="howto">Oppgi DRG-tabellene for periodens år og for '
            f"{result.to_year} med <code>--definitions</code> (en mappe med én fil per år), og "
            "vektene med <code>--weights</code>, for å se hvordan grupperingen flytter seg.</p>"
            "</section>"
        )
        return "\n".join(html)
    head = (
        '<table><thead><tr><th>Avdeling</th><th class="num">Gruppert</th>'
        '<th class="num">Annen DRG</th>'
    )
    if result.weighted:
        head += (
            '<th class="num">Vekt før</th><th class="num">Vekt etter</th>'
            '<th class="num">Endring</th>'
        )
    html.append(head + "<th>Episodene</th></tr></thead><tbody>")
    institution = result.institution
    for department in result.departments:
        row = (
            f"<tr><td>{escape(units.department_text(institution, department.department or None))}"
            f'</td><td class="num">{fmt.integer(department.grouped)}</td>'
            f'<td class="num">{fmt.integer(department.changed)}</td>'
        )
        if result.weighted:
            change = department.weight_change or 0.0
            row += (
                f'<td class="num">{fmt.decimal(department.weight_before or 0.0, 3)}</td>'
                f'<td class="num">{fmt.decimal(department.weight_after or 0.0, 3)}</td>'
                f'<td class="num">{"+" if change > 0 else ""}{fmt.decimal(change, 3)}</td>'
            )
        moves = department.moves[:SHOWN]
        listed = ", ".join(
            f"{escape(m.place[1])} ({escape(m.drg_before)} → {escape(m.drg_after)})" for m in moves
        )
        if len(department.moves) > SHOWN:
            listed += f" og {fmt.integer(len(department.moves) - SHOWN)} til"
        html.append(row + f'<td class="id">{listed}</td></tr>')
    html.append("</tbody></table>")
    if result.weighted:
        changes = [
            Change(d.department or "–", d.weight_change or 0.0)
            for d in result.departments
            if d.weight_change
        ]
        if changes:
            chart = change_chart(f"Vektendring per avdeling i {result.to_year}", changes[:15])
            html.append(f"<figure>{chart}</figure>")
    if result.not_grouped:
        html.append(
            f"<p>{fmt.integer(result.not_grouped)} episoder kunne ikke grupperes for begge år "
            "(ingen tabeller for året eller ingen dato).</p>"
        )
    html.append(
        '<p class="howto"><strong>Slik leser du tabellen:</strong> Hver episode er gruppert med '
        f"tabellene for sitt eget år og, med datoene flyttet til {result.to_year}, med "
        f"tabellene for {result.to_year}. Vektendringen er summen for avdelingen (DRG-poeng); "
        "den viser hva samme koding er verdt med neste års logikk og vekter.</p>"
    )
    html.append("</section>")
    return "\n".join(html)


def _about(result: Simulation) -> str:
    return (
        '<section id="om"><h2>Om simuleringen</h2><ul>'
        f"<li>Hver episode er flyttet til {result.to_year} med alle datoer (også fødselsdatoen, "
        "så alderen er den samme) og sjekket på nytt med reglene som gjelder da.</li>"
        "<li>Et funn er det samme før og etter når regel, koder og sted i episoden er like.</li>"
        "<li>Rapporten inneholder episode-id-er, men ingen pasient-id-er.</li></ul></section>"
    )
