"""mortem.toml -> Settings.

The settings are one declarative set of pydantic models: each field has a default and
a help text, `mortem config` lists them with where each value came from, and an
unknown key or a bad value is an error that names the key and the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

CONFIG_NAME = "mortem.toml"

DEFAULT_CATEGORIES = [
    "monitoring",
    "alerting",
    "testing",
    "deployment",
    "configuration",
    "capacity",
    "dependency",
    "documentation",
    "process",
    "on-call",
    "communication",
    "infrastructure",
    "security",
    "data",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Severity(_Section):
    name: str = Field(description="Short name used in the front matter, e.g. SEV1.")
    description: str = Field(default="", description="What this severity means.")


DEFAULT_SEVERITIES = [
    Severity(name="SEV1", description="Critical: a core customer flow is down for many users."),
    Severity(name="SEV2", description="Major: a core flow is degraded or a feature is down."),
    Severity(name="SEV3", description="Minor: limited impact, a workaround exists."),
    Severity(name="SEV4", description="Low: no customer impact; worth learning from."),
]


class Paths(_Section):
    postmortems: str = Field(default="postmortems", description="Folder of postmortem files.")
    templates: str = Field(
        default="templates", description="Folder of the repository's own templates."
    )


class Factors(_Section):
    categories: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CATEGORIES),
        description="Allowed contributing-factor categories.",
    )


class Reviews(_Section):
    follow_up_days: list[int] = Field(
        default_factory=lambda: [30, 90],
        description="Days after publishing when follow-up reviews come due.",
    )
    approvals: int = Field(default=1, ge=0, description="Approvals needed before publishing.")
    meeting_every_days: int = Field(
        default=14, gt=0, description="Days between review meetings (`mortem review agenda`)."
    )


class Person(_Section):
    name: str = Field(description="Full name.")
    team: str | None = Field(default=None, description="Team key, used to group action items.")
    role: str | None = Field(
        default=None, description="Role, suggested instead of the name in prose."
    )
    email: str | None = Field(default=None, description="Where reminders are sent.")


class Limits(_Section):
    max_file_bytes: int = Field(
        default=2_000_000, gt=0, description="Larger postmortem files are refused."
    )
    max_attachment_bytes: int = Field(
        default=10_000_000, gt=0, description="Larger attachments are refused."
    )


class Templates(_Section):
    default: str = Field(default="default", description="Template used by `mortem new`.")


class Git(_Section):
    commit: bool = Field(default=True, description="Commit every change made through mortem.")


_CODE_PREFIX = re.compile(r"^[A-Z][0-9]{0,3}$")


class Lint(_Section):
    select: list[str] = Field(default_factory=list, description="Rule code prefixes to run.")
    ignore: list[str] = Field(default_factory=list, description="Rule code prefixes to skip.")
    severity: dict[str, Literal["error", "warning", "info"]] = Field(
        default_factory=dict, description="Severity per rule code or prefix, e.g. B103 = 'info'."
    )
    extra_phrases: list[str] = Field(
        default_factory=list, description="More phrases that blame, flagged as B110."
    )
    allowed_names: list[str] = Field(
        default_factory=list, description="Words that look like names but are not (N101)."
    )
    allow_names_in_timeline: bool = Field(
        default=False, description="Let timeline events name people (N101)."
    )
    min_whys: int = Field(default=3, ge=1, description="Fewest whys before W101 fires.")
    due_horizon_days: int = Field(
        default=90, gt=0, description="Latest due date, in days after the incident (A103)."
    )
    timeline_tolerance_minutes: int = Field(
        default=60, ge=0, description="Slack around the incident window for events (T103)."
    )
    restatement_threshold: float = Field(
        default=0.6, gt=0, le=1, description="Word overlap at which W105 calls a why circular."
    )
    exclude: list[str] = Field(
        default_factory=lambda: ["README.md", "*/README.md", "CHANGELOG.md", "CONTRIBUTING.md"],
        description="Glob patterns of Markdown files that are not postmortems.",
    )

    @field_validator("select", "ignore")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not _CODE_PREFIX.match(v)]
        if bad:
            raise ValueError(f"not a rule code or prefix: {', '.join(bad)} (e.g. B, B1, B101)")
        return value

    @field_validator("severity")
    @classmethod
    def _severity_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [k for k in value if not _CODE_PREFIX.match(k)]
        if bad:
            raise ValueError(f"not a rule code or prefix: {', '.join(bad)} (e.g. B103)")
        return value


class Settings(_Section):
    paths: Paths = Field(default_factory=Paths)
    severities: list[Severity] = Field(default_factory=lambda: list(DEFAULT_SEVERITIES))
    factors: Factors = Field(default_factory=Factors)
    reviews: Reviews = Field(default_factory=Reviews)
    people: dict[str, Person] = Field(default_factory=dict)
    limits: Limits = Field(default_factory=Limits)
    templates: Templates = Field(default_factory=Templates)
    git: Git = Field(default_factory=Git)
    lint: Lint = Field(default_factory=Lint)
    # The sections owned by later features (web, remind, ...) register themselves as
    # free tables so that one mortem.toml serves all of them.
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("severities")
    @classmethod
    def _unique_severities(cls, value: list[Severity]) -> list[Severity]:
        names = [s.name for s in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate severity names: {', '.join(dupes)}")
        return value

    @property
    def severity_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.severities)

    def team_of(self, who: str | None) -> str | None:
        if who is None:
            return None
        person = self.people.get(who)
        return person.team if person else None


# Tables that other parts of mortem read themselves; kept as-is under Settings.extra.
FREE_TABLES = ("web", "remind", "import", "export", "site", "stats", "coverage")


@dataclass(frozen=True)
class Loaded:
    settings: Settings
    path: Path | None
    raw: dict[str, Any]


def load_settings(path: Path | None) -> Loaded:
    """Read mortem.toml; a missing file gives the defaults."""
    if path is None or not path.exists():
        return Loaded(Settings(), None, {})
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8") from None
    known = {k: v for k, v in raw.items() if k not in FREE_TABLES}
    extra = {k: v for k, v in raw.items() if k in FREE_TABLES}
    try:
        settings = Settings.model_validate({**known, "extra": extra})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        key = ".".join(str(p) for p in err["loc"])
        line = _line_of_key(path, err["loc"])
        where = f"{path}:{line}" if line else str(path)
        if err["type"] == "extra_forbidden":
            raise ConfigError(f"{where}: unknown setting {key!r}") from None
        raise ConfigError(f"{where}: {key}: {err['msg']}") from None
    return Loaded(settings, path, raw)


def _line_of_key(path: Path, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a dotted key in a TOML file (tomllib keeps no positions)."""
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    leaf = names[-1]
    tables = names[:-1]
    section: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            section = header.group(1)
            if section.split(".") == names:
                return number
            continue
        in_table = not tables or (
            section is not None and section.split(".")[: len(tables)] == tables
        )
        if in_table and re.match(rf"^\s*\"?{re.escape(leaf)}\"?\s*=", line):
            return number
    return None


