"""Every episode rule module, imported explicitly so the registry is complete.

The pattern rules (M01–M07) are registered by `kodevakt.batch.patterns`, a layer above.
"""

from kodevakt.rules import consistency, procedure_coding, validity  # noqa: F401
from kodevakt.rules.conditions import (  # noqa: F401
    care_path,
    complications,
    coronary,
    dagger_asterisk,
    follow_up,
    infection,
    main_condition,
    multiple_coding,
    neoplasm,
    patient_fit,
    symptoms,
)
