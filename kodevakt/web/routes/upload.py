"""Import: upload an extract and follow its import through the pipeline (leads and admins).

- `GET /import`: the form (file, period or «auto», encoding, format), this server's recent
  jobs and the database's import log.
- `POST /import` (multipart): checked, saved, and imported in the background
  (`import_jobs`); 303 to the job's page. Refused with the form and a Norwegian error: a
  field that cannot be used (400), a file that is no episode extract (415, `upload_check`);
  a body over the limit gets 413 naming it (`upload_limit`, counted as it arrives).
- `GET /import/{job}`: the progress, then the result: per period and file the accounting
  `kodevakt import` prints (read = checked + rejected; rejected records by line and field,
  never a value), episodes and findings new, changed, fixed, and the pattern run.
- `GET /import/{job}/fremdrift`: the progress alone, which htmx polls every second; once the
  job has ended it answers `HX-Refresh`, so the page reloads with the result. Without
  JavaScript the page refreshes itself (a meta refresh inside <noscript>) and has a link.

Why leads: an import changes what the whole team works on (new and changed episodes,
findings marked fixed or reopened, the period's pattern findings and indicators), and a
wrong file or period is everyone's problem. Coders work the findings; leads bring the data.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kodevakt.episodes.formats import EpisodeFormat
from kodevakt.errors import KodevaktError
from kodevakt.pipeline import AUTO_PERIOD, is_auto
from kodevakt.storage import parse_period
from kodevakt.storage.accounts import Role, User
from kodevakt.web import code_data
from kodevakt.web.import_jobs import ImportJobs, Job, Upload
from kodevakt.web.pages import render
from kodevakt.web.security import require_role
from kodevakt.web.services import ServicesDep
from kodevakt.web.upload_check import ACCEPT, ENCODINGS, WrongFormat, recognise, safe_name
from kodevakt.web.upload_limit import LimitedUpload, size_text, too_large

LeadUser = Annotated[User, Depends(require_role(Role.LEAD))]
router = APIRouter(include_in_schema=False)
_uploads = APIRouter(include_in_schema=False, route_class=LimitedUpload)

LOG_ROWS = 10  # rows of the database's import log on the form page
FORMATS: tuple[tuple[str, str], ...] = (
    ("", "Gjenkjenn automatisk"),
    *((f.value, f.label) for f in EpisodeFormat),
)
RUN_STATUS = {"ok": "ferdig", "failed": "feilet", "running": "kjører"}
COPY_CHUNK = 1024 * 1024


@dataclass
class ImportForm:
    """The form's fields as typed, and an error per field that cannot be used."""

    periode: str = AUTO_PERIOD
    tegnkoding: str = ""
    format: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, fields: dict[str, str]) -> ImportForm:
        form = cls(
            fields.get("periode", "").strip(),
            fields.get("tegnkoding", ""),
            fields.get("format", ""),
        )
        if not form.periode:
            form.errors["periode"] = "Skriv perioden (for eksempel 2025T1) eller «auto»."
        elif is_auto(form.periode):
            form.periode = AUTO_PERIOD
        else:
            try:
                form.periode = parse_period(form.periode)
            except KodevaktError as exc:
                form.errors["periode"] = _sentence(str(exc))
        if form.tegnkoding not in {value for value, _ in ENCODINGS}:
            form.errors["tegnkoding"] = "Velg en av tegnkodingene i listen."
        if form.format not in {value for value, _ in FORMATS}:
            form.errors["format"] = "Velg et av formatene i listen."
        return form

    @property
    def encoding(self) -> str | None:
        return self.tegnkoding or None

    @property
    def chosen_format(self) -> EpisodeFormat | None:
        return EpisodeFormat(self.format) if self.format else None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _jobs(request: Request) -> ImportJobs:
    return ImportJobs.of(request, code_data.checker)


def _form_page(
    request: Request,
    services: ServicesDep,
    form: ImportForm,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    limit = services.settings.upload_limit
    runs = [run for run in services.store.imports() if run.kind == "file"][:LOG_ROWS]
    return render(
        request,
        "upload/form.html",
        status_code=status_code,
        title="Import",
        form=form,
        errors=form.errors,
        encodings=ENCODINGS,
        formats=FORMATS,
        accept=ACCEPT,
        limit=limit,
        limit_text=size_text(limit),
        jobs=_jobs(request).recent(),
        runs=runs,
        run_status=RUN_STATUS,
        file_name=lambda name: Path(name or "").name,
    )


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request, user: LeadUser, services: ServicesDep) -> Response:
    return _form_page(request, services, ImportForm())


@_uploads.post("/import")
async def start_import(request: Request, user: LeadUser, services: ServicesDep) -> Response:
    """Check the form and the file, save it, and start its import (see the module)."""
    submitted = await request.form()  # its spooled file is closed by `LimitedUpload`
    form = ImportForm.read({k: v for k, v in submitted.items() if isinstance(v, str)})
    upload = submitted.get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.errors["fil"] = "Velg filen som skal leses inn."
    if form.errors or not isinstance(upload, UploadFile):
        return _form_page(request, services, form, status_code=400)
    limit = services.settings.upload_limit
    if upload.size is not None and upload.size > limit:
        raise too_large(limit)
    name = safe_name(upload.filename)
    path, size = await run_in_threadpool(_save, upload, name)
    try:
        recognised = await run_in_threadpool(recognise, path, form.encoding, form.chosen_format)
    except WrongFormat as exc:
        shutil.rmtree(path.parent, ignore_errors=True)
        form.errors["fil"] = str(exc)
        return _form_page(request, services, form, status_code=415)
    job = _jobs(request).start_import(
        Upload(
            path, name, size, form.periode, form.encoding, recognised.format, form.chosen_format
        ),
        user.name,
    )
    return RedirectResponse(f"/import/{job.id}", status_code=303)


def _save(upload: UploadFile, name: str) -> tuple[Path, int]:
    """The upload copied into a new folder of its own (owner-only), and its size."""
    folder = Path(tempfile.mkdtemp(prefix="kodevakt-opplasting-"))
    path = folder / name
    try:
        upload.file.seek(0)
        with open(path, "wb") as out:
            shutil.copyfileobj(upload.file, out, COPY_CHUNK)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, path.stat().st_size


def _job(request: Request, job_id: str) -> tuple[ImportJobs, Job]:
    jobs = _jobs(request)
    found = jobs.get(job_id)
    if found is None:
        raise HTTPException(
            404,
            "Fant ikke denne importen. Resultatet av en import vises til serveren startes på "
            "nytt; importloggen på Import-siden viser alle innlesinger.",
        )
    return jobs, found


def _job_context(jobs: ImportJobs, job: Job) -> dict[str, Any]:
    return {
        "job": job,
        "progress": job.progress(jobs.waiting_before(job)),
        "upload": job.upload,
        "size_text": size_text(job.upload.size) if job.upload else None,
        "periods": job.periods,
        "auto": AUTO_PERIOD,
    }


@router.get("/import/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, user: LeadUser) -> Response:
    jobs, job = _job(request, job_id)
    return render(request, "upload/job.html", title=job.title, **_job_context(jobs, job))


@router.get("/import/{job_id}/fremdrift", response_class=HTMLResponse)
def job_progress(request: Request, job_id: str, user: LeadUser) -> Response:
    jobs, job = _job(request, job_id)
    response = render(request, "upload/progress.html", **_job_context(jobs, job))
    if job.state.finished:
        response.headers["HX-Refresh"] = "true"
    return response


router.include_router(_uploads)
