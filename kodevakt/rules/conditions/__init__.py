"""T rules: the condition groups (main condition first) of an episode.

Every module here registers T rules except `infection_codes` (what kodevakt knows about
infection codes) and `treatments` (procedure codes read as treatment), which hold what several
rule modules share; rule modules import from those and from `kodevakt.rules.vocabulary`, never
from each other (tests/rules/test_vocabulary.py holds them to that).
"""
