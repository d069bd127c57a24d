"""Helpers shared by the CLI tests."""

from click.testing import CliRunner

from matcher.cli import cli


def run(*args, input=None):
    """Invoke the CLI in-process; a traceback in its output fails the test."""
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert "Traceback" not in result.output
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result
