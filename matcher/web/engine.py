"""The matcher a server process answers with: loaded once, in the background, at start-up.

Loading (and, on first use, building the shipped corpus's index) takes from one second to a
minute; the server listens meanwhile and answers 503 with a Retry-After until it is ready, so
a user sees "still loading" rather than a connection refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import MatcherError

if TYPE_CHECKING:
    from ..matcher import Matcher


class NotReady(MatcherError):
    """The index is still loading, or failed to load (the message says which)."""


class Engine:
    """Holds one Matcher; ``get()`` returns it or raises NotReady."""

    def __init__(self, loader: Callable[[], Matcher] | None = None,
                 matcher: Matcher | None = None):
        self._loader = loader
        self._matcher = matcher
        self._error: str = ""
        self._ready = threading.Event()
        self.started = time.time()
        if matcher is not None:
            self._ready.set()

    @classmethod
    def from_index(cls, index_dir: str | Path | None, model: str | None = None) -> Engine:
        def load() -> Matcher:
            from ..default_index import ensure_default_index
            from ..matcher import Matcher

            folder = index_dir or ensure_default_index(model)
            return Matcher.load(folder, model=model)

        return cls(loader=load)

    def start(self) -> None:
        """Load in a daemon thread (no-op when a matcher was given)."""
        if self._ready.is_set() or self._loader is None:
            return
        threading.Thread(target=self._load, name="matcher-load", daemon=True).start()

    def _load(self) -> None:
        try:
            matcher = self._loader()
            # Load the query encoder and warm the ranking now, not on the first user's request.
            matcher.match("warm up the encoder", k=1)
            self._matcher = matcher
        except MatcherError as exc:
            self._error = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported on /health, never a dead server
            self._error = f"{type(exc).__name__}: {exc}"
        finally:
            self._ready.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    @property
    def status(self) -> str:
        if not self._ready.is_set():
            return "loading"
        return "ok" if self._matcher is not None else "failed"

    @property
    def error(self) -> str:
        return self._error

    def get(self) -> Matcher:
        if self._matcher is not None:
            return self._matcher
        if self._error:
            raise NotReady(f"the index failed to load: {self._error}")
        raise NotReady("the index is still loading; try again in a few seconds")
