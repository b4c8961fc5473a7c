"""The record-review report: one offline HTML file in Norwegian, like the batch report.

Same frame as `kodevakt report` (its CSS, inline SVG, no scripts or external references);
every text from the data is escaped here. Each estimate is shown with its 95 % interval and
the sample counts behind it, and each section says how to read it.
"""

from __future__ import annotations

from html import escape

from kodevakt.audit.estimates import Rate, Total
from kodevakt.audit.results import AuditResults, Calibration, DrgEstimate, Standard
from kodevakt.batch.units import NO_UNITS, Units
from kodevakt.report import fmt
from kodevakt.report.html import CSS, period_label
from kodevakt.report.svg import Estimate, interval_chart

VERDICTS = {
    "met": "Standarden er nådd: hele intervallet ligger på eller over standarden.",
    "not-met": "Standarden er ikke nådd: hele intervallet ligger under standarden.",
    "undecided": (
        "Utvalget kan ikke avgjøre om standarden er nådd: intervallet omfatter standarden. "
        "Et større utvalg gir et smalere intervall."
    ),
}


def render_audit(results: AuditResults, units: Units = NO_UNITS) -> str:
    sample = results.sample
    title = f"Journalrevisjon {sample.period}, utvalg {sample.id}"
    body = [
        _header(results),
        '<nav><a href="#sammendrag">Sammendrag</a><a href="#feiltyper">Feil etter type</a>'
        '<a href="#hovedtilstand">Hovedtilstand</a><a href="#drg">DRG</a>'
        '<a href="#samsvar">Samsvar</a><a href="#treffsikkerhet">kodevakts treffsikkerhet</a>'
        '<a href="#utvalget">Utvalget</a></nav>',
        _summary(results),
        _kinds(results),
        _main(results.main),
        _drg(results.drg, units, results),
        _agreement(results),
        _calibration(results.calibration),
        _sample(results),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def share(value: float | None) -> str:
    return "–" if value is None else fmt.percent(value)


def interval(found: Rate) -> str:
    """`12,3 % (8,1–17,9 %)`, or – when nothing was counted."""
    if found.estimate is None or found.low is None or found.high is None:
        return "–"
    low = fmt.decimal(found.low * 100, 1)
    return f"{fmt.percent(found.estimate)} ({low}–{fmt.percent(found.high)})"


def total_text(found: Total, digits: int = 0) -> str:
    return (
        f"{fmt.decimal(found.estimate, digits)} "
        f"({fmt.decimal(found.low, digits)} til {fmt.decimal(found.high, digits)})"
    )


def _howto(text: str) -> str:
    return f'<p class="howto"><strong>Slik leser du dette:</strong> {escape(text)}</p>'


def _header(results: AuditResults) -> str:
    sample = results.sample
    place = f" · Institusjon {escape(sample.institution)}" if sample.institution else ""
    second = f" · Andre revisor: {escape(results.second)}" if results.second else ""
    return (
        "<header>\n"
        f"<h1>Journalrevisjon: {escape(period_label(sample.period))}</h1>\n"
        f'<p class="meta">Utvalg {sample.id}: {escape(results.design)}, frø {sample.seed}'
        f"{place} · Revisor: {escape(results.auditor)}{second} · "
        f"Intervaller: 95 %, {escape(results.method.norwegian)}</p>\n</header>"
    )


def _cards(cards: list[tuple[str, str]]) -> str:
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="number">{number}</div>'
            f'<div class="what">{escape(what)}</div></div>'
            for number, what in cards
        )
        + "</div>"
    )


def _summary(results: AuditResults) -> str:
    any_error = results.kinds[0].rate
    cards = [
        (fmt.integer(results.reviewed), f"vurderte episoder av {results.sample.sampled} trukket"),
        (share(any_error.estimate), "av periodens episoder har minst én feil (anslag)"),
        (share(results.main.rate.estimate), "har riktig hovedtilstand (anslag)"),
        (fmt.integer(results.sample.population), "episoder i perioden"),
    ]
    html = ['<section id="sammendrag">', "<h2>Sammendrag</h2>", _cards(cards)]
    text = (
        f"Av {fmt.integer(results.reviewed)} vurderte episoder hadde "
        f"{fmt.integer(any_error.count)} minst én feil. For hele perioden gir det anslagsvis "
        f"{interval(any_error)} episoder med feil."
    )
    html.append(f"<p>{escape(text)}</p>")
    if results.not_reviewed:
        html.append(
            f"<p>{fmt.integer(results.not_reviewed)} trukne episoder er ikke vurdert av "
            f"{escape(results.auditor)} ennå.</p>"
        )
    html.extend(f"<p>{escape(note)}</p>" for note in results.notes)
    html.append("</section>")
    return "\n".join(html)


