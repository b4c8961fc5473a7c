"""The pipeline: read → check → store → patterns → indicators, in one place.

The CLI, the web application, the HTTP API and a distributed run all import and analyse
episodes through this one module; storage only stores and queries, and reports only read
what the pipeline stored::

    from kodevakt.pipeline import Pipeline
    from kodevakt.storage import Store

    with Store("kodevakt.db") as store:
        pipeline = Pipeline(store)                  # checker: every stable rule by default
        result = pipeline.import_files(["t1.jsonl"], "2025T1", encoding=None)
        for file in result.files:                   # FileImport per file
            file.read, file.rejected, file.rejections, file.episodes_new, file.findings_fixed
            file.error, file.notices                # why it failed; the reader's warnings
        result.patterns                             # the M01–M07 run after the files
        pipeline.import_files(paths, "2025T1", patterns=False)   # files only; patterns later:
        pipeline.update_patterns("2025T1")          # -> FileImport of the M run
        pipeline.import_by_tertial(["2025.jsonl"])  # --period auto: list[ImportResult]
        pipeline.ensure_current(["2025T1", "2025T2"])  # run the patterns where stale
        for item in pipeline.corrected_episodes("2025T1"):  # approved fixes applied
            item.episode, item.corrected, item.left      # Corrected

- Every record read is checked or rejected (with file, line and field, never a value):
  per file, `read = stored + rejected` (`importing`).
- One file is one transaction; a file that fails is rolled back, its run logged as failed
  with the reason, and the next file imported. One import runs at a time per database.
- `--period auto` reads each file once and puts each episode in the tertial of its
  discharge date (`tertials`).
- The pattern rules run over the whole period after its files and store their findings and
  the period's indicator values (`patterns`); reports call `ensure_current` first, so they
  never read stale results and never compute their own. An import into an empty period
  keeps the episodes it checked for that run instead of reading them back (`kept`).

- The corrected extract (`kodevakt export --with-fixes`) applies the fixes coders approved
  (`corrections`); where two overlap, one at a time with a fresh check between.

Modules: `importing` (reading, record accounting, checking, handing batches to storage),
`tertials` (`--period auto`), `patterns` (the pattern run, stale periods), `kept` (the
checked episodes kept for the pattern run), `corrections`
(approved fixes applied), `flow` (the `Pipeline`).
"""

from kodevakt.pipeline.flow import Pipeline
from kodevakt.pipeline.importing import ImportResult
from kodevakt.pipeline.tertials import AUTO_PERIOD, is_auto
from kodevakt.storage import FileImport

__all__ = ["AUTO_PERIOD", "FileImport", "ImportResult", "Pipeline", "is_auto"]
