"""`matcher batch`: score an enquiry list into a results file and a rejects file."""

from __future__ import annotations

from pathlib import Path

import click

from .options import K_LIMIT, filter_options, filters_from, index_option, model_option, say


def _default_output(input_path: str, fmt: str) -> Path:
    if input_path == "-":
        return Path(f"matches.{fmt}")
    source = Path(input_path)
    return source.with_name(f"{source.stem}.matches.{fmt}")


@click.command()
@click.argument("input_path", metavar="INPUT")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Results file. Default: INPUT.matches.FORMAT beside the input.")
@click.option("--rejects", type=click.Path(path_type=Path), default=None,
              help="Rejected rows with line and reason. Default: OUTPUT.rejects.csv (.jsonl).")
@click.option("--id-column", default=None, help="Column holding the enquiry id. Default: "
                                                "the row number.")
@click.option("--text-column", "text_columns", multiple=True,
              help="Column(s) to match, joined in order (repeatable). Default: 'text'.")
@click.option("-k", "k", type=click.IntRange(1, K_LIMIT), default=5, show_default=True,
              help="Matches per enquiry (the same limit as matcher match).")
@filter_options
@index_option
@model_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "xlsx"]), default=None,
              help="Results format. Default: from the output's extension, else csv.")
@click.option("--format-in", type=click.Choice(["csv", "tsv", "jsonl", "json", "xlsx"]),
              default=None, help="Input format. Default: from the extension or the content.")
@click.option("--layout", type=click.Choice(["long", "wide"]), default="long",
              show_default=True, help="long: a row per enquiry and rank; wide: a row per enquiry.")
@click.option("--resume", is_flag=True, help="Continue an interrupted run of the same command.")
@click.option("--overwrite", is_flag=True,
              help="Replace an existing results or rejects file (never done without it).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--ray-address", default=None,
              help="Ray cluster to join (e.g. ray://head:10001). Default: start a local Ray.")
@click.option("--precision", type=click.Choice(["auto", "fp32", "bf16"]), default="auto",
              show_default=True,
              help="Encoder arithmetic. auto: bf16 on CPUs with native bf16 (AMX, AVX512-BF16), "
                   "about 2x faster at the same quality; fp32 elsewhere. fp32 gives results "
                   "that do not depend on how rows are batched.")
@click.option("--quiet", is_flag=True, help="No progress output.")
@click.option("--no-infer", is_flag=True,
              help="Do not read places and partner types from the rows (no soft priors).")
def batch(input_path, output, rejects, id_column, text_columns, k, kind, regions, org_types,
          tags, member_of, exclude, index_dir, model, fmt, format_in, layout, resume, overwrite,
          engine, ray_address, precision, quiet, no_infer) -> None:
    """Score every row of an enquiry list (CSV, TSV, JSONL, JSON, XLSX or - for stdin).

    Every input row ends up in exactly one of the results file and the rejects file; the
    counts are printed at the end. Results are written as they are scored; after a crash or
    kill, run the same command with --resume to continue without duplicates or gaps. The
    input is checked (format, header, columns) before anything is written, and an existing
    results file is never replaced without --overwrite.

    \b
    Examples:
      matcher batch enquiries.csv --id-column ref --text-column title --text-column body
      matcher batch crm.xlsx -o ranked.xlsx --layout wide -k 3
      matcher batch big.jsonl -o out.jsonl --resume
      matcher batch big.csv --engine ray --ray-address ray://head:10001 --index /shared/idx
    """
    from ..batch.rows import RowSource
    from ..batch.runner import check_resumable, count_records, input_signature, run_batch
    from ..batch.sinks import BatchSink, preflight
    from ..default_index import ensure_default_index
    from ..encoders import resolve_precision

    # Cheap checks first, before the model loads: the input, then the output's state.
    check_resumable(input_path, resume)
    if input_path != "-" and not Path(input_path).is_file():
        raise click.UsageError(f"no such input file: {input_path}")
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in ("csv", "jsonl", "xlsx") else "csv"
    output = output or _default_output(input_path, fmt)
    rejects = rejects or output.with_name(
        f"{output.stem}.rejects.{'jsonl' if fmt == 'jsonl' else 'csv'}")
    source = RowSource(input_path, format_in, id_column, tuple(text_columns))
    source.check()
    preflight(output, rejects, resume, overwrite)
    filters = filters_from(kind, regions, org_types, tags, member_of, exclude)
    folder = index_dir or ensure_default_index(model, say)
    precision = resolve_precision(precision)

    from ..matcher import Matcher

    ahead = 0
    if engine == "ray":
        from ..batch.ray_engine import RayScorer

        Matcher.load(folder, model=model).check_filters(filters)  # fail fast, before starting workers
        score = RayScorer(folder, k, filters, ray_address, precision=precision,
                          infer=not no_infer)
        ahead = score.ahead
    else:
        matcher = Matcher.load(folder, model=model, precision=precision)
        matcher.check_filters(filters)
        matcher.encoder  # noqa: B018  (load the model before the clock and progress start)

        def score(texts):
            return matcher.match_many(texts, k=k, filters=filters, explain=False, regions=False,
                                      infer=not no_infer)

    options = {"id_column": id_column, "text_columns": list(text_columns), "k": k,
               "filters": [kind, list(regions), list(org_types), list(tags), list(member_of),
                           list(exclude)], "format": fmt, "format_in": format_in,
               "layout": layout, "index": str(Path(folder).resolve()), "precision": precision,
               "infer": not no_infer}
    sink = BatchSink(output, rejects, fmt, layout, k, input_signature(input_path, options), resume,
                     overwrite)
    report = run_batch(source, sink, score, quiet=quiet,
                       total=None if quiet else count_records(input_path), ahead=ahead)
    if report.cp1252_lines:
        say(f"note: {report.cp1252_lines} line(s) were not UTF-8 and were read as cp1252")
    resumed = f" (resumed after {report.resumed_from})" if report.resumed_from else ""
    say(f"read {report.read} rows{resumed}: {report.scored} scored -> {output}, "
        f"{report.rejected} rejected -> {rejects} ({report.seconds:.1f}s)")
    if not report.balanced:
        raise click.ClickException("row counts do not add up: read != scored + rejected")
