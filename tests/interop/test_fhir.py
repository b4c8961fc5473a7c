"""FHIR R4: a Bundle with codes with and without dots, ICD-10 under either system, resources
in any order; references that point nowhere are rejected and named; written resources are
valid R4."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from kodevakt.episodes import fhir_codes as fc
from kodevakt.episodes.fhir_reader import read_fhir
from kodevakt.episodes.fhir_writer import episode_resources, write_fhir
from kodevakt.episodes.interchange import episode_from_dict
from kodevakt.episodes.model import Episode, Source
from kodevakt.episodes.records import Rejected
from kodevakt.synth import generate

FNR = "01017012345"  # a person id number: must never become the patient id


def resources() -> list[dict[str, Any]]:
    patient = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [
            {"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": FNR},
            {"system": "urn:dips:pasient", "value": "pas-17"},
        ],
        "gender": "female",
        "birthDate": "1950-04-01",
    }
    encounter = {
        "resourceType": "Encounter",
        "id": "enc1",
        "status": "finished",
        "class": {"system": fc.ACT_CODE, "code": "IMP"},
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2025-03-01T10:15:00+01:00", "end": "2025-03-05T11:00:00Z"},
        "diagnosis": [
            {"condition": {"reference": "Condition/c2"}, "rank": 2},
            {"condition": {"reference": "Condition/c3"}, "rank": 3},
        ],
    }
    main = {
        "resourceType": "Condition",
        "id": "c1",
        "subject": {"reference": "Patient/p1"},
        "encounter": {"reference": "Encounter/enc1"},
        "category": [
            {"coding": [{"system": "http://dips.no/fhir/diagnosekategori", "code": "Main"}]}
        ],
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-no", "code": "J128"}]},
        "extension": [{"url": fc.GROUP_CODE, "valueCoding": {"system": fc.ICD10, "code": "U07.1"}}],
    }
    other = {
        "resourceType": "Condition",
        "id": "c2",
        "subject": {"reference": "Patient/p1"},
        "code": {"coding": [{"system": fc.ICD10, "code": "I10"}]},
    }
    third = {
        "resourceType": "Condition",
        "id": "c3",
        "subject": {"reference": "Patient/p1"},
        "encounter": {"reference": "Encounter/enc1"},
        "code": {
            "coding": [
                {"system": "http://snomed.info/sct", "code": "38341003"},
                {"system": "urn:oid:2.16.578.1.12.4.1.1.7110", "code": "E11.9"},
            ]
        },
    }
    procedure = {
        "resourceType": "Procedure",
        "id": "pr1",
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "encounter": {"reference": "Encounter/enc1"},
        "code": {"coding": [{"system": fc.PROCEDURES, "code": "GXAV40"}]},
        "performedDateTime": "2025-03-02",
    }
    return [patient, encounter, main, other, third, procedure]


def bundle(items: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in items]}
    )


def read(tmp_path: Path, text: str, name: str = "bundle.json") -> list[Episode | Rejected]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(read_fhir(path))


def test_a_bundle_in_any_order_gives_the_episode(tmp_path: Path) -> None:
    items = resources()
    for seed in range(5):
        random.Random(seed).shuffle(items)
        (episode,) = read(tmp_path, bundle(items))
        assert isinstance(episode, Episode)
        assert episode.id == "enc1"
        # main by category Main (codes with and without the dot, either ICD-10 system), the
        # others by their rank in Encounter.diagnosis, SNOMED left out
        assert episode.conditions == [["J128", "U07.1"], ["I10"], ["E11.9"]]
        assert [(g.codes, str(g.date)) for g in episode.procedures] == [(["GXAV40"], "2025-03-02")]
        assert episode.patient.id == "pas-17"
        assert str(episode.admission) == "2025-03-01 10:15:00"
        assert str(episode.discharge) == "2025-03-05 12:00:00"  # UTC → Norwegian time
        assert episode.care_level is not None and episode.care_level.value == "inpatient"


def test_ndjson_reads_the_same(tmp_path: Path) -> None:
    text = "\n".join(json.dumps(r) for r in reversed(resources())) + "\n"
    (episode,) = read(tmp_path, text, "ressurser.ndjson")
    assert isinstance(episode, Episode)
    assert episode.conditions == [["J128", "U07.1"], ["I10"], ["E11.9"]]


def test_references_that_point_nowhere_are_named(tmp_path: Path) -> None:
    items = resources()
    items[1]["subject"] = {"reference": "Patient/finnes-ikke"}
    items[5]["encounter"] = {"reference": "Encounter/borte"}
    records = read(tmp_path, bundle(items))
    rejected = [r for r in records if isinstance(r, Rejected)]
    assert len(records) == 2 and len(rejected) == 2  # the encounter, and the orphan procedure
    texts = [r.describe() for r in rejected]
    assert any("Encounter/enc1 (oppføring 2)" in t and "«Patient/finnes-ikke»" in t for t in texts)
    assert any("Procedure/pr1 (oppføring 6)" in t and "«Encounter/borte»" in t for t in texts)
    assert all(FNR not in t for t in texts)


def test_an_invalid_resource_rejects_its_encounter_with_the_field(tmp_path: Path) -> None:
    items = resources()
    items[2]["code"]["coding"][0]["code"] = "J12 8 "  # FHIR codes have no trailing space
    (rejected,) = read(tmp_path, bundle(items))
    assert isinstance(rejected, Rejected)
    assert rejected.position == "Condition/c1 (oppføring 3)"
    assert rejected.field is not None and rejected.field.startswith("code.coding")


def test_written_resources_are_valid_r4_and_read_back(tmp_path: Path) -> None:
    episodes = []
    for i, item in enumerate(generate(200, seed=8, year=2025), start=1):
        record = episode_from_dict(item, Source("s", i))
        assert isinstance(record, Episode)
        episodes.append(record)
    path = tmp_path / "ut.json"
    with open(path, "wb") as stream:
        write_fhir(episodes, stream)
    Bundle.model_validate_json(path.read_text(encoding="utf-8"))
    for episode in episodes[:20]:
        conditions = [r for r in episode_resources(episode) if r["resourceType"] == "Condition"]
        marked = ["category" in r for r in conditions]
        assert marked == [i == 0 for i in range(len(conditions))]  # the main condition only
    back = [e for e in read_fhir(path) if isinstance(e, Episode)]
    assert [e.conditions for e in back] == [e.conditions for e in episodes]
