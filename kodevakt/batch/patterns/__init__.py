"""The pattern rules M01–M07, which read a whole batch: a kind of rule of their own.

| module | rules |
| --- | --- |
| `stays.py` | M01 split stay, M02 transfer pair, M03 short stay in a day-care group |
| `practice.py` | M04 deviating practice (funnel limits), M05 change in practice (z-test) |
| `contacts.py` | M06 several outpatient contacts the same day |
| `code_use.py` | M07 unusual code use |

Importing this package registers them in `registry.PATTERN_RULES`; `kodevakt.batch.run_patterns`
runs them.
"""

from kodevakt.batch.patterns import code_use, contacts, practice, stays  # noqa: F401
