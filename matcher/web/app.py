"""The FastAPI application: the JSON API, the page, static files and error handling."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..batch.rows import BatchInputError
from ..errors import MatcherError, QueryError
from ..feedback import FeedbackError, FeedbackStore
from .batch import MAX_UPLOAD_BYTES, BatchBusy
from .engine import Engine, NotReady
from .security import LimitsMiddleware
from .service import UnknownEntity

if TYPE_CHECKING:
    from ..matcher import Matcher

STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 256 * 1024  # a 20,000-character brief is at most 80 kB of UTF-8 as JSON
# Library errors and the status they mean over HTTP.
STATUS = {QueryError: 422, BatchInputError: 422, FeedbackError: 422, UnknownEntity: 404,
          NotReady: 503, BatchBusy: 503}


def create_app(index_dir: str | Path | None = None, model: str | None = None, *,
               matcher: Matcher | None = None, engine: Engine | None = None,
               feedback_path: str | Path | None = None,
               allowed_hosts: list[str] | None = None) -> FastAPI:
    """The app over one index: a given ``matcher`` or ``engine``, else the index at
    ``index_dir`` (default: the shipped corpus's), loaded in the background at start-up."""
    engine = engine or (Engine(matcher=matcher) if matcher is not None
                        else Engine.from_index(index_dir, model))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        engine.start()
        yield

    app = FastAPI(
        title="matcher", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="Rank UK life-science clusters and partner organisations against a brief, "
                    "with the evidence for each match. The page is at /.")
    app.state.engine = engine
    app.state.feedback = FeedbackStore(feedback_path)
    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-static", StaticFiles(directory=_swagger_dir()), name="docs-static")
    _handlers(app)
    app.add_middleware(LimitsMiddleware, max_body=MAX_BODY_BYTES,
                       max_upload=MAX_UPLOAD_BYTES + 64 * 1024, upload_paths=("/batch",))
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    return app


def _swagger_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _error(status: int, detail: str, headers: dict | None = None, **extra) -> JSONResponse:
    headers = {**({"retry-after": "5"} if status == 503 else {}), **(headers or {})}
    return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(MatcherError)
    async def matcher_error(_request: Request, exc: MatcherError):
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
        return _error(status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": _message(e)}
                  for e in exc.errors()]
        lines = "; ".join(f"{'.'.join(e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)
        return _error(422, lines or "invalid request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400:  # a body FastAPI could not parse (not UTF-8, broken form)
            return _error(422, f"the request body cannot be read ({exc.detail}): send UTF-8 "
                               "JSON, or a multipart form to /batch")
        return _error(exc.status_code, str(exc.detail), headers=exc.headers)  # 405: Allow


def _message(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch" and error.get("loc", ())[-1:] == ("brief",):
        return "the brief is empty: give the text of the need to match"  # only spaces
    return str(error.get("msg", ""))


def app_from_env() -> FastAPI:
    """The app as `matcher serve` configures it for each uvicorn worker (via the environment)."""
    hosts = os.environ.get("MATCHER_WEB_ALLOWED_HOSTS", "")
    return create_app(os.environ.get("MATCHER_WEB_INDEX") or None,
                      os.environ.get("MATCHER_WEB_MODEL") or None,
                      feedback_path=os.environ.get("MATCHER_WEB_FEEDBACK") or None,
                      allowed_hosts=hosts.split(",") if hosts else None)
