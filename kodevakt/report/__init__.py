"""Reports and worklists: one offline HTML report per period, and worklists for coders.

Layers: `data` collects plain dataclasses from what the pipeline stored; `svg` draws
charts from plain data; `html` assembles the page; `worklist` writes xlsx/csv; `pseudonym`
replaces patient ids by keyed hashes. The renderers never touch the database, so they are
tested with hand-made data.
"""