@dataclass(frozen=True)
class Effective:
    key: str
    value: Any
    source: str
    help: str


def effective_settings(loaded: Loaded) -> list[Effective]:
    """Every leaf setting with its value and where it came from."""
    rows: list[Effective] = []
    settings = loaded.settings
    raw = loaded.raw

    def origin(keys: list[str]) -> str:
        node: Any = raw
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return "default"
            node = node[key]
        line = _line_of_key(loaded.path, tuple(keys)) if loaded.path else None
        return f"{loaded.path}:{line}" if line else str(loaded.path)

    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        if name == "extra":
            for table, content in value.items():
                rows.append(Effective(table, content, origin([table]), "read by its own feature"))
            continue
        if isinstance(value, BaseModel):
            for sub, sub_info in type(value).model_fields.items():
                rows.append(
                    Effective(
                        f"{name}.{sub}",
                        getattr(value, sub),
                        origin([name, sub]),
                        sub_info.description or "",
                    )
                )
            for sub, sub_value in (value.model_extra or {}).items():
                rows.append(Effective(f"{name}.{sub}", sub_value, origin([name, sub]), ""))
        elif name == "people":
            for key, person in value.items():
                rows.append(
                    Effective(f"people.{key}", person.model_dump(), origin([name, key]), "")
                )
            if not value:
                rows.append(
                    Effective("people", {}, "default", "The roster: key -> name, team, role.")
                )
        else:
            dumped = [s.model_dump() for s in value] if isinstance(value, list) else value
            rows.append(Effective(name, dumped, origin([name]), info.description or ""))
    return rows


DEFAULT_CONFIG = """\
# mortem settings. `mortem config` shows every setting, its value and where it came from.

[paths]
postmortems = "postmortems"
templates = "templates"

[[severities]]
name = "SEV1"
description = "Critical: a core customer flow is down for many users."
[[severities]]
name = "SEV2"
description = "Major: a core flow is degraded or a feature is down."
[[severities]]
name = "SEV3"
description = "Minor: limited impact, a workaround exists."
[[severities]]
name = "SEV4"
description = "Low: no customer impact; worth learning from."

[reviews]
follow_up_days = [30, 90]
approvals = 1

# The roster: people named in postmortems, so that action items group by team and
# the linter can suggest a role instead of a name.
# [people.priya]
# name = "Priya Raman"
# team = "payments"
# role = "engineer"
# email = "priya@example.com"
"""
