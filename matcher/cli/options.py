"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..filters import Filters

K_LIMIT = 1000  # most matches per brief, for match and batch alike


def say(message: str) -> None:
    click.echo(message, err=True)


def filter_options(func):
    """--kind, --region, --org-type, --tag, --cluster, --exclude."""
    options = [
        click.option("--kind", type=click.Choice(["cluster", "organisation", "all"]),
                     default="all", show_default=True, help="Rank clusters, organisations or both."),
        click.option("--region", "regions", multiple=True,
                     help="Keep entities in this region (repeatable; a nation such as Wales or "
                          "England works too)."),
        click.option("--org-type", "org_types", multiple=True,
                     help="Keep this organisation type: academic, nhs, industry, ... (repeatable)."),
        click.option("--tag", "tags", multiple=True,
                     help="Keep entities carrying this tag (repeatable; all must be present)."),
        click.option("--cluster", "member_of", multiple=True,
                     help="Keep members of this cluster id (repeatable)."),
        click.option("--exclude", multiple=True, help="Leave out this entity id (repeatable)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def filters_from(kind, regions, org_types, tags, member_of, exclude) -> Filters:
    return Filters(kind=kind, regions=tuple(regions), org_types=tuple(org_types),
                   tags=tuple(tags), member_of=tuple(member_of), exclude=tuple(exclude))


def index_option(func):
    return click.option(
        "--index", "index_dir", type=click.Path(path_type=Path), default=None,
        help="Index directory. Default: the shipped corpus's index in the user cache, built on "
             "first use.",
    )(func)


def model_option(func):
    return click.option(
        "--model", default=None,
        help="Encoder: a name from models/registry.yaml or a local model folder.",
    )(func)
