"""The `[web]` table of mortem.toml: how `mortem serve` signs people in and syncs."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import Settings
from ..errors import ConfigError
from ..users import ROLES

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class WebSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    auth: Literal["local", "proxy", "none"] = Field(
        default="local",
        description="local: accounts in the users file; proxy: a trusted header set by an "
        "SSO proxy; none: everyone is admin (only on a loopback address).",
    )
    users_file: str = Field(
        default=".mortem/users.json", description="The accounts file (kept out of git)."
    )
    secret_file: str = Field(
        default=".mortem/secret",
        description="Where the session key is generated when MORTEM_SECRET is not set.",
    )
    session_hours: int = Field(default=12, gt=0, description="How long a sign-in lasts.")
    cookie_secure: bool = Field(
        default=False, description="Send the session cookie over HTTPS only."
    )
    proxy_header: str = Field(
        default="X-Forwarded-User", description="The header naming the signed-in person."
    )
    trusted_proxies: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"],
        description="Addresses whose proxy header is believed.",
    )
    proxy_role: str = Field(
        default="viewer", description="Role of proxy users who are not in the users file."
    )
    login_per_ip: int = Field(
        default=20, gt=0, description="Failed sign-ins per address per window."
    )
    login_per_user: int = Field(
        default=5, gt=0, description="Failed sign-ins per account per window."
    )
    login_window_seconds: int = Field(default=900, gt=0, description="The rate-limit window.")
    max_request_bytes: int | None = Field(
        default=None,
        gt=0,
        description="Larger requests are refused (default: the attachment limit plus 1 MB).",
    )
    refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description="Re-scan the postmortems folder at most this often (sooner on a commit).",
    )
    page_cache_mb: int = Field(
        default=64,
        ge=0,
        description="Rendered pages kept in memory, in millions of characters (0: none).",
    )
    remote: str | None = Field(
        default=None,
        description="A git remote to pull from and push to on every save (for replicas).",
    )
    pull_seconds: float = Field(default=30.0, gt=0, description="How often to pull the remote.")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @field_validator("proxy_role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"unknown role {value!r} (one of: {', '.join(ROLES)})")
        return value

    def networks(self) -> list[Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies]

    def request_limit(self, settings: Settings) -> int:
        return self.max_request_bytes or settings.limits.max_attachment_bytes + 1_000_000


def web_settings(settings: Settings, overrides: dict[str, Any] | None = None) -> WebSettings:
    raw = dict(settings.extra.get("web") or {})
    raw.update(overrides or {})
    try:
        return WebSettings.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"mortem.toml: unknown setting 'web.{key}'") from None
        raise ConfigError(f"mortem.toml: web.{key}: {err['msg']}") from None
