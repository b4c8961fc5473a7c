"""Departments' own code lists (coding forms, favourites in the patient system), checked for
a year before it starts.

`check.check_list` reads a CSV or xlsx list of codes with the department's own texts
(`check.read_list`) and says, code by code, what the year's code lists and rules make of it:
not valid or not reportable that year, a changed official text, a code that may not be the
main condition in Norway, an unspecific code where the list could offer the specific ones,
and an own text that no longer matches the official one.
"""
