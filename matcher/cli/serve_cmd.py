"""`matcher serve`: the web page and JSON API on this machine."""

from __future__ import annotations

import os

import click

from ..errors import MatcherError
from .options import index_option, model_option, say


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default answers this machine only; 0.0.0.0 "
                   "opens the server to the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes, each with its own copy of the index and encoder "
                   "(about 250 MB each); one per CPU core is the most that helps.")
@index_option
@model_option
@click.option("--feedback-db", type=click.Path(dir_okay=False), default=None,
              help="Where judgements are stored. Default: feedback.sqlite in the user data "
                   "directory (MATCHER_DATA_DIR overrides it).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
def serve(host, port, workers, index_dir, model, feedback_db, log_level) -> None:
    """Serve the page and the JSON API (OpenAPI docs at /docs).

    The index and encoder load once per process at start-up; until they are ready, requests
    get 503 and the page says it is starting.

    \b
    Examples:
      matcher serve                          # http://127.0.0.1:8000
      matcher serve --port 8080 --workers 2  # two processes for more requests at once
      matcher serve --index my-index/ --host 0.0.0.0
    """
    try:
        import uvicorn

        from ..web.security import allowed_hosts
    except ImportError as exc:
        raise MatcherError(f"matcher serve needs the web extra: pip install 'matcher[web]' "
                           f"({exc.name} is missing)") from exc
    if workers > 1 and index_dir is None:
        # Build the shipped corpus's index once here, not once in every worker.
        from ..default_index import ensure_default_index

        index_dir = ensure_default_index(model, say)
    from ..feedback import FeedbackStore

    store = FeedbackStore(feedback_db)  # fail now, with a clear message, if it cannot be opened
    hosts = allowed_hosts(host)
    os.environ.update({
        "MATCHER_WEB_INDEX": str(index_dir or ""), "MATCHER_WEB_MODEL": model or "",
        "MATCHER_WEB_FEEDBACK": str(store.path),
        "MATCHER_WEB_ALLOWED_HOSTS": ",".join(hosts or ())})
    shown = f"[{host}]" if ":" in host else host
    say(f"matcher serve: http://{shown}:{port}/ (API docs at /docs; feedback in {store.path})")
    uvicorn.run("matcher.web.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, access_log=log_level == "debug",
                # a brief of 20,000 characters in the page's GET URL, percent-encoded
                h11_max_incomplete_event_size=256 * 1024)
