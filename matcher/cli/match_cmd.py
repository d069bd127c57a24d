"""`matcher match`: rank clusters and organisations for one brief."""

from __future__ import annotations

import sys

import click

from ..errors import QueryError
from ..text import decode_text
from .options import K_LIMIT, filter_options, filters_from, index_option, model_option, say


def read_brief(text: tuple[str, ...], input_file: str | None) -> str:
    """The brief from the arguments or a file, decoded by the rule every input follows
    (text.decode_text: UTF-8, else cp1252 with a note)."""
    if text and input_file:
        raise click.UsageError("give the brief as TEXT or with -i FILE, not both")
    if input_file is None:
        if not text:
            raise click.UsageError("give a brief: matcher match \"TEXT\" (or -i FILE, -i - for stdin)")
        return " ".join(text)
    source = "standard input" if input_file == "-" else input_file
    try:
        if input_file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(input_file, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        raise QueryError(f"cannot read {input_file}: {exc.strerror}") from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise QueryError(f"{source} is UTF-16 text; re-save it as UTF-8")
    brief, cp1252 = decode_text(raw)
    if brief is None:
        raise QueryError(f"{source} is neither UTF-8 nor Windows-1252 text; re-save it as UTF-8")
    if cp1252:
        say(f"note: {source} is not UTF-8 and was read as Windows-1252 (cp1252)")
    return brief


@click.command()
@click.argument("text", nargs=-1)
@click.option("-i", "--input", "input_file", metavar="FILE",
              help="Read the brief from FILE ('-' for standard input).")
@click.option("-k", "k", type=click.IntRange(1, K_LIMIT), default=10, show_default=True,
              help="How many matches.")
@filter_options
@index_option
@model_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv", "markdown"]),
              default="table", show_default=True)
@click.option("--explain", is_flag=True, help="Show every evidence passage with its scores.")
@click.option("--no-infer", is_flag=True,
              help="Do not read places and partner types from the brief (no soft priors).")
@click.option("--ignore", "ignored", multiple=True, metavar="TEXT",
              help="Set aside one place or partner type read from the brief, as the 'Read as' "
                   "line names it (e.g. --ignore Wales, --ignore nhs); repeatable.")
def match(text, input_file, k, kind, regions, org_types, tags, member_of, exclude,
          index_dir, model, fmt, explain, no_infer, ignored) -> None:
    """Rank clusters and organisations for a brief, with the evidence for each.

    \b
    Examples:
      matcher match "organoid models of liver fibrosis with access to patient samples"
      matcher match -k 5 --kind cluster "AI cardiac ultrasound, NHS validation, UK manufacturing"
      matcher match --region Wales --org-type industry "wound care dressings manufacturer"
      matcher match -i brief.txt --format json > matches.json
      matcher match --no-infer "lab space in Reading"   # ignore the place and partner type read
    """
    from ..default_index import ensure_default_index
    from ..matcher import Matcher
    from ..output import render

    brief = read_brief(text, input_file)
    filters = filters_from(kind, regions, org_types, tags, member_of, exclude)
    folder = index_dir or ensure_default_index(model, say)
    matcher = Matcher.load(folder, model=model)
    ranking = matcher.match(brief, k=k, filters=filters, infer=not no_infer, ignore=ignored)
    if fmt != "table":
        for warning in ranking.warnings:
            say(f"Note: {warning}")
    output = render(ranking, fmt, explain=explain)
    if output:
        click.echo(output)
    sys.stdout.flush()
