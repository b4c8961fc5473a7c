"""Next year before it comes: a stored period's episodes re-run as if coded in another year.

`run.simulate` moves every episode's dates into the target year (`shift`), checks it again
with the code lists and rules in force then, groups it with that year's DRG tables when
they are supplied, and compares with the episode as it is: codes that become invalid,
valid or change meaning, findings that appear or vanish by rule, and DRG and weight shifts
by department, each with the episodes behind it. `html` and `table` write the result.
"""