def _kinds(results: AuditResults) -> str:
    html = ['<section id="feiltyper">', "<h2>Feil etter type</h2>"]
    html.append(
        '<table><thead><tr><th>Type feil</th><th class="num">Episoder i utvalget</th>'
        '<th class="num">Anslag for perioden</th><th class="num">95 % intervall</th>'
        "</tr></thead><tbody>"
    )
    for row in results.kinds:
        found = row.rate
        bounds = f"{share(found.low)}–{share(found.high)}" if found.low is not None else "–"
        html.append(
            f"<tr><td>{escape(row.label)}</td>"
            f'<td class="num">{fmt.integer(found.count)} av {fmt.integer(found.units)}</td>'
            f'<td class="num">{share(found.estimate)}</td><td class="num">{bounds}</td></tr>'
        )
    html.append("</tbody></table>")
    drawn = [
        Estimate(row.label, row.rate.estimate, row.rate.low, row.rate.high)
        for row in results.kinds
        if row.rate.estimate is not None and row.rate.low is not None and row.rate.high is not None
    ]
    if drawn:
        html.append(
            f"<figure>{interval_chart('Andel episoder med feil, etter type', drawn)}</figure>"
        )
    html.append(
        _howto(
            "Anslaget er andelen av alle periodens episoder som har en feil av typen, regnet "
            "ut fra utvalget der hver episode veier med hvor mange episoder den står for. "
            "Streken er 95 %-intervallet: med et slikt utvalg ligger den sanne andelen innenfor "
            "intervallet i 95 av 100 tilfeller. En episode kan ha flere typer feil. Typen er "
            "revisorens årsak, og det endringen av kodene viser."
        )
    )
    html.append("</section>")
    return "\n".join(html)


def _main(main: Standard) -> str:
    found = main.rate
    html = ['<section id="hovedtilstand">', "<h2>Riktig hovedtilstand mot standarden</h2>"]
    html.append(
        f"<p>Andel episoder med riktig hovedtilstand: <strong>{escape(interval(found))}</strong> "
        f"({fmt.integer(found.count)} av {fmt.integer(found.units)} i utvalget). "
        f"Standard: {fmt.percent(main.standard, 0)}.</p>"
    )
    html.append(f"<p><strong>{escape(VERDICTS[main.verdict])}</strong></p>")
    if found.estimate is not None and found.low is not None and found.high is not None:
        chart = interval_chart(
            "Riktig hovedtilstand",
            [Estimate("Riktig hovedtilstand", found.estimate, found.low, found.high)],
            reference=main.standard,
            reference_label=f"standard {fmt.percent(main.standard, 0)}",
        )
        html.append(f"<figure>{chart}</figure>")
    html.append(
        _howto(
            "Hovedtilstanden er riktig når revisoren beholder den første koden i hovedtilstanden "
            "og ikke oppgir feil hovedtilstand eller rekkefølge. Standarden (som i NHS' "
            "revisjon av klinisk koding) er nådd bare når hele intervallet ligger på eller "
            "over den stiplede linjen."
        )
    )
    html.append("</section>")
    return "\n".join(html)


