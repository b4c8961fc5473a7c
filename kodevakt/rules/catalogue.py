"""Every rule module, imported explicitly so the registry is complete."""

from kodevakt.batch import patterns  # noqa: F401  (M01–M07, rules over a whole batch)
from kodevakt.rules import codes, episode, procedures  # noqa: F401
from kodevakt.rules.conditions import (  # noqa: F401
    care_path,
    complications,
    dagger_asterisk,
    infection,
    main_condition,
    multiple_coding,
    neoplasm,
    patient_fit,
)
