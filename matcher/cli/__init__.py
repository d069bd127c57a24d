"""The `matcher` command: one thin click command per verb over the library.

Library errors (MatcherError) become one-line messages and an exit code, never a traceback.
"""

from __future__ import annotations

import sys

import click

from ..errors import CorpusError, MatcherError


class MatcherGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CorpusError as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            summary = str(exc).splitlines()[0]
            click.echo(f"Error: {summary}", err=True)
            ctx.exit(exc.exit_code)
        except MatcherError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)


@click.group(cls=MatcherGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="matcher")
def cli() -> None:
    """Rank UK life-science clusters and partner organisations against a need, with evidence.

    \b
    Start with:
      matcher match "GMP viral vector manufacturing for a phase I gene therapy trial"
    """


def _register() -> None:
    from . import batch_cmd, cache_cmd, corpus_cmd, eval_cmd, index_cmd, match_cmd

    cli.add_command(index_cmd.index)
    cli.add_command(index_cmd.info)
    cli.add_command(cache_cmd.cache)
    cli.add_command(match_cmd.match)
    cli.add_command(corpus_cmd.corpus)
    cli.add_command(eval_cmd.eval_)
    cli.add_command(batch_cmd.batch)
    from . import feedback_cmd, serve_cmd

    cli.add_command(serve_cmd.serve)
    cli.add_command(feedback_cmd.feedback)


_register()


def main() -> None:
    try:
        cli(prog_name="matcher")
    except BrokenPipeError:  # e.g. `matcher match ... | head`
        sys.stderr.close()
        sys.exit(0)
