"""The FastAPI app: one server-rendered page per step of a review, plus downloads.

Pages: Start, County and date, Files, Policy, Run, Results, Past reviews. Every page is
a GET that shows what is stored for the review, and every form is a POST that stores
and redirects (303), so the browser's back and forward buttons stay safe.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from autoclear.doj.counties import COUNTIES, normalize_county
from autoclear.errors import PolicyError
from autoclear.rules.policy import PROP64_SECTIONS, load_policy, policy_from_dict
from autoclear.web import DEFAULT_MAX_UPLOAD_BYTES, policy_form
from autoclear.web.jobs import STAGE_LABELS, STAGES, JobManager, RunBusy, output_files
from autoclear.web.results import (
    PAGE_SIZE,
    TABLE_CHOICES,
    build_zip,
    equity_bars,
    load_summary,
    reason_counts,
    review_table,
)
from autoclear.web.security import REPORT_CONTENT_SECURITY_POLICY, make_guard
from autoclear.web.store import CheckedFile, Message, ReviewNotFound, ReviewState, ReviewStore
from autoclear.web.uploads import (
    ReceivedFile,
    UploadRejected,
    check_doj_file,
    format_bytes,
    log_upload,
    receive_multipart,
    store_checked,
)

logger = logging.getLogger("autoclear.web")

HERE = Path(__file__).parent
POLICY_FILE_MAX_BYTES = 1024 * 1024
NO_FILE_PICKED = "No file was picked. Choose one or more DOJ files first."


@dataclass(frozen=True)
class WebSettings:
    """Settings of one launch of the app: data folder, access token and upload limit."""

    data_dir: Path
    token: str
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES


def create_app(settings: WebSettings) -> FastAPI:
    """Build the app for one data folder; every request must carry `settings.token`."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = ReviewStore(settings.data_dir)
    interrupted = store.mark_interrupted()
    if interrupted:
        logger.warning("marked %d interrupted runs as failed", interrupted)
    jobs = JobManager(store)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        stage_labels=STAGE_LABELS,
        sections=PROP64_SECTIONS,
        format_bytes=format_bytes,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # On shutdown, a run in progress is cancelled so it leaves no half-written output.
        if jobs.active is not None:
            jobs.active.cancel.set()
            jobs.wait(timeout=30)

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.jobs = jobs
    app.state.settings = settings
    app.middleware("http")(make_guard(settings.token))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
        context.setdefault("review", None)
        context.setdefault("step", None)
        context["data_dir"] = settings.data_dir
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def load(review_id: str) -> ReviewState:
        return store.load(review_id)

    def go(path: str) -> RedirectResponse:
        return RedirectResponse(path, status_code=303)

    def hold(review: ReviewState, step: str, **rejected: Any) -> RedirectResponse:
        """Keep rejected input for the step's page and redirect there, so Back never reposts."""
        review.pending[step] = rejected
        store.save(review)
        return go(f"/reviews/{review.id}/{step}")

    def take(review: ReviewState, step: str) -> dict[str, Any]:
        rejected = review.pending.pop(step, None)
        if rejected is None:
            return {}
        store.save(review)
        return rejected

    def locked(request: Request, review: ReviewState, step: str) -> Response | None:
        """Reject changes to a review that is running or has run, with a page that explains why."""
        if review.status in ("running", "finished"):
            return page(
                request,
                "locked.html",
                status_code=409,
                review=review,
                step=step,
            )
        return None

    @app.exception_handler(ReviewNotFound)
    async def not_found(request: Request, _: ReviewNotFound) -> Response:
        return page(request, "not_found.html", status_code=404)

    # The token guard runs before these handlers, so a request without the token gets 403 first.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            response = page(request, "not_found.html", status_code=404)
        else:
            heading, message = _http_error_text(error.status_code)
            response = page(
                request,
                "error.html",
                status_code=error.status_code,
                heading=heading,
                message=message,
            )
        for header, value in (error.headers or {}).items():
            response.headers[header] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        fields = sorted({str(item["loc"][-1]) for item in error.errors() if item.get("loc")})
        logger.info("request %s rejected: invalid %s", request.url.path, ", ".join(fields))
        return page(
            request,
            "error.html",
            status_code=422,
            heading="Invalid address",
            message=f"The address has an invalid value for {', '.join(fields) or 'a field'}. "
            "Use the links in the app instead of editing the address.",
        )

    # Start and past reviews ------------------------------------------------------------

    @app.get("/")
    def start(request: Request) -> Response:
        return page(request, "start.html", step="start", reviews=store.list()[:3])

    @app.post("/reviews")
    def new_review() -> Response:
        review = store.create()
        logger.info("review %s created", review.id)
        return go(f"/reviews/{review.id}/county")

    @app.get("/reviews")
    def past_reviews(request: Request) -> Response:
        reviews = store.list()
        descriptions = {r.id: _policy_summary(r.policy) for r in reviews}
        return page(
            request, "reviews.html", step="reviews", reviews=reviews, descriptions=descriptions
        )

    @app.get("/reviews/{review_id}")
    def open_review(review_id: str) -> Response:
        review = load(review_id)
        if review.status == "finished":
            return go(f"/reviews/{review_id}/results")
        if review.status == "running":
            return go(f"/reviews/{review_id}/run")
        return go(f"/reviews/{review_id}/county")

    @app.get("/reviews/{review_id}/delete")
    def confirm_delete(request: Request, review_id: str) -> Response:
        return page(request, "delete.html", review=load(review_id), step="reviews")

    @app.post("/reviews/{review_id}/delete")
    def delete_review(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if review.status == "running":
            return page(
                request,
                "delete.html",
                status_code=409,
                review=review,
                step="reviews",
                error="This review is running. Cancel it first, then delete it.",
            )
        store.delete(review_id)
        logger.info("review %s deleted", review_id)
        return go("/reviews")

    # Step 2: county and date -------------------------------------------------------------

    @app.get("/reviews/{review_id}/county")
    def county_page(request: Request, review_id: str) -> Response:
        review = load(review_id)
        rejected = take(review, "county")
        values = rejected.get("values") or {
            "county": (review.county or "").title(),
            "as_of": review.as_of or date.today().isoformat(),
        }
        return page(
            request,
            "county.html",
            review=review,
            step="county",
            counties=COUNTIES,
            values=values,
            errors=rejected.get("errors", {}),
        )

    @app.post("/reviews/{review_id}/county")
    async def save_county(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if (refused := locked(request, review, "county")) is not None:
            return refused
        form = await request.form(max_files=0, max_fields=10)
        county_text = str(form.get("county", ""))
        date_text = str(form.get("as_of", "")).strip()
        errors: dict[str, str] = {}
        county = normalize_county(county_text)
        if county is None:
            errors["county"] = (
                f"{county_text.strip() or 'Nothing'} is not a California county. "
                "Pick one of the 58 counties from the list."
            )
        try:
            as_of = date.fromisoformat(date_text)
        except ValueError:
            errors["as_of"] = "Enter the date as year-month-day, for example 2020-07-01."
        else:
            if not date(1990, 1, 1) <= as_of <= date(2100, 12, 31):
                errors["as_of"] = "Enter a date between 1990-01-01 and 2100-12-31."
        if errors:
            return hold(
                review, "county", values={"county": county_text, "as_of": date_text}, errors=errors
            )
        review.county = county
        review.as_of = date_text
        store.save(review)
        return go(f"/reviews/{review_id}/upload")

    # Step 3: files -----------------------------------------------------------------------

    @app.get("/reviews/{review_id}/upload")
    def upload_page(request: Request, review_id: str) -> Response:
        review = load(review_id)
        messages = list(review.messages)
        if messages:
            review.messages = []
            store.save(review)
        return page(
            request,
            "upload.html",
            review=review,
            step="upload",
            messages=messages,
            max_upload_bytes=settings.max_upload_bytes,
        )

    @app.post("/reviews/{review_id}/upload")
    async def upload(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if (refused := locked(request, review, "upload")) is not None:
            return refused
        uploads = store.uploads(review_id)
        uploads.mkdir(parents=True, exist_ok=True)

        messages: list[Message] = []
        try:
            received = await receive_multipart(
                request.headers.get("content-type", ""),
                request.stream(),
                uploads,
                settings.max_upload_bytes,
            )
        except UploadRejected as error:
            received = None
            messages.append(Message(text=str(error), kind="error"))
        except ClientDisconnect:
            logger.info("upload to review %s interrupted by the browser", review_id)
            return Response(status_code=400)
        review = load(review_id)
        files = received.files if received else []
        # The checks read whole files, so they run in a worker thread, not the event loop.
        checked_messages, accepted, total_bytes = await run_in_threadpool(
            _accept_files, review, files, uploads
        )
        messages.extend(checked_messages)

        if received is not None and not received.files:
            messages.append(Message(text=NO_FILE_PICKED, kind="error"))
        log_upload(accepted, len(files) - accepted, total_bytes)
        review.messages = messages
        store.save(review)
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # The upload script navigates itself; a redirect would make it fetch the page
            # (and use up its messages) before the browser shows it.
            return JSONResponse({"next": f"/reviews/{review_id}/upload"})
        return go(f"/reviews/{review_id}/upload")

    @app.post("/reviews/{review_id}/files/remove")
    async def remove_file(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if (refused := locked(request, review, "upload")) is not None:
            return refused
        form = await request.form(max_files=0, max_fields=5)
        name = str(form.get("name", ""))
        if name in review.file_names():
            (store.uploads(review_id) / name).unlink(missing_ok=True)
            review.files = [f for f in review.files if f.name != name]
            review.messages = [Message(text=f"{name}: removed.", kind="success")]
            store.save(review)
        return go(f"/reviews/{review_id}/upload")

    # Step 4: policy ------------------------------------------------------------------------

    def policy_page(
        request: Request,
        review: ReviewState,
        values: dict[str, str],
        errors: dict[str, str],
        file_error: str | None = None,
        notice: str | None = None,
    ) -> Response:
        return page(
            request,
            "policy.html",
            review=review,
            step="policy",
            values=values,
            errors=errors,
            form=policy_form,
            file_error=file_error,
            notice=notice,
        )

    @app.get("/reviews/{review_id}/policy")
    def show_policy(request: Request, review_id: str) -> Response:
        review = load(review_id)
        rejected = take(review, "policy")
        notice = (
            "Policy file loaded. Check the choices below, then save."
            if request.query_params.get("loaded")
            else None
        )
        return policy_page(
            request,
            review,
            rejected.get("values") or policy_form.form_values(review.policy),
            rejected.get("errors", {}),
            file_error=rejected.get("file_error"),
            notice=notice,
        )

    @app.post("/reviews/{review_id}/policy")
    async def save_policy(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if (refused := locked(request, review, "policy")) is not None:
            return refused
        form = await request.form(max_files=0, max_fields=50)
        values = {key: str(value) for key, value in form.items()}
        policy, errors = policy_form.parse_policy_form(values)
        if policy is None:
            return hold(review, "policy", values=values, errors=errors)
        review.policy = policy.to_dict()
        review.policy_confirmed = True
        store.save(review)
        if form.get("then") == "save-file":
            return go(f"/reviews/{review_id}/policy.toml")
        return go(f"/reviews/{review_id}/run")

    @app.post("/reviews/{review_id}/policy/load")
    async def load_policy_file(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if (refused := locked(request, review, "policy")) is not None:
            return refused
        try:
            form = await request.form(
                max_files=1, max_fields=5, max_part_size=POLICY_FILE_MAX_BYTES
            )
        except Exception as error:  # noqa: BLE001 - Starlette raises its own HTTPException for bad forms
            logger.info(
                "policy file upload to review %s unreadable: %s", review_id, type(error).__name__
            )
            return hold(
                review,
                "policy",
                file_error="The policy file could not be read. Pick a .toml or .json file.",
            )

        upload = form.get("policy_file")
        filename = getattr(upload, "filename", "") or ""
        if upload is None or isinstance(upload, str) or not filename:
            return hold(
                review,
                "policy",
                file_error="No policy file was picked. Choose a .toml or .json file.",
            )
        suffix = Path(filename).suffix.lower()
        if suffix not in (".toml", ".json"):
            return hold(
                review,
                "policy",
                file_error=f"{Path(filename).name}: wrong file type. "
                "Pick a policy file ending in .toml or .json.",
            )
        data = await upload.read(POLICY_FILE_MAX_BYTES + 1)
        if len(data) > POLICY_FILE_MAX_BYTES:
            return hold(
                review,
                "policy",
                file_error="The policy file is larger than 1 MB; it cannot be a policy.",
            )

        with tempfile.TemporaryDirectory(dir=settings.data_dir) as folder:
            path = Path(folder) / ("policy" + suffix)
            path.write_bytes(data)
            try:
                policy = load_policy(path)
            except PolicyError as error:
                message = str(error).replace(path.name, Path(filename).name, 1)
                return hold(review, "policy", file_error=message)
        review.policy = policy.to_dict()
        store.save(review)
        return go(f"/reviews/{review_id}/policy?loaded=1")

    @app.get("/reviews/{review_id}/policy.toml")
    def download_policy(review_id: str) -> Response:
        review = load(review_id)
        text = policy_from_dict(review.policy).to_toml()
        name = f"policy-{(review.county or 'county').lower().replace(' ', '-')}.toml"
        return Response(
            text,
            media_type="application/toml",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # Step 5: run -------------------------------------------------------------------------

    def run_page(
        request: Request,
        review: ReviewState,
        busy: ReviewState | None = None,
    ) -> Response:
        missing = _missing_steps(review)
        return page(
            request,
            "run.html",
            review=review,
            step="run",
            missing=missing,
            busy=busy,
            policy_lines=_policy_summary(review.policy),
            stages=STAGES,
        )

    @app.get("/reviews/{review_id}/run")
    def show_run(request: Request, review_id: str) -> Response:
        review = load(review_id)
        busy_id = take(review, "run").get("busy")
        busy = None
        if busy_id and jobs.active is not None and jobs.active.review_id == busy_id:
            busy = load(busy_id)
        return run_page(request, review, busy=busy)

    @app.post("/reviews/{review_id}/run")
    async def start_run(request: Request, review_id: str) -> Response:
        review = load(review_id)
        form = await request.form(max_files=0, max_fields=5)
        if review.status in ("running", "finished") or _missing_steps(review):
            return go(f"/reviews/{review_id}/run")
        review.skip_bad_lines = form.get("skip_bad_lines") == "on"
        store.save(review)
        try:
            jobs.start(review_id)
        except RunBusy as busy:
            logger.info("run %s not started: run %s is in progress", review_id, busy.running.id)
            return hold(load(review_id), "run", busy=busy.running.id)
        return go(f"/reviews/{review_id}/run")

    @app.post("/reviews/{review_id}/cancel")
    def cancel_run(review_id: str) -> Response:
        load(review_id)
        if jobs.cancel(review_id):
            logger.info("run %s cancel requested", review_id)
        return go(f"/reviews/{review_id}/run")

    @app.get("/reviews/{review_id}/progress.json")
    def progress(review_id: str) -> Response:
        review = load(review_id)
        active = jobs.progress(review_id)
        stages = []
        for stage in STAGES:
            done, total = 0, None
            if active is not None and stage in active.stages:
                done, total = active.stages[stage].done, active.stages[stage].total
            stages.append(
                {"stage": stage, "label": STAGE_LABELS[stage], "done": done, "total": total}
            )
        return JSONResponse(
            {
                "status": review.status,
                "current": active.current_stage if active else None,
                "cancelling": bool(active and active.cancel.is_set()),
                "stages": stages,
                "error": review.error,
            }
        )

    # Step 6: results -----------------------------------------------------------------------

    @app.get("/reviews/{review_id}/results")
    def results(request: Request, review_id: str) -> Response:
        review = load(review_id)
        if review.status != "finished":
            return go(f"/reviews/{review_id}/run")
        out_dir = store.output(review_id)
        summary = load_summary(out_dir)
        files = output_files(out_dir)
        return page(
            request,
            "results.html",
            review=review,
            step="results",
            summary=summary,
            charts=equity_bars(summary) if summary else {},
            files=files,
            sizes={f: (out_dir / f).stat().st_size for f in files},
            hand_review=reason_counts(out_dir, TABLE_CHOICES["hand-review"])
            if (out_dir / "Prop64_Results.csv").exists()
            else [],
            not_eligible=reason_counts(out_dir, TABLE_CHOICES["not-eligible"])
            if (out_dir / "Prop64_Results.csv").exists()
            else [],
        )

    @app.get("/reviews/{review_id}/results/{table}")
    def results_table(
        request: Request, review_id: str, table: str, q: str = "", page_number: int = 1
    ) -> Response:
        review = load(review_id)
        if table not in TABLE_CHOICES:
            raise ReviewNotFound(review_id)
        if review.status != "finished":
            return go(f"/reviews/{review_id}/run")
        found = review_table(store.output(review_id), TABLE_CHOICES[table], q[:200], page_number)
        return page(
            request,
            "table.html",
            review=review,
            step="results",
            table=table,
            title=TABLE_CHOICES[table],
            found=found,
            q=q[:200],
            page_size=PAGE_SIZE,
        )

    @app.get("/reviews/{review_id}/files/{file_path:path}")
    def download(review_id: str, file_path: str) -> Response:
        load(review_id)
        out_dir = store.output(review_id).resolve()
        target = (out_dir / file_path).resolve()
        if not target.is_relative_to(out_dir) or not target.is_file():
            raise ReviewNotFound(review_id)
        if target.suffix == ".html":
            response = FileResponse(
                target, media_type="text/html; charset=utf-8", content_disposition_type="inline"
            )
            response.headers["Content-Security-Policy"] = REPORT_CONTENT_SECURITY_POLICY
            return response
        return FileResponse(target, filename=target.name)

    @app.get("/reviews/{review_id}/download.zip")
    def download_zip(review_id: str) -> Response:
        review = load(review_id)
        if review.status != "finished":
            return go(f"/reviews/{review_id}/run")
        out_dir = store.output(review_id)
        zip_path = store.folder(review_id) / "run.zip"
        if not zip_path.exists():
            build_zip(out_dir, zip_path)
        name = f"autoclear-{(review.county or 'run').lower().replace(' ', '-')}-{review.id}.zip"
        return FileResponse(zip_path, filename=name, media_type="application/zip")

    return app


def _accept_files(
    review: ReviewState, files: list[ReceivedFile], uploads: Path
) -> tuple[list[Message], int, int]:
    """Check received files and store the good ones in the review.

    Returns a message per file, the number of files accepted and their total bytes.
    """
    messages: list[Message] = []
    accepted = 0
    total_bytes = 0
    for item in files:
        if item.rejected == "":
            messages.append(Message(text=NO_FILE_PICKED, kind="error"))
            continue
        if item.rejected is not None or item.partial is None:
            text = item.rejected or f"{item.name}: the upload failed."
            messages.append(Message(text=text, kind="error"))
            continue
        try:
            checked = check_doj_file(item.partial, item.name)
        except UploadRejected as error:
            item.partial.unlink(missing_ok=True)
            messages.append(Message(text=str(error), kind="error"))
            continue
        store_checked(item.partial, uploads / item.name)
        accepted += 1
        total_bytes += item.size
        replaced = item.name in review.file_names()
        review.files = [f for f in review.files if f.name != item.name]
        review.files.append(
            CheckedFile(
                name=item.name,
                size=item.size,
                lines=checked.lines,
                subjects=checked.subjects,
                warnings=checked.warnings,
                checked_with=checked.checked_with,
            )
        )
        verb = "replaced the earlier upload" if replaced else "uploaded"
        messages.append(Message(text=f"{item.name}: {verb} and checked.", kind="success"))
    return messages, accepted, total_bytes


def _http_error_text(status_code: int) -> tuple[str, str]:
    """Return the heading and sentence of the error page for an HTTP status other than 404."""
    if status_code == 405:
        return (
            "Action not allowed here",
            "This address does not accept that kind of request. Use the buttons and links in "
            "the app instead of typing the address.",
        )
    if status_code == 400:
        return ("Request not understood", "The browser sent a request the app could not read.")
    return ("Request failed", f"The request failed with HTTP status {status_code}.")


def _missing_steps(review: ReviewState) -> list[tuple[str, str]]:
    """List (message, step) for what a review still needs before it can run."""
    missing = []
    if not review.county or not review.as_of:
        missing.append(("Choose the county and the as-of date.", "county"))
    if not review.files:
        missing.append(("Upload at least one DOJ file.", "upload"))
    return missing


def _policy_summary(policy: dict[str, Any]) -> list[str]:
    try:
        return policy_from_dict(policy).describe()
    except PolicyError:
        return ["The stored policy is invalid. Open the Policy step and save it again."]