def _drg(drg: DrgEstimate, units: Units, results: AuditResults) -> str:
    html = ['<section id="drg">', "<h2>Hva revisorens koding flytter i DRG</h2>"]
    if not drg.available or drg.changed is None or drg.changed_total is None:
        html.append(f'<p class="empty">{escape(drg.problem or "Ikke beregnet.")}</p>')
        html.append(
            '<p class="howto">Oppgi DRG-tabellene med <code>--definitions</code> (og vektene '
            "med <code>--weights</code>) for å se hvor mange episoder revisorens koding gir en "
            "annen DRG, og hva det utgjør i DRG-poeng for perioden.</p></section>"
        )
        return "\n".join(html)
    moved = sum(1 for _ in drg.moves)
    cards = [
        (share(drg.changed.estimate), "av periodens episoder får en annen DRG (anslag)"),
        (fmt.decimal(drg.changed_total.estimate, 0), "episoder med annen DRG i perioden"),
    ]
    if drg.weight is not None:
        cards.append(
            (fmt.decimal(drg.weight.estimate, 1), "sum vektendring i perioden (DRG-poeng)")
        )
    html.append(_cards(cards))
    text = (
        f"{fmt.integer(drg.changed.count)} av {fmt.integer(drg.grouped)} grupperte episoder i "
        f"utvalget får en annen DRG med revisorens koding. For perioden: "
        f"{total_text(drg.changed_total)} episoder"
    )
    if drg.weight is not None and drg.weight_in_sample is not None:
        text += (
            f", og en vektendring på {total_text(drg.weight, 1)} DRG-poeng (i utvalget "
            f"{fmt.decimal(drg.weight_in_sample, 3)})"
        )
    html.append(f"<p>{escape(text)}.</p>")
    if drg.not_grouped:
        html.append(
            f"<p>{fmt.integer(drg.not_grouped)} vurderte episoder kunne ikke grupperes (ingen "
            "tabeller for året eller ingen dato) og er ikke med.</p>"
        )
    if drg.moves:
        html.append(f"<h3>Episodene i utvalget ({moved} vist)</h3>")
        head = (
            '<table class="examples"><thead><tr><th>Nr</th><th>Episode</th><th>Avdeling</th>'
            "<th>År</th><th>DRG før → etter</th>"
        )
        if drg.weight is not None:
            head += '<th class="num">Vektendring</th>'
        html.append(head + "</tr></thead><tbody>")
        institution = results.sample.institution or None
        for move in drg.moves:
            row = (
                f'<tr><td class="num">{move.position}</td>'
                f'<td class="id">{escape(move.episode_id)}</td>'
                f"<td>{escape(units.department_text(institution, move.department))}</td>"
                f'<td>{move.year}</td><td class="id">{escape(move.drg_before)} → '
                f"<strong>{escape(move.drg_after)}</strong></td>"
            )
            if drg.weight is not None:
                change = move.weight_change
                row += f'<td class="num">{"–" if change is None else fmt.decimal(change, 3)}</td>'
            html.append(row + "</tr>")
        html.append("</tbody></table>")
    html.append(
        _howto(
            "Hver vurdert episode er gruppert med DRG-tabellene for sitt år slik den er kodet og "
            "slik revisoren koder den. Antallet og vektendringen for perioden er anslått ut fra "
            "utvalget med 95 %-intervall (t-fordeling). Positiv vektendring betyr at kodingen "
            "i dag gir for lav vekt."
        )
    )
    html.append("</section>")
    return "\n".join(html)


def _agreement(results: AuditResults) -> str:
    html = ['<section id="samsvar">', "<h2>Samsvar mellom revisorene</h2>"]
    if results.second is None or not results.agreements:
        html.append(
            '<p class="empty">Bare én revisor har vurdert utvalget. La en annen revisor fylle '
            "ut en egen kopi av arbeidsarket (kodevakt audit worksheet) for å måle samsvaret."
            "</p></section>"
        )
        return "\n".join(html)
    episodes = results.agreements[0].agreement.episodes
    html.append(
        f"<p>{escape(results.auditor)} og {escape(results.second)} har begge vurdert "
        f"{fmt.integer(episodes)} episoder.</p>"
    )
    html.append(
        '<table><thead><tr><th>Vurdering</th><th class="num">Enige</th>'
        '<th class="num">Kappa</th><th class="num">95 % intervall</th></tr></thead><tbody>'
    )
    for row in results.agreements:
        a = row.agreement
        kappa = "–" if a.kappa is None else fmt.decimal(a.kappa, 2)
        bounds = (
            "–"
            if a.low is None or a.high is None
            else f"{fmt.decimal(a.low, 2)} til {fmt.decimal(a.high, 2)}"
        )
        html.append(
            f"<tr><td>{escape(row.label)}</td>"
            f'<td class="num">{fmt.integer(a.agreed)} av {fmt.integer(a.episodes)}</td>'
            f'<td class="num">{kappa}</td><td class="num">{bounds}</td></tr>'
        )
    html.append("</tbody></table>")
    html.append(
        _howto(
            "Cohens kappa måler hvor enige revisorene er utover det de ville vært ved en "
            "tilfeldighet: 1 er full enighet, 0 ikke bedre enn tilfeldig. Over 0,6 regnes "
            "vanligvis som godt, over 0,8 som svært godt. Kappa mangler (–) når begge alltid "
            "svarte det samme."
        )
    )
    html.append("</section>")
    return "\n".join(html)


