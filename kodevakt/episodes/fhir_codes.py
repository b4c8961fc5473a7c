"""The FHIR R4 vocabulary kodevakt reads and writes: Norwegian code systems, its extensions.

Code systems are those of HL7 Norway's base profiles (no-basis) and DIPS Arena
(../shared/domain/formats.md): ICD-10 under its OID or `http://hl7.org/fhir/sid/icd-10-no`,
the procedure lists under the combined OID 7275 (or NCSP 7210, NCMP 7220, NCRP 7270), ATC
under 7180 or WHO's URL, care level (omsorgsnivå) 8406. What FHIR has no element for —
the further codes of an NPR code group, a department given as text, an age without a birth
date, the epicrisis text — travels in kodevakt's extensions (`urn:kodevakt:fhir:…`),
documented in docs/formats.md (section 9).
"""

from __future__ import annotations

import re

OID = "urn:oid:2.16.578.1.12.4.1.1."
ICD10 = OID + "7110"
ICD10_SYSTEMS = frozenset(
    {ICD10, "http://hl7.org/fhir/sid/icd-10-no", "http://hl7.org/fhir/sid/icd-10"}
)
PROCEDURES = OID + "7275"  # NCSP + NCMP + NCRP, the combined list
ATC = "http://www.whocc.no/atc"
PROCEDURE_SYSTEMS = frozenset(
    {PROCEDURES, OID + "7210", OID + "7220", OID + "7270", ATC, OID + "7180"}
)
CARE_LEVEL = OID + "8406"
ORGANISATION = "urn:oid:2.16.578.1.12.4.1.4.101"  # the Norwegian register of entities
# Person identifiers that must never become kodevakt's patient id: national identity
# number, D-number, H-number, FH-number.
PERSON_ID_SYSTEMS = frozenset(f"urn:oid:2.16.578.1.12.4.1.4.{n}" for n in (1, 2, 3, 4))

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
DIAGNOSIS_ROLE = "http://terminology.hl7.org/CodeSystem/diagnosis-role"
MAIN = "Main"  # Condition.category code DIPS marks the main condition with

PREFIX = "urn:kodevakt:fhir:"
EPISODE_ID = PREFIX + "episode-id"
PATIENT_ID = PREFIX + "patient-id"
CATEGORY = PREFIX + "diagnosis-category"
GROUP_CODE = PREFIX + "group-code"  # valueCoding: a further code of the same NPR group
PROCEDURE_NUMBER = PREFIX + "procedure-number"  # valueInteger: place among the procedures
DEPARTMENT = PREFIX + "department"  # valueString
AGE = PREFIX + "age"  # valueInteger: years, when no birth date is known
AGE_DAYS = PREFIX + "age-days"  # valueInteger
SEX = PREFIX + "sex"  # valueString: the sex as written, when it is no FHIR gender
TEXT = PREFIX + "text"  # valueString: the epicrisis text
GROUPING_INFERRED = PREFIX + "grouping-inferred"  # valueBoolean

# FHIR class (v3 ActCode) of each care level, and back (codes of other encounter classes
# are read as the nearest care level)
CLASS_OF_CARE = {"1": "IMP", "2": "SS", "3": "AMB", "8": "AMB"}
CARE_OF_CLASS = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "inpatient",
    "SS": "day",
    "AMB": "outpatient",
    "EMER": "outpatient",
    "OBSENC": "outpatient",
    "VR": "outpatient",
    "HH": "outpatient",
    "FLD": "outpatient",
}
CARE_CODE = {"inpatient": "1", "day": "2", "outpatient": "3"}
PRIORITY = {"acute": "EM", "elective": "EL"}
URGENCY_OF_PRIORITY = {"EM": "acute", "A": "acute", "UR": "acute", "S": "acute", "EL": "elective"}
GENDER = {"M": "male", "K": "female"}
SEX_OF_GENDER = {"male": "M", "female": "K", "unknown": "0"}

_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def valid_id(value: str) -> bool:
    """Whether `value` can be a FHIR resource id."""
    return bool(_ID.fullmatch(value))
