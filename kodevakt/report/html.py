"""The report page: one self-contained HTML file in Norwegian (inline CSS, inline SVG).

No scripts, fonts, style sheets or images are loaded from anywhere: the file opens offline
and can be mailed or archived as it is. Every text from the data is escaped here. With a
units file (`kodevakt.batch.units`), institutions and departments are shown by name: in
tables and text as `Medisinsk avdeling (MED)`, in the charts by name alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from html import escape
from pathlib import Path

from kodevakt.batch.compare import MIN_DENOMINATOR
from kodevakt.batch.topics import MIN_FLAGGED, LearningProfile
from kodevakt.batch.units import NO_UNITS, Units
from kodevakt.report import fmt
from kodevakt.report.model import (
    EffectSummary,
    IndicatorView,
    PatternExample,
    PatternSummary,
    ReportData,
    RuleCount,
    UnitValue,
)
from kodevakt.report.svg import (
    INNER,
    OUTER,
    Bar,
    Change,
    FunnelChart,
    FunnelPoint,
    LineChart,
    bar_chart,
    change_chart,
    funnel_plot,
    line_chart,
)
from kodevakt.rules.finding import Severity

SEVERITY_COLOUR = {Severity.ERROR: "#C0392B", Severity.WARNING: "#E69F00", Severity.INFO: "#0072B2"}
SEVERITY_TITLE = {Severity.ERROR: "Feil", Severity.WARNING: "Advarsler", Severity.INFO: "Info"}
ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
MONTHS = {"1": "januar–april", "2": "mai–august", "3": "september–desember"}

CSS = """
:root { --ink: #222; --muted: #666; --line: #ddd; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); background: var(--bg); }
main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.meta { color: var(--muted); margin: 0; }
nav { margin: 16px 0 8px; padding: 8px 12px; background: var(--bg); border-radius: 6px; }
nav a { margin-right: 14px; color: #0b5394; text-decoration: none; }
h2 { margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--ink);
  font-size: 21px; }
h3 { margin: 28px 0 4px; font-size: 17px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { flex: 1 1 150px; padding: 10px 14px; border: 1px solid var(--line); border-radius: 6px; }
.card .number { font-size: 26px; font-weight: 650; }
.card .what { color: var(--muted); font-size: 13px; }
.card.error .number { color: #C0392B; } .card.warning .number { color: #A86F00; }
.card.info .number { color: #0072B2; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 14px; }
table.units { font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.verdict, td.id { white-space: nowrap; }
details summary { cursor: pointer; color: #0b5394; margin: 4px 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sev { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; }
.sev.error { background: #C0392B; } .sev.warning { background: #A86F00; }
.sev.info { background: #0072B2; }
.flag-998 { color: #B03A00; font-weight: 600; } .flag-95 { color: #8a6000; }
.few { color: var(--muted); }
figure { margin: 8px 0; } svg.chart { max-width: 100%; height: auto; }
.howto { background: #fffbea; border-left: 4px solid #E69F00; padding: 8px 12px; margin: 8px 0 16px;
  font-size: 14px; }
.empty { color: var(--muted); font-style: italic; }
code { font-size: 13px; background: var(--bg); padding: 0 3px; border-radius: 3px; }
.two { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px;
  align-items: start; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
@media (max-width: 800px) { .two { display: block; } }
@media print { body { background: #fff; } main { max-width: none; padding: 0; }
  nav { display: none; } article, figure, table { break-inside: avoid; } }
"""


def period_label(period: str) -> str:
    """'2025T1' -> '1. tertial 2025 (januar–april)'; other labels unchanged."""
    match = re.fullmatch(r"(\d{4})T([123])", period)
    if not match:
        return period
    year, part = match.groups()
    return f"{part}. tertial {year} ({MONTHS[part]})"


class _Names:
    """The report's unit labels (an institution, a department, `institution/department`) as
    the units file names them; a label it does not name is shown as it is."""

    def __init__(self, units: Units, institution: str | None) -> None:
        self.units = units
        self.institution = institution

    def text(self, label: str) -> str:
        """`Medisinsk avdeling (MED)`, for tables and text."""
        return self.units.unit_text(label, self.institution)

    def short(self, label: str) -> str:
        """`Medisinsk avdeling`, for chart labels."""
        return self.units.unit_name(label, self.institution) or label


def render_report(data: ReportData, units: Units = NO_UNITS) -> str:
    """The whole page as one string; `units` names the institutions and departments."""
    names = _Names(units, data.institution)
    place = units.institution_text(data.institution) if data.institution else ""
    where = f" – {place}" if place else ""
    title = f"Kodekvalitet {data.period}{where}"
    body = [
        _header(data, place),
        _nav(),
        _summary(data, names),
        _rules(data.rules, data.episodes),
        _effect(data.effect, names),
        _indicators(data.indicators, names),
        _trends(data.indicators, names),
        _patterns(data.patterns, data.pattern_examples, names),
        learning_section(data.learning, names.text),
        _about(data, units),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _header(data: ReportData, place: str) -> str:
    institution = escape(place) if place else "alle institusjoner"
    made = data.generated.strftime("%d.%m.%Y kl. %H:%M")
    version = f" {escape(data.version)}" if data.version else ""
    return (
        "<header>\n"
        f"<h1>Kodekvalitet: {escape(period_label(data.period))}</h1>\n"
        f'<p class="meta">Institusjon: {institution} · Laget {made} med kodevakt{version} · '
        "Pasient-id-er er pseudonymisert</p>\n</header>"
    )


def _nav() -> str:
    links = [
        ("sammendrag", "Sammendrag"),
        ("funn", "Funn per regel"),
        ("drg", "Hva feilene flytter"),
        ("indikatorer", "Indikatorer"),
        ("utvikling", "Utvikling"),
        ("monstre", "Mønstre"),
        ("laering", "Læring"),
        ("om", "Om rapporten"),
    ]
    return "<nav>" + "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t in links) + "</nav>"


def _howto(text: str, what: str = "figuren") -> str:
    return f'<p class="howto"><strong>Slik leser du {what}:</strong> {escape(text)}</p>'


def _sev(severity: Severity) -> str:
    return f'<span class="sev {severity.value}">{escape(severity.norwegian)}</span>'


def _summary(data: ReportData, names: _Names) -> str:
    share = data.episodes_with_findings / data.episodes if data.episodes else 0.0
    cards = [
        ("", fmt.integer(data.episodes), "episoder i perioden"),
        ("", fmt.integer(data.episodes_with_findings), f"episoder med funn ({fmt.percent(share)})"),
    ]
    for severity in ORDER:
        count = data.by_severity.get(severity, 0)
        cards.append((severity.value, fmt.integer(count), f"funn: {severity.norwegian}"))
    html = ['<section id="sammendrag">', "<h2>Sammendrag</h2>", '<div class="cards">']
    for css, number, what in cards:
        html.append(
            f'<div class="card {css}"><div class="number">{number}</div>'
            f'<div class="what">{escape(what)}</div></div>'
        )
    html.append("</div>")
    bars = [Bar(SEVERITY_TITLE[s], data.by_severity.get(s, 0), SEVERITY_COLOUR[s]) for s in ORDER]
    html.append(f"<figure>{bar_chart('Funn etter alvorlighet', bars)}</figure>")
    html.append(
        _howto(
            "Hver stolpe er antall funn med den alvorligheten i perioden. Feil må rettes før "
            "rapportering til NPR, advarsler må vurderes av en koder, info er råd og "
            "kvalitetssignaler. En episode kan ha flere funn."
        )
    )
    if data.departments:
        html.append(
            "<p>Episoder per avdeling: "
            + ", ".join(f"{escape(names.text(d))} {fmt.integer(n)}" for d, n in data.departments)
            + ".</p>"
        )
    html.append("</section>")
    return "\n".join(html)


def _rules(rules: tuple[RuleCount, ...], episodes: int) -> str:
    html = ['<section id="funn">', "<h2>Funn per regel og alvorlighet</h2>"]
    if not rules:
        html.append('<p class="empty">Ingen funn i perioden.</p></section>')
        return "\n".join(html)
    html.append(
        "<p>Alle regler som ga funn, sortert etter alvorlighet og antall. Andelen er regnet av "
        "alle episoder i perioden.</p>"
    )
    html.append(
        '<table class="rules"><thead><tr><th>Regel</th><th>Beskrivelse</th><th>Alvorlighet</th>'
        '<th class="num">Funn</th><th class="num">Episoder</th><th class="num">Andel</th>'
        "</tr></thead><tbody>"
    )
    ordered = sorted(rules, key=lambda r: (-r.severity.rank, -r.findings, r.rule))
    for r in ordered:
        share = r.episodes / episodes if episodes else 0.0
        html.append(
            f"<tr><td>{escape(r.rule)}</td><td>{escape(r.title)}</td><td>{_sev(r.severity)}</td>"
            f'<td class="num">{fmt.integer(r.findings)}</td>'
            f'<td class="num">{fmt.integer(r.episodes)}</td>'
            f'<td class="num">{fmt.percent(share)}</td></tr>'
        )
    html.append("</tbody></table></section>")
    return "\n".join(html)


EFFECT_SUPPLY = (
    "kodevakt leverer ikke DRG-tabellene. Helsedirektoratet publiserer dem hvert år "
    "(«DRG-logikk definisjonstabeller»). Lag rapporten med "
    "<code>kodevakt report --period … --definitions FIL</code> (arbeidsbok .xlsx, JSON- eller "
    "zip-fil, eller en mappe med én fil per år; året leses av filnavnet), eller sett "
    "miljøvariabelen <code>KODEVAKT_DRG_DEFINITIONS</code>. Vektendringer (DRG-poeng) krever "
    "i tillegg kostnadsvektene: en <code>drg;vekt</code>-fil per år med året i filnavnet, gitt "
    "med <code>--weights</code> eller <code>KODEVAKT_DRG_WEIGHTS</code>."
)
EFFECT_HOWTO = (
    "Hver rad er en regel. «Med retting» er åpne funn der regelen foreslår en konkret "
    "retting, og funn der en koder har godkjent rettingen; episoden er gruppert med "
    "DRG-tabellene for sitt år slik den er kodet og slik den "
    "blir etter rettingen. «Endrer DRG» er rettingene som gir en annen DRG. Vektendringen er "
    "DRG-vekt etter minus før, summert for regelen (DRG-poeng): positivt betyr at episodene er "
    "kodet til for lav vekt i dag, negativt at de er kodet til for høy. Hver retting er "
    "vurdert for seg mot episoden slik den er kodet, så to rettinger i samme episode telles "
    "hver for seg. Tallene viser hva kodingen flytter, ikke hva som er riktig: journalen "
    "avgjør."
)
EFFECT_CHART_HOWTO = (
    " I figuren går stolpen mot høyre (blå) når rettingene samlet gir høyere vekt, og mot "
    "venstre (oransje) når de gir lavere."
)
CHART_RULES = 12  # rules drawn in the weight chart, largest changes first


def _signed(value: float | None, digits: int = 3) -> str:
    """+0,750 / −0,250 / 0,000; empty when unknown."""
    if value is None:
        return ""
    text = fmt.decimal(abs(value), digits)
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def _weight(value: float | None) -> str:
    return "–" if value is None else fmt.decimal(value, 3)


def _effect(effect: EffectSummary | None, names: _Names) -> str:
    html = ['<section id="drg">', "<h2>Hva feilene flytter</h2>"]
    if effect is None or not effect.available:
        problem = effect.problem if effect is not None else ""
        html.append(
            '<p class="empty">DRG-effekten av feilene er ikke beregnet. '
            + escape(problem or "Ingen DRG-definisjonstabeller er oppgitt.")
            + "</p>"
        )
        html.append(
            f'<p class="howto"><strong>Slik tar du med denne delen:</strong> {EFFECT_SUPPLY}</p>'
        )
        html.append("</section>")
        return "\n".join(html)
    years = ", ".join(str(y) for y in effect.years)
    html.append(
        "<p>Åpne funn med et konkret rettingsforslag og funn med godkjent retting, gruppert "
        "med DRG-tabellene for episodens "
        f"år{f' ({escape(years)})' if years else ''} før og etter rettingen"
        + (", med kostnadsvektene." if effect.weighted else ". Ingen vekter er lastet.")
        + "</p>"
    )
    if not effect.fixes:
        html.append(
            '<p class="empty">Ingen åpne funn med rettingsforslag eller godkjent retting i '
            "perioden.</p>"
        )
        html.extend(_effect_notes(effect))
        html.append("</section>")
        return "\n".join(html)
    cards = [
        ("", fmt.integer(effect.fixes), "funn med rettingsforslag"),
        ("", fmt.integer(effect.changed), "rettinger som endrer DRG"),
        ("", fmt.integer(effect.episodes), "episoder gruppert"),
    ]
    if effect.weighted:
        cards.append(("", _signed(effect.weight_change), "sum vektendring (DRG-poeng)"))
    html.append('<div class="cards">')
    for css, number, what in cards:
        html.append(
            f'<div class="card {css}"><div class="number">{number}</div>'
            f'<div class="what">{escape(what)}</div></div>'
        )
    html.append("</div>")
    head = (
        '<table class="effect"><thead><tr><th>Regel</th><th>Beskrivelse</th>'
        '<th class="num">Med retting</th><th class="num">Endrer DRG</th>'
        '<th class="num">Andel</th>'
    )
    if effect.weighted:
        head += '<th class="num">Sum vektendring</th><th class="num">Største enkeltendring</th>'
    html.append(head + "</tr></thead><tbody>")
    for r in effect.rules:
        share = r.changed / r.fixes if r.fixes else 0.0
        row = (
            f"<tr><td>{escape(r.rule)}</td><td>{escape(r.title)}</td>"
            f'<td class="num">{fmt.integer(r.fixes)}</td>'
            f'<td class="num">{fmt.integer(r.changed)}</td>'
            f'<td class="num">{fmt.percent(share)}</td>'
        )
        if effect.weighted:
            row += (
                f'<td class="num">{_signed(r.weight_change)}</td>'
                f'<td class="num">{_signed(r.largest)}</td>'
            )
        html.append(row + "</tr>")
    html.append("</tbody></table>")
    howto = EFFECT_HOWTO
    drawn = [r for r in effect.rules if r.weight_change]
    if effect.weighted and drawn:
        changes = [Change(r.rule, r.weight_change or 0.0) for r in drawn[:CHART_RULES]]
        html.append(
            f"<figure>{change_chart('Vektendring per regel (DRG-poeng)', changes)}</figure>"
        )
        howto += EFFECT_CHART_HOWTO
    html.append(
        _howto(howto, "tabellen" if not (effect.weighted and drawn) else "tabellen og figuren")
    )
    if effect.examples:
        html.append("<h3>Eksempler: episoder der rettingen gir en annen DRG</h3>")
        head = (
            '<table class="examples"><thead><tr><th>Regel</th><th>Avdeling</th><th>Episode</th>'
            "<th>Pasient</th><th>År</th><th>DRG før → etter</th>"
        )
        if effect.weighted:
            head += '<th class="num">Vekt før → etter</th><th class="num">Endring</th>'
        html.append(head + "</tr></thead><tbody>")
        for e in effect.examples:
            row = (
                f"<tr><td>{escape(e.rule)}</td><td>{escape(names.text(e.department))}</td>"
                f'<td class="id">{escape(e.episode_id)}</td><td class="id">{escape(e.patient)}</td>'
                f"<td>{e.year}</td>"
                f'<td class="id">{escape(e.drg_before)} → '
                f"<strong>{escape(e.drg_after)}</strong></td>"
            )
            if effect.weighted:
                row += (
                    f'<td class="num">{_weight(e.weight_before)} → {_weight(e.weight_after)}</td>'
                    f'<td class="num">{_signed(e.weight_change)}</td>'
                )
            html.append(row + "</tr>")
        html.append("</tbody></table>")
    html.extend(_effect_notes(effect))
    html.append("</section>")
    return "\n".join(html)


def _effect_notes(effect: EffectSummary) -> list[str]:
    notes = list(effect.notes)
    if effect.not_grouped:
        one = effect.not_grouped == 1
        notes.append(
            f"{fmt.integer(effect.not_grouped)} {'episode' if one else 'episoder'} med "
            "rettingsforslag kunne ikke grupperes (ingen tabeller for året, ingen dato eller "
            "uleselige tabeller) og er ikke med i tallene over."
        )
    if not notes:
        return []
    return ['<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"]


FUNNEL_HOWTO = (
    "Hvert punkt er en avdeling: vannrett antall {denominator} (nevneren), loddrett "
    "avdelingens verdi. Den heltrukne svarte linjen er nivået for alle avdelingene samlet. "
    "Traktlinjene viser hvor langt fra det samlede nivået en avdeling av den størrelsen kan "
    "havne ved tilfeldig variasjon: innenfor den stiplede 95 %-grensen er alt som ventet; "
    "utenfor den heltrukne 99,8 %-grensen er forskjellen neppe tilfeldig og bør undersøkes "
    "(kodepraksis, pasientsammensetning eller dokumentasjon). Små avdelinger får vide grenser "
    "fordi få episoder gir stor tilfeldig variasjon."
)
FUNNEL_HOWTO_FEW = " Grå punkter har færre enn {least} {denominator} og vurderes ikke."
TREND_HOWTO = (
    "Hver linje er en avdeling, den tykke svarte linjen er alle avdelingene samlet. Vannrett "
    "står periodene, loddrett indikatorens verdi. Se etter brå sprang mellom to perioder og "
    "varige endringer; ett enkelt avvik i en liten avdeling er ofte tilfeldig."
)


def _indicators(indicators: tuple[IndicatorView, ...], names: _Names) -> str:
    html = ['<section id="indikatorer">', "<h2>Kvalitetsindikatorer per avdeling</h2>"]
    if not indicators:
        html.append('<p class="empty">Ingen indikatorer for perioden.</p></section>')
        return "\n".join(html)
    html.append(
        "<p>Indikatorene sammenligner avdelingene i perioden. Trakteplottet viser om en "
        "avdeling skiller seg ut mer enn tilfeldig variasjon forklarer.</p>"
    )
    for i, ind in enumerate(indicators):
        chart = FunnelChart(
            title=f"{ind.title}: trakteplott",
            points=tuple(
                FunnelPoint(
                    names.short(u.unit),
                    u.n,
                    u.value,
                    u.outside,
                    ind.label_all or bool(u.outside),
                    u.judged,
                )
                for u in ind.units
            ),
            pooled=ind.pooled,
            limits=ind.limits,
            is_share=ind.is_share,
            x_title=f"Antall {ind.denominator} (nevner)",
            y_title="Andel" if ind.is_share else "Gjennomsnitt",
        )
        html.append(f'<article class="indicator" id="indikator-{escape(ind.key)}">')
        html.append(f"<h3>{escape(ind.title)}</h3>")
        if ind.description:
            html.append(f"<p>{escape(ind.description)}</p>")
        html.append('<div class="two">')
        html.append(f"<figure>{funnel_plot(chart, clip_id=f'trakt-{i}')}</figure>")
        html.append(_unit_table(ind, names))
        html.append("</div>")
        howto = FUNNEL_HOWTO.format(denominator=ind.denominator)
        if any(not u.judged for u in ind.units):
            howto += FUNNEL_HOWTO_FEW.format(least=ind.min_judged, denominator=ind.denominator)
        html.append(_howto(howto))
        html.append("</article>")
    html.append("</section>")
    return "\n".join(html)


COMPACT_UNITS = 12  # with more units, the table beside the plot lists only those outside


def _unit_table(ind: IndicatorView, names: _Names) -> str:
    if len(ind.units) <= COMPACT_UNITS:
        return _units(ind, ind.units, names, total=True)
    outside = [u for u in ind.units if u.outside]
    unjudged = sum(1 for u in ind.units if not u.judged)
    inside = len(ind.units) - len(outside) - unjudged
    parts = []
    if outside:
        parts.append(_units(ind, tuple(outside), names, total=False))
    text = (
        f"{fmt.integer(inside)} av {fmt.integer(len(ind.units))} avdelinger ligger innenfor "
        f"grensene for 95{fmt.NBSP}%"
    )
    if unjudged:
        text += (
            f"; {fmt.integer(unjudged)} har færre enn {ind.min_judged} "
            f"{escape(ind.denominator)} og vurderes ikke"
        )
    parts.append(f"<p>{text}.</p>")
    parts.append(
        f"<details><summary>Alle {fmt.integer(len(ind.units))} avdelinger</summary>"
        f"{_units(ind, ind.units, names, total=True)}</details>"
    )
    return "<div>" + "\n".join(parts) + "</div>"


def _units(ind: IndicatorView, units: tuple[UnitValue, ...], names: _Names, *, total: bool) -> str:
    pooled = fmt.value(ind.pooled, is_share=ind.is_share)
    rows = [
        '<table class="units"><thead><tr><th>Avdeling</th>'
        f'<th class="num" title="{escape(ind.denominator.capitalize())}">Antall</th>'
        '<th class="num">Verdi</th><th>Grense</th></tr></thead><tbody>'
    ]
    ordered = sorted(units, key=lambda u: ({"99.8": 0, "95": 1}.get(u.outside, 2), u.unit))
    for u in ordered:
        verdict = "innenfor" if u.judged else '<span class="few">for få</span>'
        if u.outside:
            side = "over" if u.value > ind.pooled else "under"
            level = "998" if u.outside == "99.8" else "95"
            text = f"{side} {u.outside.replace('.', ',')}{fmt.NBSP}%"
            verdict = f'<span class="flag-{level}">{text}</span>'
        rows.append(
            f'<tr><td>{escape(names.text(u.unit))}</td><td class="num">{fmt.integer(u.n)}</td>'
            f'<td class="num">{fmt.value(u.value, is_share=ind.is_share)}</td>'
            f'<td class="verdict">{verdict}</td></tr>'
        )
    if total:
        rows.append(
            f'<tr><th>Samlet</th><th class="num">{fmt.integer(sum(u.n for u in ind.units))}</th>'
            f'<th class="num">{pooled}</th><th></th></tr>'
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _trends(indicators: tuple[IndicatorView, ...], names: _Names) -> str:
    shown = [ind for ind in indicators if ind.trend and len(ind.trend_periods) > 1]
    tertials = all(re.fullmatch(r"\d{4}T[123]", p) for ind in shown for p in ind.trend_periods)
    heading = "Utvikling over tertialer" if tertials else "Utvikling over perioder"
    html = ['<section id="utvikling">', f"<h2>{heading}</h2>"]
    if not shown:
        html.append(
            '<p class="empty">For få perioder i databasen til å vise utvikling; '
            "importer flere tertialer.</p></section>"
        )
        return "\n".join(html)
    periods = shown[0].trend_periods
    html.append(
        f"<p>Indikatorene for periodene {escape(periods[0])}–{escape(periods[-1])}, for de "
        "største avdelingene og samlet.</p>"
    )
    for ind in shown:
        chart = LineChart(
            title=f"{ind.title}: utvikling",
            x_labels=ind.trend_periods,
            series=tuple(replace(s, label=names.short(s.label)) for s in ind.trend),
            is_share=ind.is_share,
            x_title="Tertial" if tertials else "Periode",
            y_title="Andel" if ind.is_share else "Gjennomsnitt",
        )
        html.append(f"<h3>{escape(ind.title)}</h3>")
        html.append(f"<figure>{line_chart(chart)}</figure>")
        html.append(_howto(TREND_HOWTO))
    html.append("</section>")
    return "\n".join(html)


def _patterns(
    patterns: tuple[PatternSummary, ...], examples: tuple[PatternExample, ...], names: _Names
) -> str:
    html = ['<section id="monstre">', "<h2>Mønstre på tvers av episoder</h2>"]
    html.append(
        "<p>Mønsterreglene (M01–M07) ser på hele uttrekket: oppsplittede opphold, "
        "overføringer, korte døgnopphold, flere polikliniske kontakter samme dag, avvikende "
        "og endret kodepraksis og uvanlig kodebruk. Dette er temaene Avregningsutvalget "
        "undersøker. Et funn om en enhets praksis (M04, M05, M07) gjelder hele enheten og "
        "sier hvor mange episoder som ligger bak det; <code>kodevakt finding show</code> med "
        "funnets nøkkel (i arbeidslisten) lister dem.</p>"
    )
    if not patterns:
        html.append('<p class="empty">Ingen mønsterfunn i perioden.</p></section>')
        return "\n".join(html)
    html.append(
        '<table class="patterns"><thead><tr><th>Regel</th><th>Mønster</th><th>Alvorlighet</th>'
        '<th class="num">Funn</th><th class="num">Episoder</th><th>Flest i</th></tr></thead>'
        "<tbody>"
    )
    for p in sorted(patterns, key=lambda p: (-p.findings, p.rule)):
        where = ", ".join(
            f"{escape(names.text(d))}: {fmt.integer(n)}" for d, n in p.departments[:3]
        )
        html.append(
            f"<tr><td>{escape(p.rule)}</td><td>{escape(p.title)}</td><td>{_sev(p.severity)}</td>"
            f'<td class="num">{fmt.integer(p.findings)}</td>'
            f'<td class="num">{fmt.integer(p.episodes or p.findings)}</td><td>{where}</td></tr>'
        )
    html.append("</tbody></table>")
    if examples:
        html.append("<h3>Eksempler å se på først</h3>")
        html.append(
            '<table class="examples"><thead><tr><th>Regel</th><th>Avdeling</th><th>Episode</th>'
            "<th>Pasient</th><th>Melding</th></tr></thead><tbody>"
        )
        for e in examples:
            episode = e.episode_id or f"{fmt.integer(e.episodes)} episoder"
            html.append(
                f"<tr><td>{escape(e.rule)} {_sev(e.severity)}</td>"
                f"<td>{escape(names.text(e.department))}</td>"
                f'<td class="id">{escape(episode)}</td><td class="id">{escape(e.patient)}</td>'
                f"<td>{escape(e.message)}</td></tr>"
            )
        html.append("</tbody></table>")
    html.append("</section>")
    return "\n".join(html)


LEARNING_HOWTO = (
    "Hver rad er et tema i kodeveiledningen, med avsnittene som lærer det bort. Andelen er "
    "episoder med minst ett funn fra temaets regler, av alle episoder i perioden (funn en "
    "koder har godtatt som riktig koding er ikke med; rettede er med, for feilen ble gjort). "
    "En avdeling står oppført når dens andel ligger over 95 %-grensen rundt andelen for alle "
    "avdelingene, gitt avdelingens størrelse: der er det mer av feilen enn tilfeldig "
    "variasjon forklarer, og der har opplæring i temaet mest å hente. Avdelinger med færre "
    "enn {least} episoder vurderes ikke, og en avdeling merkes først ved {flagged} episoder "
    "med feilen."
)


def learning_section(profile: LearningProfile | None, text: Callable[[str], str]) -> str:
    """The departments' error profile by guide topic (`batch.topics`); `text` names a
    department (with the units file's name)."""
    html = ['<section id="laering">', "<h2>Læring: feilprofil etter tema</h2>"]
    if profile is None or not profile.topics:
        html.append('<p class="empty">Ingen funn å lære av i perioden.</p></section>')
        return "\n".join(html)
    html.append(
        '<table class="learning"><thead><tr><th>Tema</th><th>Kodeveiledningen</th>'
        '<th class="num">Episoder</th><th class="num">Andel</th>'
        "<th>Avdelinger med mer enn ventet</th></tr></thead><tbody>"
    )
    for topic in profile.topics:
        total = profile.totals[topic.key]
        above = [
            (unit, unit.cells[topic.key])
            for unit in profile.units
            if topic.key in unit.cells and unit.cells[topic.key].outside
        ]
        where = ", ".join(
            f'<span class="flag-{"998" if cell.outside == "99.8" else "95"}">'
            f"{escape(text(unit.unit))} {fmt.percent(cell.share)}</span>"
            for unit, cell in sorted(above, key=lambda pair: -pair[1].share)
        )
        html.append(
            f"<tr><td>{escape(topic.title)}</td><td>{escape(topic.guide)}</td>"
            f'<td class="num">{fmt.integer(total.episodes)}</td>'
            f'<td class="num">{fmt.percent(total.share)}</td><td>{where or "–"}</td></tr>'
        )
    html.append("</tbody></table>")
    head = "".join(f'<th class="num">{escape(t.title)}</th>' for t in profile.topics)
    rows = []
    for unit in profile.units:
        cells = []
        for topic in profile.topics:
            cell = unit.cells.get(topic.key)
            if cell is None:
                cells.append('<td class="num">–</td>')
                continue
            css = {"99.8": ' class="num flag-998"', "95": ' class="num flag-95"'}.get(
                cell.outside, ' class="num"'
            )
            cells.append(f"<td{css}>{fmt.percent(cell.share)}</td>")
        rows.append(
            f"<tr><td>{escape(text(unit.unit))}</td>"
            f'<td class="num">{fmt.integer(unit.episodes)}</td>{"".join(cells)}</tr>'
        )
    html.append(
        f"<details><summary>Feilprofil for alle {fmt.integer(len(profile.units))} avdelinger"
        '</summary><table class="units"><thead><tr><th>Avdeling</th>'
        f'<th class="num">Episoder</th>{head}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table></details>"
    )
    html.append(
        _howto(LEARNING_HOWTO.format(least=MIN_DENOMINATOR, flagged=MIN_FLAGGED), "tabellen")
    )
    html.append("</section>")
    return "\n".join(html)


def _about(data: ReportData, units: Units) -> str:
    notes = "".join(f"<li>{escape(n)}</li>" for n in data.notes)
    if units.file:
        notes += (
            "<li>Navn på institusjoner og avdelinger er hentet fra enhetsfilen "
            f"{escape(Path(units.file).name)}.</li>"
        )
    return (
        '<section id="om">\n<h2>Om rapporten</h2>\n<ul>'
        "<li>Funnene kommer fra kodevakts regelkontroll mot de nasjonale kodereglene som gjaldt "
        "på hver episodes dato. Funn er grunnlag for gjennomgang, ikke en fasit: det er "
        "dokumentasjonen i journalen som avgjør riktig kode.</li>"
        "<li>Trakteplottets grenser er 95 % og 99,8 % kontrollgrenser rundt det samlede nivået "
        "for alle avdelingene i perioden.</li>"
        "<li>Pasient-id-er vises bare som pseudonymer (P- og en nøkkelbasert hashverdi); "
        "rapporten inneholder ingen personopplysninger.</li>"
        f"{notes}</ul>\n"
        f'<footer>Farger: <span style="color:{INNER}">■</span> utenfor 95 %, '
        f'<span style="color:{OUTER}">■</span> utenfor 99,8 %.</footer>\n</section>'
    )
