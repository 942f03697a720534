"""The `mortem` command: global options, command registration, error handling."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import MortemError
from . import output

if TYPE_CHECKING:
    from ..workspace import Workspace

app = typer.Typer(
    name="mortem",
    # The help is the callback's docstring, so that it can carry an example.
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    repo: Path | None = None
    author: str | None = None
    debug: bool = False
    _workspace: Workspace | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from ..workspace import Workspace

            self._workspace = Workspace.open(self.repo)
        return self._workspace


state = State()


@app.callback()
def main(
    repo: Path | None = typer.Option(
        None, "--repo", "-C", help="The repository (default: this folder or one above it)."
    ),
    author: str | None = typer.Option(
        None,
        "--author",
        help="Who is acting: a roster key or 'Name <email>' (default: git config).",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks."),
) -> None:
    """Blameless postmortems as Markdown files in git: write, lint, track, measure, serve.

    Example: [bold]mortem new "Checkout timeouts" --severity SEV2 --service payments-api[/bold]
    """
    state.repo = repo
    state.author = author
    state.debug = debug


def _register() -> None:
    # Each command group lives in its own module; importing it adds its commands.
    from . import core  # noqa: F401

    for name in ("lint", "actions", "reviews", "stats", "connect", "web"):
        try:
            __import__(f"mortem.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mortem.cli.{name}":
                raise


def run() -> None:
    _register()
    debug = "--debug" in sys.argv
    try:
        # One name however it was started (`python -m mortem` included), so that usage
        # lines and error hints can be pasted as they are.
        code = app(standalone_mode=False, prog_name="mortem")
    except MortemError as exc:
        if debug:
            raise
        output.error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        output.error("interrupted")
        sys.exit(130)
    except Exception as exc:
        # Typer's bundled click raises its own usage and abort errors; they are told
        # apart by class name, as that click is a private module of typer.
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "NoArgsIsHelpError" in names:
            # A group called bare: its help is the useful answer, kept whole.
            exc.show()  # type: ignore[attr-defined]
            sys.exit(2)
        if "ClickException" in names:
            output.error(_click_message(exc))
            sys.exit(2 if "UsageError" in names else int(getattr(exc, "exit_code", 1)))
        if type(exc).__name__ == "Abort":
            output.error("aborted")
            sys.exit(1)
        if debug:
            raise
        output.error(f"unexpected error: {exc!r} (run with --debug for the traceback)")
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)


def _click_message(exc: Exception) -> str:
    """A click error as one line, pointing at the help of the command it concerns."""
    message = " ".join(str(exc.format_message()).split()).rstrip(".")  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    if ctx is None:
        return message
    return f"{message} (see {ctx.command_path} --help)"
