"""`mortem serve` and the accounts of the web page (`mortem user ...`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from ..errors import UsageError
from . import output
from .main import app, state
from .output import Format

if TYPE_CHECKING:
    from ..users import UsersFile

user_app = typer.Typer(
    help="Accounts of the web page (the users file, outside git).\n\n"
    'Example: [bold]mortem user add priya --role editor --name "Priya Raman"[/bold]',
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


def _users() -> UsersFile:
    from ..users import UsersFile
    from ..web.config import web_settings

    ws = state.workspace()
    return UsersFile(ws.root / web_settings(ws.settings).users_file)


def _password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated): read from stdin, typed at a prompt, or generated."""
    from ..users import generate_password

    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if sys.stdin.isatty() and sys.stdout.isatty():
        typed = typer.prompt(
            "Password (empty: generate one)",
            default="",
            hide_input=True,
            confirmation_prompt=True,
            show_default=False,
        )
        if typed:
            return typed, False
    return generate_password(), True


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Lower-case name to sign in with."),
    role: str = typer.Option("viewer", "--role", "-r", help="viewer, editor, reviewer or admin."),
    name: str | None = typer.Option(None, "--name", help="Full name, shown and used in commits."),
    email: str | None = typer.Option(None, "--email", help="E-mail, used in commits."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
) -> None:
    """Add an account to the web page; a generated password is printed once.

    Example: [bold]mortem user add priya --role editor --name "Priya Raman"[/bold]
    """
    users = _users()
    password, generated = _password(password_stdin)
    user = users.add(username, password, role, name, email)
    output.success(f"added {user.username} ({user.role}) to {users.path}")
    if generated:
        print(f"password: {password}")


@user_app.command("passwd")
def user_passwd(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin."
    ),
) -> None:
    """Set a new password (every session of the account ends).

    Example: [bold]mortem user passwd priya[/bold]
    """
    users = _users()
    password, generated = _password(password_stdin)
    users.set_password(username, password)
    output.success(f"new password for {username}")
    if generated:
        print(f"password: {password}")


@user_app.command("role")
def user_role(
    username: str = typer.Argument(...),
    role: str = typer.Argument(..., help="viewer, editor, reviewer or admin."),
) -> None:
    """Change the role of an account.

    Example: [bold]mortem user role priya reviewer[/bold]
    """
    user = _users().set_role(username, role)
    output.success(f"{user.username} is now {user.role}")


@user_app.command("remove")
def user_remove(username: str = typer.Argument(...)) -> None:
    """Remove an account (its sessions end at once).

    Example: [bold]mortem user remove priya[/bold]
    """
    _users().remove(username)
    output.success(f"removed {username}")


@user_app.command("list")
def user_list(fmt: Format = typer.Option(Format.table, "--format", "-f")) -> None:
    """List the accounts and their roles.

    Example: [bold]mortem user list --format json[/bold]
    """
    rows = [u.public() for u in _users().all()]
    output.emit(rows, fmt, ["username", "role", "name", "email", "created"], empty="no users yet")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", help="Port to listen on."),
    auth: str | None = typer.Option(
        None, "--auth", help="local, proxy or none (overrides [web] auth)."
    ),
    demo_account: bool = typer.Option(
        False, "--demo-account", help="Create an admin 'demo' with a new password and print it."
    ),
) -> None:
    """Serve the repository as a web page: browse, search, edit, review, dashboard.

    Example: [bold]mortem serve --host 127.0.0.1 --port 8000[/bold]
    """
    from ..web.config import web_settings
    from ..web.server import check_bind, demo_user, run

    ws = state.workspace()
    web = web_settings(ws.settings, {"auth": auth} if auth else None)
    check_bind(web, host)
    if demo_account:
        if web.auth != "local":
            raise UsageError('--demo-account needs [web] auth = "local"')
        name, password = demo_user(ws, web)
        print(f"demo account: user {name}, password {password}")
    output.success(f"serving {ws.root} on http://{host}:{port} (auth: {web.auth}; Ctrl-C stops)")
    run(ws, web, host, port)