def _calibration(rows: tuple[Calibration, ...]) -> str:
    html = ['<section id="treffsikkerhet">', "<h2>kodevakts treffsikkerhet</h2>"]
    html.append(
        "<p>Hvor godt kodevakts funn (da utvalget ble trukket) forutså revisorens rettinger, "
        "per regelfamilie.</p>"
    )
    html.append(
        '<table><thead><tr><th>Regelfamilie</th><th class="num">Episoder med funn</th>'
        '<th class="num">Presisjon</th><th class="num">Fangst (recall)</th></tr></thead><tbody>'
    )
    for row in rows:
        html.append(
            f'<tr><td>{escape(row.label)}</td><td class="num">{fmt.integer(row.flagged)}</td>'
            f'<td class="num">{escape(interval(row.precision))}</td>'
            f'<td class="num">{escape(interval(row.recall))}</td></tr>'
        )
    html.append("</tbody></table>")
    html.append(
        _howto(
            "Presisjon: av episodene der familien ga funn, andelen revisoren rettet. Fangst: av "
            "episodene revisoren rettet, andelen familien hadde gitt funn på. Lav presisjon "
            "betyr mange funn koderne må se på uten at noe er galt; lav fangst betyr feil "
            "kodevakt ikke ser. Begge er anslag for perioden med 95 %-intervall."
        )
    )
    html.append("</section>")
    return "\n".join(html)


def _sample(results: AuditResults) -> str:
    sample = results.sample
    html = ['<section id="utvalget">', "<h2>Utvalget</h2>"]
    html.append(
        f"<p>{escape(results.design.capitalize())}: {fmt.integer(sample.sampled)} av "
        f"{fmt.integer(sample.population)} episoder i perioden, trukket med frø {sample.seed} "
        f"(samme frø gir samme utvalg). Vurderinger: "
        + ", ".join(f"{escape(name)} {fmt.integer(n)}" for name, n in results.auditors)
        + ".</p>"
    )
    html.append(
        '<table class="units"><thead><tr><th>Stratum</th><th class="num">Episoder i perioden'
        '</th><th class="num">Trukket</th><th class="num">Vurdert</th>'
        '<th class="num">Med feil</th><th class="num">Inklusjonssannsynlighet</th></tr>'
        "</thead><tbody>"
    )
    for row in results.strata:
        chance = row.drawn / row.population if row.population else 0.0
        html.append(
            f'<tr><td>{escape(row.stratum)}</td><td class="num">{fmt.integer(row.population)}'
            f'</td><td class="num">{fmt.integer(row.drawn)}</td>'
            f'<td class="num">{fmt.integer(row.reviewed)}</td>'
            f'<td class="num">{fmt.integer(row.with_errors)}</td>'
            f'<td class="num">{fmt.decimal(chance, 4)}</td></tr>'
        )
    html.append("</tbody></table>")
    html.append(
        "<ul><li>Anslagene veier hver vurdert episode med hvor mange episoder i sitt stratum "
        "den står for (stratum-størrelse delt på antall vurderte), så de gjelder hele "
        "perioden selv når noen strata er trukket tettere enn andre.</li>"
        f"<li>Intervallene for andeler er {escape(results.method.norwegian)}-intervaller; for "
        "stratifiserte utvalg regnet på effektiv utvalgsstørrelse (Korn og Graubard). "
        "Kappa og intervallene kommer fra statsmodels.</li>"
        "<li>Rapporten inneholder episode-id-er, men ingen pasient-id-er.</li></ul>"
    )
    html.append("</section>")
    return "\n".join(html)
