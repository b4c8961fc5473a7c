"""Record review (journalrevisjon): samples, the auditors' worksheet, and what they show.

    kodevakt audit sample   → `frame` (the period's episodes and their strata) and `sampling`
                              (the draw), stored by `kodevakt.storage.audits`, written by
                              `worksheet`
    kodevakt audit import   → `worksheet` reads the filled sheet into `review.Review`s
    kodevakt audit report   → `results` (error rates, DRG, kappa, calibration) with the
                              statistics of `estimates`, rendered by `html`

`sampling`, `estimates` and `review` are plain computation over plain data; the rest reads
and writes the database through the store.
"""
