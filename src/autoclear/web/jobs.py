"""Runs of reviews in a worker thread, one at a time per data folder, with progress and cancel."""

from __future__ import annotations

import logging
import shutil
import threading
import time
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from autoclear.errors import AutoclearError, RunCancelled
from autoclear.rules.policy import policy_from_dict
from autoclear.web.store import ReviewState, ReviewStore, now_text

logger = logging.getLogger("autoclear.web")

STAGES = ("read", "normalize", "decide", "write", "publish")
STAGE_LABELS = {
    "read": "Reading the DOJ files",
    "normalize": "Preparing records",
    "decide": "Deciding each conviction",
    "write": "Writing result files",
    "publish": "Writing report, workbook and court filings",
}


class RunBusy(RuntimeError):
    """Another review is running in this data folder."""

    def __init__(self, running: ReviewState) -> None:
        super().__init__(running.id)
        self.running = running


@dataclass
class StageProgress:
    done: int = 0
    total: int | None = None
    started: float | None = None


@dataclass
class ActiveRun:
    """The run in progress: its review, cancel event and progress per stage."""

    review_id: str
    cancel: threading.Event = field(default_factory=threading.Event)
    stages: dict[str, StageProgress] = field(default_factory=dict)
    current_stage: str | None = None
    thread: threading.Thread | None = None


class JobManager:
    """Starts runs in a worker thread; at most one run at a time in one data folder."""

    def __init__(self, store: ReviewStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self.active: ActiveRun | None = None

    def start(self, review_id: str) -> bool:
        """Start the review's run; return False when it is already running or done.

        A repeated submit of the Run form therefore starts nothing new.
        """
        with self._lock:
            state = self.store.load(review_id)
            if state.status in ("running", "finished"):
                return False
            if self.active is not None:
                raise RunBusy(self.store.load(self.active.review_id))
            state.status = "running"
            state.started = now_text()
            state.finished = None
            state.error = None
            self.store.save(state)
            active = ActiveRun(review_id)
            active.thread = threading.Thread(
                target=self._run, args=(active,), name=f"autoclear-run-{review_id}", daemon=True
            )
            self.active = active
        active.thread.start()
        return True

    def cancel(self, review_id: str) -> bool:
        """Ask the review's run to stop; return False when it is not running."""
        active = self.active
        if active is None or active.review_id != review_id:
            return False
        active.cancel.set()
        return True

    def progress(self, review_id: str) -> ActiveRun | None:
        active = self.active
        return active if active is not None and active.review_id == review_id else None

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the run in progress to end (used at shutdown and in tests)."""
        active = self.active
        if active is not None and active.thread is not None:
            active.thread.join(timeout)

    def _on_progress(self, active: ActiveRun, stage: str, done: int, total: int | None) -> None:
        progress = active.stages.setdefault(stage, StageProgress(started=time.monotonic()))
        if active.current_stage != stage:
            if active.current_stage is not None:
                previous = active.stages[active.current_stage]
                logger.info(
                    "run %s stage %s ended seconds=%.1f",
                    active.review_id,
                    active.current_stage,
                    time.monotonic() - (previous.started or time.monotonic()),
                )
            active.current_stage = stage
        progress.done = done
        progress.total = total

    def _run(self, active: ActiveRun) -> None:
        from autoclear.pipeline import RunRequest, run_job

        started = time.monotonic()
        state = self.store.load(active.review_id)
        out_dir = self.store.output(state.id)
        uploads = self.store.uploads(state.id)
        inputs = [uploads / name for name in state.file_names()]
        logger.info("run %s started files=%d county=%s", state.id, len(inputs), state.county)
        outcome = "finished"
        error_text: str | None = None
        try:
            request = RunRequest(
                inputs=inputs,
                county=state.county or "",
                as_of=date.fromisoformat(state.as_of) if state.as_of else None,
                policy=policy_from_dict(state.policy),
                out_dir=out_dir,
                skip_bad_lines=state.skip_bad_lines,
                publications=True,
            )
            run_job(
                request,
                progress=lambda stage, done, total: self._on_progress(active, stage, done, total),
                cancel=active.cancel,
            )
        except RunCancelled:
            outcome = "cancelled"
        except AutoclearError as error:
            outcome = "failed"
            error_text = str(error)
        except Exception as error:  # noqa: BLE001 - a worker thread must record every failure
            outcome = "failed"
            error_text = (
                "The run stopped on an unexpected error. The log file in the data folder has "
                "the details; please report it."
            )
            # The exception's message may quote record contents: log only its type and frames.
            logger.error(
                "run %s crashed with %s\n%s",
                state.id,
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
        if outcome != "finished":
            shutil.rmtree(out_dir, ignore_errors=True)
        state = self.store.load(active.review_id)
        state.status = outcome  # type: ignore[assignment]
        state.error = error_text
        state.finished = now_text()
        self.store.save(state)
        logger.info("run %s %s seconds=%.1f", state.id, outcome, time.monotonic() - started)
        with self._lock:
            self.active = None


def output_files(out_dir: Path) -> list[Path]:
    """List the files of a run folder, relative to it, in a stable order."""
    if not out_dir.is_dir():
        return []
    return sorted(path.relative_to(out_dir) for path in out_dir.rglob("*") if path.is_file())
