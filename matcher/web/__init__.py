"""`matcher serve`: a JSON API and one server-rendered page over the Matcher facade."""

from __future__ import annotations


def create_app(*args, **kwargs):
    """See matcher.web.app.create_app (imported lazily: FastAPI is an optional extra)."""
    from .app import create_app as make

    return make(*args, **kwargs)
