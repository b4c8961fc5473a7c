"""The coding team's web workplace and HTTP API (FastAPI, server-rendered Jinja2 pages, htmx).

Modules: `settings` (what `kodevakt serve` configures), `services` (what routes share: the
store, accounts, the DRG tables), `app` (`create_app`), `security` (who is asking: sessions,
API tokens, roles, CSRF), `pages` (`render` with the page frame), `errors` (Norwegian error
pages and the API's error shape), `routes/` (one module per area; `routes.ROUTERS` lists them),
`templates/`, `static/` (CSS and the vendored htmx, served locally: nothing is fetched from
outside at run time).
"""
