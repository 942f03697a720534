"""Running the app: the checks before binding, the demo account, uvicorn."""

from __future__ import annotations

import ipaddress

from ..errors import UsageError
from ..users import UsersFile, generate_password
from ..workspace import Workspace
from .config import WebSettings

DEMO_USER = "demo"


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(web: WebSettings, host: str) -> None:
    """`auth = none` makes everyone an admin: only ever on this machine's loopback."""
    if web.auth == "none" and not is_loopback_host(host):
        raise UsageError(
            f'[web] auth = "none" lets anyone edit: it is only allowed on a loopback '
            f"address (127.0.0.1 or ::1), not {host}"
        )


def demo_user(ws: Workspace, web: WebSettings) -> tuple[str, str]:
    """An admin 'demo' with a fresh password (made again each time, never reused)."""
    users = UsersFile(ws.root / web.users_file)
    password = generate_password()
    if users.get(DEMO_USER) is None:
        users.add(DEMO_USER, password, "admin", "Demo Admin", None)
    else:
        users.set_role(DEMO_USER, "admin")
        users.set_password(DEMO_USER, password)
    return DEMO_USER, password


def run(ws: Workspace, web: WebSettings, host: str, port: int) -> None:
    import uvicorn

    from .app import create_app

    application = create_app(ws, web=web, warm=True)
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=False,  # the peer address decides whether a proxy header is trusted
        server_header=False,
        access_log=False,
    )
