"""Reviews kept on disk: one folder per review under the data folder.

A review folder contains `state.json` (county, date, policy, checked files, status),
`uploads/` (the DOJ files as uploaded) and, once run, `output/` (the run folder that
`run_job` writes). Every write of `state.json` goes through a temporary file and an
atomic rename, so a crash never leaves half a state file.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from autoclear.rules.policy import Policy

Status = Literal["draft", "running", "finished", "failed", "cancelled"]

STATE_FILE = "state.json"
UPLOADS_DIR = "uploads"
OUTPUT_DIR = "output"


class CheckedFile(BaseModel):
    """An uploaded DOJ file and what the upload check found."""

    name: str
    size: int
    lines: int | None = None
    subjects: int | None = None
    warnings: list[str] = Field(default_factory=list)
    checked_with: Literal["reader", "first lines"] = "first lines"


class Message(BaseModel):
    """A line of the notice box shown once after an upload or a removal."""

    text: str
    kind: Literal["success", "error", "info"] = "info"


class ReviewState(BaseModel):
    """Everything the pages of one review collect, as stored in `state.json`."""

    id: str
    status: Status = "draft"
    created: str
    county: str | None = None
    as_of: str | None = None
    policy: dict = Field(default_factory=lambda: Policy().to_dict())
    policy_confirmed: bool = False
    skip_bad_lines: bool = False
    files: list[CheckedFile] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    # Rejected form input per page, shown once by the page's next GET (post/redirect/get).
    pending: dict[str, dict[str, Any]] = Field(default_factory=dict)
    started: str | None = None
    finished: str | None = None
    error: str | None = None

    @field_validator("messages", mode="before")
    @classmethod
    def _plain_text_messages(cls, value: Any) -> Any:
        """Read messages that earlier versions stored as plain text, which had no kind."""
        if isinstance(value, list):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value

    def file_names(self) -> list[str]:
        return [item.name for item in self.files]


class ReviewNotFound(LookupError):
    """No review folder with this id."""


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _valid_id(review_id: str) -> bool:
    return 0 < len(review_id) <= 64 and all(c.isalnum() or c == "-" for c in review_id)


class ReviewStore:
    """Creates, reads, lists and deletes review folders under `data_dir/reviews`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / "reviews"
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()

    def folder(self, review_id: str) -> Path:
        if not _valid_id(review_id):
            raise ReviewNotFound(review_id)
        return self.root / review_id

    def uploads(self, review_id: str) -> Path:
        return self.folder(review_id) / UPLOADS_DIR

    def output(self, review_id: str) -> Path:
        return self.folder(review_id) / OUTPUT_DIR

    def create(self) -> ReviewState:
        review_id = datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        state = ReviewState(id=review_id, created=_now())
        self.uploads(review_id).mkdir(parents=True)
        self.save(state)
        return state

    def load(self, review_id: str) -> ReviewState:
        path = self.folder(review_id) / STATE_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ReviewNotFound(review_id) from None
        return ReviewState.model_validate_json(text)

    def save(self, state: ReviewState) -> None:
        path = self.folder(state.id) / STATE_FILE
        temporary = path.with_suffix(".json.tmp")
        with self._lock:
            temporary.write_text(state.model_dump_json(indent=2), encoding="utf-8")
            os.replace(temporary, path)

    def list(self) -> list[ReviewState]:
        states = []
        for folder in sorted(self.root.iterdir(), reverse=True):
            if folder.is_dir() and (folder / STATE_FILE).exists():
                try:
                    states.append(self.load(folder.name))
                except (ReviewNotFound, ValueError):
                    continue
        return states

    def delete(self, review_id: str) -> None:
        folder = self.folder(review_id)
        if not folder.exists():
            raise ReviewNotFound(review_id)
        shutil.rmtree(folder)

    def mark_interrupted(self) -> int:
        """Mark reviews left `running` by a stopped app as failed; remove their partial output."""
        count = 0
        for state in self.list():
            if state.status == "running":
                shutil.rmtree(self.output(state.id), ignore_errors=True)
                state.status = "failed"
                state.error = "The app stopped while this review was running. Start the run again."
                state.finished = _now()
                self.save(state)
                count += 1
        return count


def now_text() -> str:
    """Return the current local time as ISO 8601 text to the second."""
    return _now()
